"""Fixtures of the public-site tests; the seeded data lives in ``public_seed`` (a uniquely named
module, so it never clashes with other folders' conftest modules)."""

from public_seed import client, seeded

__all__ = ["client", "seeded"]
