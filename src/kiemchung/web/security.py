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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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
    """Moving-window limit of ``limit`` requests per ``window`` seconds per key, counted by ``limits``.

    The counters live in a ``limits`` storage: ``memory://`` (this process) by default, Redis when
    ``KIEMCHUNG_RATE_LIMIT_STORAGE``/``KIEMCHUNG_REDIS_URL`` is set, so N web processes enforce one
    limit. ``name`` keeps the budgets of different limits apart in one storage.

    >>> rl = RateLimiter(limit=2, window=60)
    >>> [rl.hit("a"), rl.hit("a"), rl.hit("a"), rl.hit("b")]
    [True, True, False, True]
    >>> rl.exceeded("a"), rl.exceeded("c"), 1 <= rl.retry_after("a") <= 61
    (True, False, True)
    """

    def __init__(
        self, limit: int, window: float = 60.0, *, name: str = "default", storage: str = "memory://"
    ) -> None:
        from limits import RateLimitItemPerSecond
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        self.limit = limit
        self.window = window
        self.name = name
        self.item = RateLimitItemPerSecond(max(1, limit), max(1, round(window)))
        options: dict[str, Any] = {}
        if storage.startswith(("redis://", "rediss://")):
            options["key_prefix"] = "kiemchung-limits"
        self.storage = storage_from_string(storage, **options)
        self.strategy = MovingWindowRateLimiter(self.storage)

    def hit(self, key: str) -> bool:
        """Count one request for ``key``; False when it is over the limit (not counted then)."""
        return bool(self.strategy.hit(self.item, self.name, key))

    def exceeded(self, key: str) -> bool:
        """True when ``key`` has used up its window, without counting a hit."""
        return not self.strategy.test(self.item, self.name, key)

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may send again (at least 1)."""
        stats = self.strategy.get_window_stats(self.item, self.name, key)
        return max(1, int(stats.reset_time - time.time()) + 1)


def app_limiter(app: Any, name: str, limit: int, window: float = 60.0) -> RateLimiter:
    """The application's limiter ``name`` (made on first use, in the configured storage).

    Each application object has its own limiters, so with ``memory://`` each (test) app counts on
    its own; with Redis every process and app shares one count per (namespace, name, client).
    """
    from kiemchung.settings import get_settings

    limiters: dict[str, RateLimiter] | None = getattr(app.state, "rate_limiters", None)
    if limiters is None:
        limiters = app.state.rate_limiters = {}
    limiter = limiters.get(name)
    if limiter is None:
        s = get_settings()
        limiter = RateLimiter(
            limit, window, name=f"{s.queue_name}:{name}", storage=s.resolved_rate_limit_storage
        )
        limiters[name] = limiter
    return limiter


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


class SharedLoginGuard(LoginGuard):
    """``LoginGuard`` whose counters and locks live in a ``limits`` storage (Redis): every web process
    sees the same failures and locks. Times given and returned are on the caller's clock (``now``,
    monotonic by default), like ``LoginGuard``'s; the storage keeps wall-clock expiries.
    """

    def __init__(self, max_failures: int, lockout_seconds: float, *, storage: str, namespace: str) -> None:
        from limits.storage import storage_from_string

        super().__init__(max_failures, lockout_seconds)
        options: dict[str, Any] = {}
        if storage.startswith(("redis://", "rediss://")):
            options["key_prefix"] = "kiemchung-limits"
        self.storage: Any = storage_from_string(storage, **options)
        self.namespace = namespace

    def _k(self, kind: str, account: str, client: str) -> str:
        acct, addr = self._key(account, client)
        return f"{self.namespace}:login:{kind}:{acct}:{addr}"

    def locked_until(self, account: str, client: str, now: float | None = None) -> float | None:
        now = time.monotonic() if now is None else now
        key = self._k("lock", account, client)
        if self.storage.get(key) <= 0:
            return None
        remaining = float(self.storage.get_expiry(key)) - time.time()
        return now + remaining if remaining > 0 else None

    def failure(self, account: str, client: str, now: float | None = None) -> float | None:
        now = time.monotonic() if now is None else now
        window = max(1, int(self.lockout_seconds))
        if self.storage.incr(self._k("fail", account, client), window) < self.max_failures:
            return None
        self.storage.clear(self._k("fail", account, client))
        locks = self.storage.incr(self._k("locks", account, client), int(self.MAX_LOCK_SECONDS))
        seconds = min(self.MAX_LOCK_SECONDS, self.lockout_seconds * 2 ** (locks - 1))
        lock = self._k("lock", account, client)
        self.storage.clear(lock)
        self.storage.incr(lock, max(1, round(seconds)))
        return now + seconds

    def success(self, account: str, client: str) -> None:
        for kind in ("fail", "locks", "lock"):
            self.storage.clear(self._k(kind, account, client))


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
