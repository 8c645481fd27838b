"""Format adapters: a byte stream in, ``(line_number, record | RecordError)`` pairs out.

Each adapter streams (JSONL and CSV hold one line in memory at a time), decodes every line on its
own so one bad byte costs one line, and reports how many bytes it consumed through ``on_bytes``
(for the progress bar). Nothing here validates fields or looks at who wrote anything: records go
to ``privacy.scrub`` and ``records.validate`` next.

    >>> import io
    >>> [(n, type(r).__name__) for n, r in read_jsonl(io.BytesIO(b'{"text": "a"}\\nnot json\\n'))]
    [(1, 'dict'), (2, 'RecordError')]
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

import orjson

from kiemchung.intake.records import MAX_LINE_BYTES, RecordError

Numbered = tuple[int, dict[str, Any] | RecordError]
OnBytes = Callable[[int], None] | None
FORMATS = ("jsonl", "csv", "rss")


class IntakeError(RuntimeError):
    """The whole source is unusable (missing, unreadable, wrong format)."""


def _lines(stream: IO[bytes], on_bytes: OnBytes) -> Iterator[tuple[int, bytes | None, int]]:
    """Physical lines as bytes, bounded: an over-long line yields ``None`` and its size, unread."""
    n = 0
    while True:
        chunk = stream.readline(MAX_LINE_BYTES + 1)
        if not chunk:
            return
        n += 1
        size = len(chunk)
        if size > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):  # skip the rest of the line without keeping it
                chunk = stream.readline(1 << 20)
                size += len(chunk)
            if on_bytes:
                on_bytes(size)
            yield n, None, size
            continue
        if on_bytes:
            on_bytes(size)
        yield n, chunk, size


def _decode(raw: bytes, first: bool) -> str:
    if first and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(f"UTF-8 không hợp lệ / invalid UTF-8 at byte {exc.start}") from None


def _too_long(size: int) -> RecordError:
    return RecordError(f"dòng quá dài / line too long: {size:,} bytes > {MAX_LINE_BYTES:,}".replace(",", "."))


def read_jsonl(stream: IO[bytes], on_bytes: OnBytes = None) -> Iterator[Numbered]:
    """One JSON object per line (blank lines skipped). A file that is one JSON array also works."""
    head = stream.read(1)
    while head and head in b" \t\r\n\xef\xbb\xbf":
        if on_bytes:
            on_bytes(1)
        head = stream.read(1)
    if head == b"[":
        yield from _read_json_array(head + stream.read(), on_bytes)
        return
    for n, raw, size in _lines(_Prepend(head, stream), on_bytes):  # type: ignore[arg-type]
        if raw is None:
            yield n, _too_long(size)
            continue
        if not raw.strip():
            continue
        try:
            text = _decode(raw, n == 1)
            obj = orjson.loads(text)
        except RecordError as exc:
            yield n, exc
            continue
        except orjson.JSONDecodeError as exc:
            yield n, RecordError(f"JSON không hợp lệ / invalid JSON: {exc}")
            continue
        if not isinstance(obj, dict):
            yield n, RecordError(f"không phải đối tượng JSON / not a JSON object ({type(obj).__name__})")
            continue
        yield n, obj


def _read_json_array(data: bytes, on_bytes: OnBytes) -> Iterator[Numbered]:
    if on_bytes:
        on_bytes(len(data))
    try:
        items = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise IntakeError(f"Tệp JSON không hợp lệ / invalid JSON file: {exc}") from None
    for i, obj in enumerate(items, 1):
        if isinstance(obj, dict):
            yield i, obj
        else:
            yield i, RecordError(f"không phải đối tượng JSON / not a JSON object ({type(obj).__name__})")


class _Prepend:
    """A binary stream with some bytes pushed back in front (``readline`` only)."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head, self._stream = head, stream

    def readline(self, limit: int = -1) -> bytes:
        if not self._head:
            return self._stream.readline(limit)
        head, self._head = self._head, b""
        if head.endswith(b"\n"):
            return head
        return head + self._stream.readline(limit - len(head) if limit > 0 else -1)


