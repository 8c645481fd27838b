"""Absolute links: from ``KIEMCHUNG_BASE_URL`` when set, else from the request being answered.

Every absolute address the app writes (canonical link, RSS/Atom, sitemap, ClaimReview, tip delete
and status links, scam warnings, the about page) goes through :func:`absolute_url`. With the setting
empty, an ASGI middleware records each request's scheme and host (the ``Host`` header, and the
``X-Forwarded-Host``/``-Proto`` of a trusted proxy, already applied by ``TrustedProxies``), so
``kiemchung serve --port 8100`` links to port 8100 with no other setting. Outside a request (the CLI,
the worker) the fallback is ``http://<KIEMCHUNG_HOST>:<KIEMCHUNG_PORT>``.

    >>> from kiemchung.settings import Settings
    >>> base_url(Settings(base_url="https://kiemchung.example/"))
    'https://kiemchung.example'
    >>> base_url(Settings(base_url="", host="0.0.0.0", port=8100))
    'http://127.0.0.1:8100'
    >>> token = _REQUEST_BASE.set("http://desk.example:8100")
    >>> absolute_url("/feed.xml", Settings(base_url=""))
    'http://desk.example:8100/feed.xml'
    >>> _REQUEST_BASE.reset(token)
"""

from __future__ import annotations

import re
from contextvars import ContextVar

from starlette.types import ASGIApp, Receive, Scope, Send

from kiemchung.settings import Settings, get_settings

_REQUEST_BASE: ContextVar[str | None] = ContextVar("kiemchung_request_base", default=None)
# A Host header is a name or an address with an optional port; anything else is not used in links.
_HOST = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$")


def base_url(settings: Settings | None = None) -> str:
    """The site's address without a trailing slash."""
    settings = settings or get_settings()
    if settings.base_url:
        return settings.base_url.rstrip("/")
    current = _REQUEST_BASE.get()
    if current:
        return current
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    return f"http://{host}:{settings.port}"


def absolute_url(path: str, settings: Settings | None = None) -> str:
    return base_url(settings) + path


def org_url(settings: Settings | None = None) -> str:
    """The publishing organisation's page: ``KIEMCHUNG_ORG_URL``, else this site's about page."""
    settings = settings or get_settings()
    return settings.org_url or absolute_url("/gioi-thieu", settings)


def request_base(scheme: str, host_header: str, server: tuple[str, int] | None) -> str | None:
    """The base URL a request was made to, or None when its Host header is not a plain host.

    >>> request_base("http", "localhost:8100", None)
    'http://localhost:8100'
    >>> request_base("https", "evil.example/x?", ("127.0.0.1", 8000)) is None
    True
    >>> request_base("http", "", ("127.0.0.1", 8100))
    'http://127.0.0.1:8100'
    """
    host = host_header.strip()
    if not host and server:
        host = f"{server[0]}:{server[1]}"
    if not host or not _HOST.match(host):
        return None
    default = {"http": ":80", "https": ":443"}.get(scheme)
    if default and host.endswith(default):
        host = host.removesuffix(default)
    return f"{scheme}://{host}"


class RequestBaseURL:
    """ASGI middleware: remember this request's base URL for :func:`absolute_url`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        base = request_base(
            scope.get("scheme", "http"), headers.get(b"host", b"").decode("latin-1"), scope.get("server")
        )
        token = _REQUEST_BASE.set(base)
        try:
            await self.app(scope, receive, send)
        finally:
            _REQUEST_BASE.reset(token)
