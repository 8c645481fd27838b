"""The public routes' POST rate limit (their session is ``kiemchung.web.deps.SessionDep``), and
the "Không phải điều tôi hỏi" step the tip page and the API share.

The limiters live on ``app.state`` (``web.security.app_limiter``): with the default ``memory://``
storage each application instance (and each test's fresh app) counts on its own; with Redis every
process shares one count. ``settings.rate_limit_per_minute`` is read when the app first needs it.
"""

from __future__ import annotations

from fastapi import BackgroundTasks, HTTPException, Request
from sqlalchemy.orm import Session

from kiemchung.public.tipline import NotAnswerable, find_tip, mark_not_answered, process_tip_queue
from kiemchung.settings import get_settings
from kiemchung.store.models import Tip
from kiemchung.web.i18n import _
from kiemchung.web.security import RateLimiter, app_limiter, client_key


def _limiter(request: Request) -> RateLimiter:
    return app_limiter(request.app, "public-post", get_settings().rate_limit_per_minute)


def rate_limit(request: Request) -> None:
    """Dependency for public POST endpoints: 429 with Retry-After once a client exceeds the limit."""
    _enforce(_limiter(request), client_key(request))


def lookup_rate_limit(request: Request) -> None:
    """Dependency for the scam look-up (page and API): its own per-client budget.

    The empty form (no ``q``) is free: only look-ups count.
    """
    if not request.query_params.get("q", "").strip():
        return
    limiter = app_limiter(request.app, "lookup", get_settings().lookup_rate_limit_per_minute)
    _enforce(limiter, client_key(request))


def _enforce(limiter: RateLimiter, key: str) -> None:
    if not limiter.hit(key):
        wait = limiter.retry_after(key)
        raise HTTPException(
            status_code=429,
            detail=_("Bạn gửi quá nhanh, vui lòng thử lại sau %(wait)s giây", wait=wait),
            headers={"Retry-After": str(wait)},
        )


def not_my_question(session: Session, token: str, background: BackgroundTasks) -> Tip:
    """The tip behind ``token`` sent to the desk as missed (404 unknown, 409 never answered)."""
    tip = find_tip(session, token)
    if tip is None:
        raise HTTPException(404, _("Không tìm thấy tin"))
    try:
        changed = mark_not_answered(session, tip)
    except NotAnswerable as exc:
        raise HTTPException(409, str(exc)) from exc
    if changed:  # SessionDep commits before background tasks run
        background.add_task(process_tip_queue)
    return tip
