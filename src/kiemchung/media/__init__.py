"""Images in, text and perceptual hashes out: intake (sniff, limits, metadata strip, storage),
Vietnamese OCR with Tesseract, and PDQ hashes for near-duplicate pictures.

- :mod:`kiemchung.media.intake` — ``load_image(data)`` checks and re-encodes an upload in memory;
  ``store_image`` writes only the re-encoded bytes under ``<data_dir>/media`` keyed by content hash.
- :mod:`kiemchung.media.ocr` — ``read_text(image)`` returns text and a mean word confidence (0–1);
  the app keeps working (without OCR) when Tesseract is not installed.
- :mod:`kiemchung.media.pdq` — ``pdq_hash(image)`` and ``hamming``.
"""
