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
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

import orjson

from kiemchung.intake.records import MAX_LINE_BYTES, RecordError
from kiemchung.web.i18n import _

Numbered = tuple[int, dict[str, Any] | RecordError]
OnBytes = Callable[[int], None] | None
FORMATS = ("jsonl", "csv", "rss")
# A record may carry the adapter's own warnings under this key (a BOM mid-file, a repaired line);
# ``ingest`` reports them with the line number and removes the key before the privacy filter.
WARNINGS_KEY = "\x00warnings"
_BOM = "\ufeff"
_EXACT = 2**53  # integers past this are not exact as JSON doubles


def _exact_int(digits: str) -> int | str:
    n = int(digits)
    return n if -_EXACT < n < _EXACT else digits


def _inexact(value: Any, depth: int = 0) -> bool:
    if isinstance(value, float):
        return value.is_integer() and abs(value) >= _EXACT
    if depth < 2 and isinstance(value, dict):
        return any(_inexact(v, depth + 1) for v in value.values())
    if depth < 2 and isinstance(value, list):
        return any(_inexact(v, depth + 1) for v in value)
    return False


def loads_json(data: str | bytes) -> Any:
    """JSON as orjson reads it, except where orjson would lose or refuse a value.

    Integers past 2^53 (post ids) stay exact, as strings; a number out of a double's range
    (``1e400``) becomes ``inf`` for the field check to reject, instead of failing the whole record.

    >>> loads_json('{"id": 123456789012345678901, "likes": 1e400, "n": 5}')
    {'id': '123456789012345678901', 'likes': inf, 'n': 5}
    """
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        obj = None
        fallback = True
    else:
        fallback = _inexact(obj)
    if not fallback:
        return obj
    try:
        return json.loads(data, parse_int=_exact_int)
    except (ValueError, RecursionError) as exc:
        raise orjson.JSONDecodeError(str(exc), "", 0) from None


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
        raise RecordError(_("UTF-8 không hợp lệ %(start)s", start=exc.start)) from None


def _too_long(size: int) -> RecordError:
    return RecordError(
        _(
            "dòng quá dài: %(size)s bytes > %(max_line_bytes)s",
            size=f"{size:,}",
            max_line_bytes=f"{MAX_LINE_BYTES:,}",
        ).replace(",", ".")
    )


def read_jsonl(stream: IO[bytes], on_bytes: OnBytes = None) -> Iterator[Numbered]:
    """One JSON object per line (blank lines skipped). A file that is one JSON array also works.

    A file is read as one array only when its first line does not hold a complete JSON value of
    its own, or nothing follows that value: a JSONL file whose first line happens to be an array
    loses that line (reported), not the whole file.
    """
    head = stream.read(1)
    skipped = 0
    while head and head in b" \t\r\n\xef\xbb\xbf":
        if on_bytes:
            on_bytes(1)
        skipped += head == b"\n"
        head = stream.read(1)
    if head == b"[":
        first = head + stream.readline()
        rest = b""
        while not rest.strip():  # blank lines after the first, kept for the line numbers
            more = stream.readline()
            if not more:
                break
            rest += more
        line_is_value = True
        try:
            loads_json(first)
        except orjson.JSONDecodeError:
            line_is_value = False
        if not line_is_value or not rest.strip():
            yield from _read_json_array(first + rest + stream.read(), on_bytes)
            return
        stream = _Prepend(first + rest, stream)  # type: ignore[assignment]
        head = b""
    for n, raw, size in _lines(_Prepend(head, stream), on_bytes):  # type: ignore[arg-type]
        n += skipped
        if raw is None:
            yield n, _too_long(size)
            continue
        if not raw.strip():
            continue
        warnings: list[str] = []
        try:
            text = _decode(raw, n == 1)
            if text.startswith(_BOM):
                # Files glued together keep each part's byte order mark: the line is fine without it.
                text = text.lstrip(_BOM)
                warnings.append(_("BOM giữa tệp đã bỏ"))
            obj = loads_json(text)
        except RecordError as exc:
            yield n, exc
            continue
        except orjson.JSONDecodeError as exc:
            yield n, RecordError(_("JSON không hợp lệ: %(exc)s", exc=exc))
            continue
        if not isinstance(obj, dict):
            yield n, RecordError(_("không phải đối tượng JSON (%(name)s)", name=type(obj).__name__))
            continue
        if warnings:
            obj[WARNINGS_KEY] = warnings
        yield n, obj


def _read_json_array(data: bytes, on_bytes: OnBytes) -> Iterator[Numbered]:
    if on_bytes:
        on_bytes(len(data))
    try:
        items = loads_json(data)
    except orjson.JSONDecodeError as exc:
        raise IntakeError(_("Tệp JSON không hợp lệ: %(exc)s", exc=exc)) from None
    if not isinstance(items, list):
        raise IntakeError(_("Tệp JSON không phải danh sách"))
    for i, obj in enumerate(items, 1):
        if isinstance(obj, dict):
            yield i, obj
        else:
            yield i, RecordError(_("không phải đối tượng JSON (%(name)s)", name=type(obj).__name__))


