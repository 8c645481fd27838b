"""User-interface language (Vietnamese first, English second) and Vietnamese formats.

    >>> fmt_number(1234567.5)
    '1.234.567,5'
    >>> from datetime import datetime
    >>> fmt_date(datetime(2026, 11, 24, 9, 5))       # stored times are UTC, shown in Vietnam time
    '24/11/2026'
    >>> fmt_datetime(datetime(2026, 11, 24, 9, 5))
    '16:05, 24/11/2026'
    >>> translate("nav.home", "en")
    'Home'

Packages add their own strings with ``register({"key": ("tiếng Việt", "English")})`` at import
time; templates call ``_("key")``. An unknown key renders as the key itself, so a missing
translation is visible rather than silently blank.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")
_CATALOG: dict[str, tuple[str, str]] = {}


def register(entries: dict[str, tuple[str, str]]) -> None:
    """Add (vi, en) strings to the catalogue."""
    _CATALOG.update(entries)


def translate(key: str, lang: str = "vi", **kwargs: object) -> str:
    pair = _CATALOG.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**kwargs) if kwargs else text


def request_lang(request: Request, default: str = "vi") -> Lang:
    """Language from ``?lang=``, then the ``lang`` cookie, then the configured default."""
    for candidate in (request.query_params.get("lang"), request.cookies.get("lang"), default):
        if candidate in LANGS:
            return candidate  # type: ignore[return-value]
    return "vi"


def fmt_number(value: float | int | None, decimals: int | None = None) -> str:
    """Vietnamese number format: '.' groups thousands, ',' marks decimals."""
    if value is None:
        return "—"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    s = f"{value:,.{decimals}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def fmt_percent(value: float | None, decimals: int = 0) -> str:
    return "—" if value is None else f"{fmt_number(value * 100, decimals)}%"


def to_local(value: datetime) -> datetime:
    """A stored time (naive UTC) in the display time zone (``KIEMCHUNG_TIMEZONE``)."""
    from kiemchung.settings import get_settings

    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(_zone(get_settings().timezone))


@lru_cache(maxsize=8)
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # Vietnam keeps UTC+7 all year; used when the system has no time-zone database
        return timezone(timedelta(hours=7), "ICT")


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    return (to_local(value) if isinstance(value, datetime) else value).strftime("%d/%m/%Y")


def fmt_datetime(value: datetime | None) -> str:
    return "—" if value is None else to_local(value).strftime("%H:%M, %d/%m/%Y")


register(
    {
        "site.tagline": ("Kiểm chứng thông tin, cảnh báo lừa đảo", "Fact-checks and scam warnings"),
        "nav.home": ("Trang chủ", "Home"),
        "nav.factchecks": ("Bài kiểm chứng", "Fact-checks"),
        "nav.topics": ("Chủ đề", "Topics"),
        "nav.search": ("Tìm kiếm", "Search"),
        "nav.tip": ("Gửi tin cần kiểm chứng", "Send a tip"),
        "nav.scam": ("Kiểm tra lừa đảo", "Scam check"),
        "nav.desk": ("Bàn biên tập", "Editors' desk"),
        "nav.about": ("Giới thiệu", "About"),
        "nav.methodology": ("Phương pháp", "Methodology"),
        "nav.corrections": ("Đính chính", "Corrections"),
        "nav.api": ("API", "API"),
        "nav.skip": ("Bỏ qua, tới nội dung", "Skip to content"),
        "lang.switch": ("English", "Tiếng Việt"),
        "footer.principle": (
            "Chúng tôi kiểm chứng nhận định, không theo dõi con người.",
            "We check claims, not people.",
        ),
        "footer.feeds": ("Theo dõi qua RSS / Atom", "Subscribe via RSS / Atom"),
        "error.404.title": ("Không tìm thấy trang", "Page not found"),
        "error.404.body": (
            "Trang hoặc mục bạn tìm không tồn tại hoặc đã bị gỡ.",
            "The page or record you asked for does not exist or was removed.",
        ),
        "error.403.title": ("Không có quyền truy cập", "Access denied"),
        "error.403.body": (
            "Tài khoản của bạn không có quyền thực hiện thao tác này.",
            "Your role may not do this.",
        ),
        "error.413.title": ("Tệp hoặc nội dung quá lớn", "Upload too large"),
        "error.413.body": (
            "Nội dung gửi lên vượt quá giới hạn cho phép.",
            "The request exceeds the size limit.",
        ),
        "error.429.title": ("Quá nhiều yêu cầu", "Too many requests"),
        "error.429.body": (
            "Bạn gửi quá nhanh. Vui lòng thử lại sau ít phút.",
            "Slow down and try again shortly.",
        ),
        "error.500.title": ("Đã xảy ra lỗi", "Something went wrong"),
        "error.500.body": (
            "Máy chủ gặp sự cố. Chúng tôi đã ghi nhận, vui lòng thử lại.",
            "The server hit an error. It has been logged; please try again.",
        ),
        "error.generic.title": ("Yêu cầu không hợp lệ", "Bad request"),
        "error.back_home": ("Về trang chủ", "Back to the home page"),
    }
)
