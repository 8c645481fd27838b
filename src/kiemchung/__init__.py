"""kiemchung — Vietnamese-first fact-checking, scam-warning and public-information desk."""

__version__ = "0.1.0"
