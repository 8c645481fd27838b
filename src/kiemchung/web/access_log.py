"""The app's own access log: what was asked and how it went, never who asked.

uvicorn's access log is switched off (``kiemchung serve``) because it records the client address
and the full URL: a tipster's IP, a scam look-up's ``?q=`` (phone numbers, accounts) and the
contact-deletion token in ``/gui-tin/xoa/<token>``. This one writes, on the logger
``kiemchung.access``::

    rid=3f9c0a1b2d4e5f60 GET /gui-tin/xoa/{token} 200 12.4ms

- a request id, also sent back as ``X-Request-ID`` so a user's report can be matched to a line;
- the matched route's template (``{token}``, ``{claim_id}``) instead of the concrete path, and no
  query string; an unmatched path keeps only segments that cannot be secrets;
- no client address, no user agent, no referrer.

>>> redact_path("/gui-tin/xoa/AbCdEfGhIjKlMnOpQrStUvWx")
'/gui-tin/xoa/…'
>>> redact_path("/desk/claims/12")
'/desk/claims/12'
"""

from __future__ import annotations

import logging
import re
import secrets
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("kiemchung.access")
_SAFE_SEGMENT = re.compile(r"^[\w.-]{0,40}$")
_SECRETISH = re.compile(r"[A-Za-z0-9_-]{16,}")


def redact_path(path: str) -> str:
    """A path with every segment that could carry a token or personal data replaced by ``…``."""
    out = []
    for seg in path.split("/"):
        if not _SAFE_SEGMENT.match(seg) or _SECRETISH.fullmatch(seg) or "@" in seg:
            out.append("…")
        else:
            out.append(seg)
    return "/".join(out)


def logged_path(scope: Scope) -> str:
    route = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str) and template:
        return str(scope.get("root_path", "")) + template
    return redact_path(str(scope.get("path", "")))


def ensure_handler() -> None:
    """Give the access log a stderr handler when logging is not configured (plain ``kiemchung serve``)."""
    if log.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s access %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


class AccessLog:
    """ASGI middleware writing one line per HTTP request (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        ensure_handler()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = rid
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "rid=%s %s %s %d %.1fms",
                rid,
                scope.get("method", "-"),
                logged_path(scope),
                status,
                (time.perf_counter() - start) * 1000,
            )
