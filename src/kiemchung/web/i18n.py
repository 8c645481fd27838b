"""User-interface language (Vietnamese first, English second) and Vietnamese formats.

One translation mechanism everywhere: gettext catalogues managed with Babel. The Vietnamese text
is the message id (the source of truth); ``locale/en/LC_MESSAGES/messages.po`` holds its English,
``locale/vi/LC_MESSAGES/messages.po`` the same ids (an empty translation means "the id itself").
Python, Jinja templates and htmx fragments all call the same ``_()`` and ``ngettext()``, in the
language of the current request (:func:`request_lang`, set per request by :class:`LanguageMiddleware`
and by ``render``)::

    >>> with use_lang("en"):
    ...     _("Trang chủ"), _("Chủ đề: %(name)s", name="Y tế")
    ('Home', 'Topic: Y tế')
    >>> with use_lang("vi"):
    ...     ngettext("%(num)s bài", "%(num)s bài", 3)
    '3 bài'
    >>> with use_lang("en"):
    ...     ngettext("%(num)s bài", "%(num)s bài", 1), ngettext("%(num)s bài", "%(num)s bài", 3)
    ('1 fact-check', '3 fact-checks')

A message id that must be translated later (a module-level label, a flash message kept in the
session, an error message carried by an exception) is marked with ``N_()``, which returns it
unchanged; it is translated with ``_()`` when shown. Message ids use Python's ``%(name)s``
placeholders, so a literal per cent sign is written ``%%``. An id missing from a catalogue shows
as itself (the Vietnamese), never blank; ``tests/web/test_web_i18n_catalogue.py`` fails on any.

The catalogues are read from the ``.po`` files with Babel once per process (no compiled ``.mo``
to go stale): edit a ``.po``, restart, and the text changes.

    >>> fmt_number(1234567.5)
    '1.234.567,5'
    >>> from datetime import datetime
    >>> fmt_date(datetime(2026, 11, 24, 9, 5))       # stored times are UTC, shown in Vietnam time
    '24/11/2026'
    >>> fmt_datetime(datetime(2026, 11, 24, 9, 5))
    '16:05, 24/11/2026'
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"

_current: ContextVar[str | None] = ContextVar("kiemchung_lang", default=None)


# ---------------------------------------------------------------- catalogues


@lru_cache(maxsize=len(LANGS))
def translations(lang: str) -> _gettext.NullTranslations:
    """The catalogue of ``lang``, read from its ``.po`` with Babel (cached for the process).

    >>> translations("en").gettext("Tìm kiếm")
    'Search'
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang not in LANGS or not po.is_file():
        return _gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


def current_lang() -> Lang:
    """The language of the current request; outside a request, the configured default."""
    lang = _current.get()
    if lang is None:
        from kiemchung.settings import get_settings

        lang = get_settings().default_lang
    return "en" if lang == "en" else "vi"


def set_lang(lang: str) -> None:
    """Make ``lang`` the language of the rest of this request (or task)."""
    _current.set("en" if lang == "en" else "vi")


@contextmanager
def use_lang(lang: str) -> Iterator[None]:
    """Translate in ``lang`` inside the block (a background job, an e-mail, a test)."""
    token = _current.set("en" if lang == "en" else "vi")
    try:
        yield
    finally:
        _current.reset(token)


def _format(text: str, params: Mapping[str, Any]) -> str:
    if params:
        return text % params
    return text.replace("%%", "%")


def _(message: str, **params: Any) -> str:
    """The translation of the message id ``message`` in the current language, formatted."""
    return _format(translations(current_lang()).gettext(message), params)


gettext = _


def ngettext(singular: str, plural: str, num: int, **params: Any) -> str:
    """Singular or plural by ``num`` (available to the text as ``%(num)d``)."""
    return translations(current_lang()).ngettext(singular, plural, num) % {"num": num, **params}


def N_(message: str) -> str:
    """Mark a message id for extraction without translating it yet (translated when shown)."""
    return message


class Message(str):
    """A message id and its parameters that reads as its Vietnamese text and translates when shown.

    What the engine and the scam checks produce (reasons) is data: cached, stored, compared. It
    stays a ``str`` (the Vietnamese, the source of truth) and keeps what it needs to be shown in
    another language later:

    >>> m = lazy_gettext("Đuôi tên miền .%(tld)s thường bị dùng cho trang lừa đảo", tld="top")
    >>> m, translate_in("en", m)
    ('Đuôi tên miền .top thường bị dùng cho trang lừa đảo', 'The .top ending is widely abused by scam sites')
    >>> translate_in("en", Message.concat("example.top: ", m))
    'example.top: The .top ending is widely abused by scam sites'
    """

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: Mapping[str, Any] | None = None) -> Message:
        params = dict(params or {})
        vi = {k: str(v) for k, v in params.items()}
        self = super().__new__(cls, _format(msgid, vi))
        self.msgid, self.params = msgid, params
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pickling and copying keep the message id
        return (Message, (self.msgid, self.params))

    @classmethod
    def concat(cls, *parts: str) -> Message:
        """Plain text and messages side by side, each part translated on its own."""
        msgid = "".join(f"%(p{i})s" for i in range(len(parts)))
        return cls(msgid, {f"p{i}": p for i, p in enumerate(parts)})

    def translated(self) -> str:
        """The text in the current language."""
        params = {k: v.translated() if isinstance(v, Message) else v for k, v in self.params.items()}
        return _(self.msgid, **params)


def lazy_gettext(message: str, **params: Any) -> Message:
    """Mark ``message`` for extraction; translate when shown (see :class:`Message`)."""
    return Message(message, params)


def translate_in(lang: str, message: str, **params: Any) -> str:
    """The translation of ``message`` in ``lang`` whatever the current request's language."""
    with use_lang(lang):
        return label(message) if not params else _(message, **params)


def in_languages(message: str, **params: Any) -> dict[str, str]:
    """``{"vi": ..., "en": ...}``: for data kept in every language (a stored answer, the JSON API).

    >>> in_languages("Trang chủ")
    {'vi': 'Trang chủ', 'en': 'Home'}
    """
    return {lang: translate_in(lang, message, **params) for lang in LANGS}


def label(value: str | tuple[str, str]) -> str:
    """A message id, a :class:`Message` (or a legacy ``(vi, en)`` pair) in the current language.

    >>> with use_lang("en"):
    ...     label("Bản nháp")
    'Draft'
    """
    if isinstance(value, Message):
        return value.translated()
    return _(value[0] if isinstance(value, tuple) else value)


# ---------------------------------------------------------------- the request's language


def request_lang(request: Request, default: str = "vi") -> Lang:
    """Language from ``?lang=``, then the ``lang`` cookie, then the configured default."""
    for candidate in (request.query_params.get("lang"), request.cookies.get("lang"), default):
        if candidate in LANGS:
            return candidate  # type: ignore[return-value]
    return "vi"


class LanguageMiddleware:
    """Sets the language of each request before any handler or template runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from kiemchung.settings import get_settings

        token = _current.set(request_lang(Request(scope), get_settings().default_lang))
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)


# ---------------------------------------------------------------- Vietnamese formats


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
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(local_zone())


def local_zone() -> tzinfo:
    """The display time zone (``KIEMCHUNG_TIMEZONE``): days and months are counted on its clock."""
    from kiemchung.settings import get_settings

    return _zone(get_settings().timezone)


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
