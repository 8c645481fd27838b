"""CSRF tokens, per-client rate limiting and security headers.

CSRF: a random token lives in the signed session cookie; every state-changing form carries it
as ``csrf_token`` (or the ``X-CSRF-Token`` header for htmx), checked by ``require_csrf``.

    @router.post("/desk/x", dependencies=[Depends(require_csrf)])
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Receive, Scope, Send

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use). Empty when sessions are not installed."""
    if "session" not in request.scope:
        return ""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def require_csrf(request: Request) -> None:
    """Dependency: reject a state-changing request whose CSRF token is missing or wrong."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = request.session.get("csrf") if "session" in request.scope else None
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise HTTPException(
            status_code=403, detail="CSRF token missing or invalid (Phiên làm việc không hợp lệ)"
        )


class RateLimiter:
    """Sliding-window limit of ``limit`` requests per ``window`` seconds per key (client address).

    >>> rl = RateLimiter(limit=2, window=60)
    >>> [rl.hit("a", now=0), rl.hit("a", now=1), rl.hit("a", now=2), rl.hit("a", now=61)]
    [True, True, False, True]
    """

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            q = self._hits.setdefault(key, deque())
            while q and q[0] <= now - self.window:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(now)
            if len(self._hits) > 100_000:  # bound memory under a flood of distinct clients
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window}
            return True

    def exceeded(self, key: str, now: float | None = None) -> bool:
        """True when ``key`` has used up its window, without counting a hit.

        >>> rl = RateLimiter(limit=1, window=60)
        >>> rl.exceeded("a", now=0), rl.hit("a", now=0), rl.exceeded("a", now=1)
        (False, True, True)
        """
        now = time.monotonic() if now is None else now
        with self._lock:
            q = self._hits.get(key) or deque()
            return sum(1 for t in q if t > now - self.window) >= self.limit

    def retry_after(self, key: str, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        q = self._hits.get(key)
        return 1 if not q else max(1, int(q[0] + self.window - now) + 1)


def client_key(request: Request) -> str:
    """The client's address: the socket's, or the one a trusted proxy reported (``TrustedProxies``)."""
    return request.client.host if request.client else "unknown"


class TrustedProxies:
    """ASGI middleware: believe ``X-Forwarded-For``/``-Proto``/``-Host`` only from the configured proxies.

    uvicorn's own proxy handling is off (``kiemchung serve``): by default it trusts 127.0.0.1, so
    anyone able to reach the app directly on the loopback could pick their address by header and
    walk around every per-client limit. With ``trusted`` empty the headers are ignored.

    >>> mw = TrustedProxies(None, ["10.0.0.1"])  # type: ignore[arg-type]
    >>> mw.client_from("10.0.0.1", "203.0.113.9, 10.0.0.1"), mw.client_from("198.51.100.2", "1.2.3.4")
    ('203.0.113.9', None)
    """

    def __init__(self, app: ASGIApp, trusted: Iterable[str] = ()) -> None:
        self.app = app
        self.networks = [ipaddress.ip_network(t.strip(), strict=False) for t in trusted if t.strip()]

    def _trusted(self, host: str) -> bool:
        try:
            addr = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(addr in net for net in self.networks)

    def client_from(self, peer: str, forwarded_for: str) -> str | None:
        """The address the header names for a request from ``peer``; None when it is not believed."""
        if not self._trusted(peer):
            return None
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        # Walk from the right: the last hop not added by one of our own proxies is the client.
        for hop in reversed(hops):
            if not self._trusted(hop):
                return hop
        return hops[0] if hops else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.networks and scope.get("client"):
            peer = scope["client"][0]
            headers = dict(scope.get("headers") or [])
            client = self.client_from(peer, headers.get(b"x-forwarded-for", b"").decode("latin-1"))
            if client is not None:
                scope["client"] = (client, 0)
                proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").split(",")[0].strip()
                if proto in ("http", "https"):
                    scope["scheme"] = proto if scope["type"] == "http" else proto.replace("http", "ws")
                fwd_host = headers.get(b"x-forwarded-host", b"").split(b",")[0].strip()
                if fwd_host:  # the address the client asked for, used in absolute links
                    scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"host"] + [
                        (b"host", fwd_host)
                    ]
        await self.app(scope, receive, send)


@dataclass
class _PairState:
    failures: int = 0
    locks: int = 0
    locked_until: float = 0.0


class LoginGuard:
    """Failed desk logins per (account, client address), with a doubling lock for that pair only.

    Locking the account itself would let anyone who knows an editor's e-mail lock them out; here a
    stranger locks only their own address. Successful logins reset the pair and never count.

    >>> g = LoginGuard(max_failures=2, lockout_seconds=10)
    >>> g.failure("a@x.vn", "1.1.1.1", now=0), g.failure("a@x.vn", "1.1.1.1", now=1)
    (None, 11.0)
    >>> g.locked_until("a@x.vn", "1.1.1.1", now=5), g.locked_until("a@x.vn", "2.2.2.2", now=5)
    (11.0, None)
    >>> g.failure("a@x.vn", "1.1.1.1", now=12), g.failure("a@x.vn", "1.1.1.1", now=13)  # second lock: 20 s
    (None, 33.0)
    """

    MAX_LOCK_SECONDS = 86_400.0

    def __init__(self, max_failures: int, lockout_seconds: float) -> None:
        self.max_failures = max(1, max_failures)
        self.lockout_seconds = float(lockout_seconds)
        self._pairs: dict[tuple[str, str], _PairState] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(account: str, client: str) -> tuple[str, str]:
        return account.strip().lower(), client

    def locked_until(self, account: str, client: str, now: float | None = None) -> float | None:
        now = time.monotonic() if now is None else now
        with self._lock:
            st = self._pairs.get(self._key(account, client))
            return st.locked_until if st and st.locked_until > now else None

    def failure(self, account: str, client: str, now: float | None = None) -> float | None:
        """Count a failure; the end of the lock (monotonic seconds) when this one locks the pair."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._pairs) > 100_000:  # bound memory under a flood of made-up accounts
                self._pairs = {k: v for k, v in self._pairs.items() if v.locked_until > now}
            st = self._pairs.setdefault(self._key(account, client), _PairState())
            st.failures += 1
            if st.failures < self.max_failures:
                return None
            st.failures = 0
            st.locks += 1
            st.locked_until = now + min(self.MAX_LOCK_SECONDS, self.lockout_seconds * 2 ** (st.locks - 1))
            return st.locked_until

    def success(self, account: str, client: str) -> None:
        with self._lock:
            self._pairs.pop(self._key(account, client), None)


HSTS = "max-age=31536000; includeSubDomains"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
}