def read_csv(stream: IO[bytes], on_bytes: OnBytes = None) -> Iterator[Numbered]:
    """CSV/TSV with a header row; the delimiter is sniffed. Line numbers are physical lines."""
    bad_lines: dict[int, RecordError] = {}
    lines = _lines(stream, on_bytes)

    def text_lines() -> Iterator[str]:
        for n, raw, size in lines:
            if raw is None:
                bad_lines[n] = _too_long(size)
                yield "\n"
                continue
            try:
                yield _decode(raw, n == 1)
            except RecordError as exc:
                bad_lines[n] = exc
                yield raw.decode("utf-8", "replace")

    source = text_lines()
    header_line = next(source, None)
    if header_line is None:
        raise IntakeError("Tệp CSV trống / empty CSV file")
    if 1 in bad_lines:
        raise IntakeError(f"Dòng tiêu đề CSV hỏng / broken CSV header: {bad_lines[1]}")
    delimiter = max(",;\t|", key=header_line.count)
    header = next(csv.reader([header_line], delimiter=delimiter))
    if not any(h.strip() for h in header):
        raise IntakeError("Tệp CSV không có tiêu đề / CSV file has no header row")

    csv.field_size_limit(MAX_LINE_BYTES)
    reader = csv.reader(source, delimiter=delimiter)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            end = reader.line_num + 1
            for i in range(start + 1, end + 1):
                bad_lines.pop(i, None)
            yield start + 1, RecordError(f"CSV hỏng / malformed CSV: {exc}")
            start = end
            continue
        end = reader.line_num + 1  # +1: the header was read separately
        first, start = start + 1, end
        bad = next((bad_lines.pop(i) for i in range(first, end + 1) if i in bad_lines), None)
        for i in range(first, end + 1):
            bad_lines.pop(i, None)
        if bad is not None:
            yield first, bad
        elif not row or not any(cell.strip() for cell in row):
            continue
        elif len(row) > len(header):
            yield first, RecordError(f"số cột sai / too many columns: {len(row)} > {len(header)}")
        else:
            yield first, dict(zip(header, row, strict=False))


_BLOCK = re.compile(r"(?i)<\s*(?:br|/p|/div|/li|/h[1-6])\s*/?>")


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (feeds carry HTML summaries).

    >>> html_to_text("<p>Giá xăng <b>giảm</b> &amp; ổn định</p><p>Tiếp</p>")
    'Giá xăng giảm & ổn định\\nTiếp'
    """
    import nh3

    text = nh3.clean(_BLOCK.sub("\n", fragment), tags=set())
    return html.unescape(text).strip()


def read_rss(
    stream: IO[bytes], on_bytes: OnBytes = None, *, max_bytes: int = 50_000_000
) -> Iterator[Numbered]:
    """RSS/Atom entries, numbered from 1 in document order. Author fields are never read."""
    import feedparser

    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise IntakeError(f"Nguồn tin quá lớn / feed too large (> {max_bytes:,} bytes)".replace(",", "."))
    if on_bytes:
        on_bytes(len(data))
    parsed = feedparser.parse(data)
    if not parsed.entries:
        if parsed.get("bozo"):
            raise IntakeError(
                f"Không đọc được RSS/Atom / cannot parse RSS/Atom: {parsed.get('bozo_exception')}"
            )
        if not parsed.get("version"):
            raise IntakeError("Không phải RSS/Atom / not an RSS or Atom document")
    for i, entry in enumerate(parsed.entries, 1):
        yield i, _entry_record(entry)


def _entry_record(entry: Any) -> dict[str, Any]:
    body = ""
    if entry.get("content"):
        body = " ".join(c.get("value", "") for c in entry["content"])
    body = body or entry.get("summary", "") or entry.get("description", "")
    title = html_to_text(entry.get("title", "") or "")
    text = html_to_text(body) or title
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    rec: dict[str, Any] = {"text": text, "title": title or None, "external_id": entry.get("id")}
    if when:
        y, mo, d, h, mi, sec = when[:6]
        rec["published_at"] = datetime(y, mo, d, h, mi, sec, tzinfo=UTC)
    if entry.get("link"):
        rec["url"] = entry["link"]
    return rec


READERS: dict[str, Callable[..., Iterator[Numbered]]] = {
    "jsonl": read_jsonl,
    "csv": read_csv,
    "rss": read_rss,
}


def guess_format(name: str, head: bytes, content_type: str = "") -> str:
    """Format from the file name, then the HTTP content type, then the first bytes.

    >>> guess_format("x.ndjson", b""), guess_format("feed", b"<?xml"), guess_format("a", b"id,text")
    ('jsonl', 'rss', 'csv')
    """
    low = name.lower().split("?", 1)[0]
    for suffix in (".gz",):
        low = low.removesuffix(suffix)
    if low.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if low.endswith((".csv", ".tsv")):
        return "csv"
    if low.endswith((".xml", ".rss", ".atom")) or low.endswith("/feed"):
        return "rss"
    ct = content_type.lower()
    if any(k in ct for k in ("xml", "rss", "atom")):
        return "rss"
    if "json" in ct:
        return "jsonl"
    if "csv" in ct:
        return "csv"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        return "rss"
    if stripped.startswith((b"{", b"[")):
        return "jsonl"
    if stripped:
        return "csv"
    raise IntakeError("Không nhận ra định dạng / cannot tell the format (use --format)")
