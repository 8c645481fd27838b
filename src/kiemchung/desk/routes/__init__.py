"""The editors' desk under ``/desk/``: one router per resource, each a thin layer over a service.

Every route declares the roles it allows (``kiemchung.web.deps``): viewers read; editors write,
edit and submit; reviewers also review, approve, publish and retract; admins also manage users
and read the audit log. Unauthenticated requests are sent to ``/desk/login?next=...`` (303);
state-changing requests must carry the session's CSRF token. Each request is one transaction,
committed by the session dependency when the handler returns.
"""

from __future__ import annotations

from fastapi import APIRouter

from kiemchung.desk.routes import (
    accounts,
    audit,
    channels,
    claims,
    factchecks,
    feeds,
    incidents,
    indicators,
    jobs,
    library,
    queue,
    sources,
)

router = APIRouter()
# Order matters where paths overlap: /claims/rows before /claims/{id}, /fact-checks/new before
# /fact-checks/{id}, /library/pick before /library/{id}.
for module in (
    accounts,
    queue,
    claims,
    factchecks,
    library,
    audit,
    indicators,
    sources,
    feeds,
    incidents,
    channels,
    jobs,
):
    router.include_router(module.router)

__all__ = ["router"]
