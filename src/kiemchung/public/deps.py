"""The public routes' POST rate limit (their session is ``kiemchung.web.deps.SessionDep``).

The limiter lives on ``app.state`` so each application instance (and each test's fresh app)
counts on its own, with ``settings.rate_limit_per_minute`` read when the app first needs it.
"""

from __future__ import annotations

from fastapi import HTTPException, Request

from kiemchung.settings import get_settings
from kiemchung.web.security import RateLimiter, client_key


def _limiter(request: Request) -> RateLimiter:
    limiter = getattr(request.app.state, "public_post_limiter", None)
    if limiter is None:
        limiter = RateLimiter(limit=get_settings().rate_limit_per_minute, window=60.0)
        request.app.state.public_post_limiter = limiter
    return limiter


def rate_limit(request: Request) -> None:
    """Dependency for public POST endpoints: 429 with Retry-After once a client exceeds the limit."""
    _enforce(_limiter(request), client_key(request))


def lookup_rate_limit(request: Request) -> None:
    """Dependency for the scam look-up (page and API): its own per-client budget.

    The empty form (no ``q``) is free: only look-ups count.
    """
    if not request.query_params.get("q", "").strip():
        return
    limiter = getattr(request.app.state, "public_lookup_limiter", None)
    if limiter is None:
        limiter = RateLimiter(limit=get_settings().lookup_rate_limit_per_minute, window=60.0)
        request.app.state.public_lookup_limiter = limiter
    _enforce(limiter, client_key(request))


def _enforce(limiter: RateLimiter, key: str) -> None:
    if not limiter.hit(key):
        wait = limiter.retry_after(key)
        raise HTTPException(
            status_code=429,
            detail=f"Bạn gửi quá nhanh, vui lòng thử lại sau {wait} giây / "
            f"Too many requests, please retry in {wait} s",
            headers={"Retry-After": str(wait)},
        )
