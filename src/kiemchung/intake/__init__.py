"""Intake: format adapters, the privacy filter, record validation and storage of Items.

>>> from kiemchung.intake import ingest_path          # doctest: +SKIP
>>> ingest_path("posts.jsonl", progress=False).stored  # doctest: +SKIP
6017
"""

from kiemchung.intake.adapters import IntakeError
from kiemchung.intake.ingest import IngestReport, ingest_numbered, ingest_path, ingest_records
from kiemchung.intake.privacy import is_profile_url, scrub

__all__ = [
    "IngestReport",
    "IntakeError",
    "ingest_numbered",
    "ingest_path",
    "ingest_records",
    "is_profile_url",
    "scrub",
]