class _Prepend:
    """A binary stream with some bytes pushed back in front (``readline`` only)."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head, self._stream = head, stream

    def readline(self, limit: int = -1) -> bytes:
        if not self._head:
            return self._stream.readline(limit)
        cut = self._head.find(b"\n") + 1
        if cut:
            head, self._head = self._head[:cut], self._head[cut:]
            return head
        head, self._head = self._head, b""
        return head + self._stream.readline(limit - len(head) if limit > 0 else -1)


def read_csv(stream: IO[bytes], on_bytes: OnBytes = None) -> Iterator[Numbered]:
    r"""CSV/TSV with a header row; the delimiter is sniffed. Line numbers are physical lines.

    A quoted field may span lines. A quote left open (a broken export) would swallow the records
    that follow it into one field; the reader is strict about quotes, so such a span fails, its
    first line is reported and the lines it swallowed are read again as records of their own.

    >>> import io
    >>> rows = read_csv(io.BytesIO(b'id,text\n1,"Tin A\n2,Tin B\n3,"Tin C"\n'))
    >>> [(n, r if isinstance(r, dict) else "lỗi") for n, r in rows]
    [(2, 'lỗi'), (3, {'id': '2', 'text': 'Tin B'}), (4, {'id': '3', 'text': 'Tin C'})]
    """
    bad_lines: dict[int, RecordError] = {}
    physical: dict[int, str] = {}  # text of the lines of the span being read, for a re-read
    lines = _lines(stream, on_bytes)

    def text_lines() -> Iterator[str]:
        for n, raw, size in lines:
            if raw is None:
                bad_lines[n] = _too_long(size)
                physical[n] = "\n"
                yield "\n"
                continue
            try:
                text = _decode(raw, n == 1)
            except RecordError as exc:
                bad_lines[n] = exc
                text = raw.decode("utf-8", "replace")
            physical[n] = text
            yield text

    source = text_lines()
    header_line = next(source, None)
    if header_line is None:
        raise IntakeError(_("Tệp CSV trống"))
    if 1 in bad_lines:
        raise IntakeError(_("Dòng tiêu đề CSV hỏng: %(value)s", value=bad_lines[1]))
    delimiter = max(",;\t|", key=header_line.count)
    header = next(csv.reader([header_line], delimiter=delimiter))
    if not any(h.strip() for h in header):
        raise IntakeError(_("Tệp CSV không có tiêu đề"))

    def result(first: int, row: list[str]) -> Numbered | None:
        if not row or not any(cell.strip() for cell in row):
            return None
        if len(row) > len(header):
            return first, RecordError(_("số cột sai: %(len)s > %(len2)s", len=len(row), len2=len(header)))
        return first, dict(zip(header, row, strict=False))

    def reread(first: int, end: int, reason: str) -> Iterator[Numbered]:
        yield first, RecordError(_("CSV hỏng: %(reason)s", reason=reason))
        for i in range(first + 1, end + 1):
            if i in bad_lines:
                yield i, bad_lines.pop(i)
                continue
            try:
                row = next(csv.reader([physical.get(i, "")], delimiter=delimiter, strict=True), [])
            except csv.Error as exc:
                yield i, RecordError(_("CSV hỏng: %(exc)s", exc=exc))
                continue
            out = result(i, row)
            if out is not None:
                yield out

    csv.field_size_limit(MAX_LINE_BYTES)
    reader = csv.reader(source, delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            end = reader.line_num + 1
            yield from reread(start + 1, end, _("%(exc)s (dấu ngoặc kép không khớp?)", exc=exc))
            for i in range(start + 1, end + 1):
                bad_lines.pop(i, None)
                physical.pop(i, None)
            start = end
            continue
        end = reader.line_num + 1  # +1: the header was read separately
        first, start = start + 1, end
        bad = next((bad_lines.pop(i) for i in range(first, end + 1) if i in bad_lines), None)
        out = None if bad is not None else result(first, row)
        if end > first and out is not None and isinstance(out[1], RecordError):
            # A multi-line record that does not fit the header: most likely an open quote.
            yield from reread(first, end, _("%(value)s (dấu ngoặc kép không khớp?)", value=out[1]))
        elif bad is not None:
            yield first, bad
        elif out is not None:
            yield out
        for i in range(first, end + 1):
            bad_lines.pop(i, None)
            physical.pop(i, None)


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
        raise IntakeError(
            _("Nguồn tin quá lớn (> %(max_bytes)s bytes)", max_bytes=f"{max_bytes:,}").replace(",", ".")
        )
    if on_bytes:
        on_bytes(len(data))
    parsed = feedparser.parse(data)
    if not parsed.entries:
        if parsed.get("bozo"):
            raise IntakeError(_("Không đọc được RSS/Atom: %(get)s", get=parsed.get("bozo_exception")))
        if not parsed.get("version"):
            raise IntakeError(_("Không phải RSS/Atom"))
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
    raise IntakeError(_("Không nhận ra định dạng"))
