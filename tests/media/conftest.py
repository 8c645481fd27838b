"""The image-tip tests use the public site's seeded store and app."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "public"))

from public_seed import client, seeded

__all__ = ["client", "seeded"]
