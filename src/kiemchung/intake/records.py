"""Record validation: one scrubbed record in, one row for ``item`` out (or a reason why not).

Policy:

- A record is **rejected** only when its text is unusable: missing, not a string, empty after
  normalisation, larger than ``MAX_TEXT_BYTES``, or not valid Unicode.
- A bad **metadata** field never costs us the post: it is dropped (count -> 0, date -> empty) and
  reported as a warning with the line number. Empty, ``"unknown"``, ``"n/a"``, ``"-"`` counts are
  simply 0 without a warning. Counts below 0 or above ``MAX_COUNT`` are absurd -> dropped + warning.
  Warnings name the field and the problem, never the bad value (a shifted column can hold a name).
- Dates without a zone are Vietnam time (UTC+7) and are stored as naive UTC, like every
  timestamp in the store. Dates before 1990 or more than two days ahead are dropped + warning.

    >>> parse_count("1,2K"), parse_count("173.0"), parse_count("1.234"), parse_count("3 shares")
    (1200, 173, 1234, 3)
    >>> parse_datetime("03/04/2020 20:15")
    datetime.datetime(2020, 4, 3, 13, 15)
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from kiemchung.text import content_hash, normalise
from kiemchung.web.i18n import _, gettext

MAX_TEXT_BYTES = 100_000
MAX_LINE_BYTES = 1_000_000
MAX_COUNT = 2_000_000_000  # fits a 32-bit INTEGER; no post has ever had more
MAX_TITLE_CHARS = 2_000
VN_TZ = timezone(timedelta(hours=7))
_EARLIEST = datetime(1990, 1, 1)

_UNKNOWN = frozenset({"", "unknown", "n/a", "na", "none", "null", "nan", "-", "?", "không rõ", "khong ro"})
_COUNT = re.compile(
    r"^(?P<num>\d+(?:[.,]\d+)*)\s*(?P<suffix>k|m|b|n|ng|nghìn|ngàn|tr|triệu|tỷ|ty)?\.?"
    r"(?:\s+[^\W\d_]+(?:\s+[^\W\d_]+)?)?$",
    re.IGNORECASE,
)
_SUFFIX = {
    "k": 1e3,
    "n": 1e3,
    "ng": 1e3,
    "nghìn": 1e3,
    "ngàn": 1e3,
    "m": 1e6,
    "tr": 1e6,
    "triệu": 1e6,
    "b": 1e9,
    "tỷ": 1e9,
    "ty": 1e9,
}
_THOUSANDS = re.compile(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")
_DMY = re.compile(
    r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})"
    r"(?:[ ,T]+(?P<H>\d{1,2})[:hg](?P<M>\d{2})?(?::(?P<S>\d{2}))?)?$"
)
_TZ_ABBR = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "ICT": 7,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "PST": -8,
    "PDT": -7,
}
_LANG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,4})?$")


class RecordError(ValueError):
    """A record that cannot be stored; ``str(err)`` is the (bilingual) reason."""


class FieldError(ValueError):
    """One metadata field that cannot be used; the record is kept without it."""


@dataclass
class Validated:
    row: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def parse_count(value: Any) -> int:
    """An engagement count from whatever exports contain; raises ``FieldError`` when unusable."""
    if value is None:
        return 0
    if isinstance(value, bool):
        raise FieldError(_("kiểu sai"))
    if isinstance(value, int):
        n = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise FieldError(_("không phải số"))
        n = round(value)
    elif isinstance(value, str):
        s = value.strip().lower()
        if s in _UNKNOWN:
            return 0
        m = _COUNT.match(s)
        if not m:
            raise FieldError(_("không phải số (%(kind)s)", kind=_kind(value)))
        num, suffix = m.group("num"), (m.group("suffix") or "").lower()
        if suffix:
            try:
                n = round(float(num.replace(",", ".")) * _SUFFIX[suffix])
            except ValueError as exc:  # "1.2.3k"
                raise FieldError(_("không phải số (%(kind)s)", kind=_kind(value))) from exc
        elif _THOUSANDS.match(num):
            n = int(re.sub(r"[.,]", "", num))  # 1.234 / 1,234: thousands separators
        else:
            try:
                n = round(float(num.replace(",", ".")))
            except ValueError as exc:
                raise FieldError(_("không phải số (%(kind)s)", kind=_kind(value))) from exc
    else:
        raise FieldError(_("kiểu sai (%(name)s)", name=type(value).__name__))
    if n < 0 or n > MAX_COUNT:
        raise FieldError(_("giá trị vô lý: %(n)s", n=n))
    return n


def _to_utc_naive(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=VN_TZ)
    return dt.astimezone(UTC).replace(tzinfo=None)


def parse_datetime(value: Any, *, now: datetime | None = None) -> datetime | None:
    """Epoch seconds/ms, ISO 8601, ``dd/mm/yyyy [HH:MM[:SS]]`` -> naive UTC; None when empty."""
    if value is None:
        return None
    dt: datetime
    if isinstance(value, datetime):
        dt = _to_utc_naive(value)
    elif isinstance(value, bool):
        raise FieldError(_("kiểu sai"))
    elif isinstance(value, int | float) or (isinstance(value, str) and _is_number(value)):
        x = float(value)
        if not math.isfinite(x):
            raise FieldError(_("ngày không hợp lệ"))
        if abs(x) >= 1e11:  # milliseconds (1e11 s would be the year 5138)
            x /= 1000.0
        try:
            dt = datetime.fromtimestamp(x, UTC).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError) as exc:
            raise FieldError(_("ngày không hợp lệ (%(kind)s)", kind=_kind(value))) from exc
    elif isinstance(value, str):
        s = value.strip()
        if s.lower() in _UNKNOWN:
            return None
        dt = _parse_date_string(s)
    else:
        raise FieldError(_("kiểu sai (%(name)s)", name=type(value).__name__))
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if dt < _EARLIEST or dt > now + timedelta(days=2):
        raise FieldError(_("ngày vô lý: %(dt)s", dt=f"{dt:%d/%m/%Y}"))
    return dt


def _parse_date_string(s: str) -> datetime:
    m = _DMY.match(s)
    if m:
        try:
            dt = datetime(
                int(m["y"]), int(m["m"]), int(m["d"]), int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0)
            )
        except ValueError as exc:
            raise FieldError(gettext("ngày không hợp lệ (%(kind)s)", kind=_kind(s))) from exc
        return _to_utc_naive(dt)
    offset: int | None = None
    head, _, tail = s.rpartition(" ")
    if head and tail.upper() in _TZ_ABBR:
        s, offset = head, _TZ_ABBR[tail.upper()]
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        try:
            from email.utils import parsedate_to_datetime  # RFC 2822, as in RSS

            dt = parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError) as exc:
            raise FieldError(gettext("ngày không hợp lệ (%(kind)s)", kind=_kind(s))) from exc
    if offset is not None and dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone(timedelta(hours=offset)))
    return _to_utc_naive(dt)


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _kind(value: Any) -> str:
    """Describe a bad value without repeating it: a shifted column may hold anything, even a name."""
    return _("%(len)s ký tự", len=len(value)) if isinstance(value, str) else type(value).__name__


def validate(record: dict[str, Any]) -> Validated:
    """Turn a scrubbed record (see ``privacy.scrub``) into an ``item`` row.

    >>> v = validate({"text": "Hoà bình", "likes": "unknown", "shares": "1,2K"})
    >>> v.row["norm_text"], v.row["likes"], v.row["shares"], v.warnings
    ('Hòa bình', 0, 1200, [])
    """
    text = record.get("text")
    if text is None or (isinstance(text, str) and not text.strip()):
        raise RecordError(_("thiếu nội dung"))
    if not isinstance(text, str):
        raise RecordError(_("nội dung phải là chuỗi %(name)s", name=type(text).__name__))
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise RecordError(_("Unicode không hợp lệ")) from exc
    if size > MAX_TEXT_BYTES:
        raise RecordError(
            _(
                "nội dung quá dài: %(size)s bytes > %(max_text_bytes)s",
                size=f"{size:,}",
                max_text_bytes=f"{MAX_TEXT_BYTES:,}",
            ).replace(",", ".")
        )
    text = text.replace("\x00", "")  # PostgreSQL cannot store NUL; nothing else is touched
    norm = normalise(text)
    if not norm:
        raise RecordError(_("nội dung trống"))

    warnings: list[str] = []
    row: dict[str, Any] = {
        "text": text,
        "norm_text": norm,
        "content_hash": content_hash(norm, normalised=True),
    }
    for name in ("likes", "comments", "shares", "reactions"):
        try:
            row[name] = parse_count(record.get(name))
        except FieldError as exc:
            row[name] = 0
            warnings.append(f"{name}: {exc}")
    try:
        row["published_at"] = parse_datetime(record.get("published_at"))
    except FieldError as exc:
        row["published_at"] = None
        warnings.append(f"published_at: {exc}")
    row["external_id"] = _optional_str(record, "external_id", 120, warnings)
    if row["external_id"]:
        # A record with its own id is identified by (id, text): distinct posts that repeat the same
        # text are all kept (the engine collapses reposts into one story), while re-reading the same
        # export still stores nothing new. Without an id, the text alone identifies the record.
        key = f"{row['external_id']}\x1f{row['content_hash']}"
        row["content_hash"] = hashlib.sha256(key.encode("utf-8")).hexdigest()
    title = _optional_str(record, "title", MAX_TITLE_CHARS, warnings)
    row["title"] = (normalise(title) or None) if title else None
    url = _optional_str(record, "url", 2000, warnings)
    if url and not url.lower().startswith(("http://", "https://")):
        warnings.append(_("url: không phải http(s) (%(kind)s)", kind=_kind(url)))
        url = None
    row["url"] = url
    lang = record.get("lang")
    row["lang"] = (
        lang.strip().lower() if isinstance(lang, str) and _LANG.match(lang.strip().lower()) else "vi"
    )
    return Validated(row, warnings)


def _optional_str(record: dict[str, Any], name: str, max_len: int, warnings: list[str]) -> str | None:
    value = record.get(name)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = str(int(value)) if isinstance(value, int) or value.is_integer() else str(value)
    if not isinstance(value, str):
        warnings.append(_("%(name)s: kiểu sai", name=name, name2=type(value).__name__))
        return None
    value = value.strip().replace("\x00", "")
    if len(value) > max_len:
        warnings.append(_("%(name)s: quá dài", name=name, len=len(value), max_len=max_len))
        return None
    return value or None
