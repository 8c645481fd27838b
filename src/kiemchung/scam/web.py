"""Public scam look-up: ``GET /kiem-tra`` (HTML form and result) and ``GET /api/v1/scam/check?q=``.

app.include_router(kiemchung.scam.web.router)
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse

from kiemchung.public.deps import lookup_rate_limit
from kiemchung.scam.lookup import CheckResult, check
from kiemchung.web.deps import SessionDep
from kiemchung.web.i18n import N_, label

router = APIRouter()
MAX_Q = 2000

VERDICT_TEXT = {
    "scam": N_("Lừa đảo"),
    "suspicious": N_("Đáng ngờ"),
    "ok": N_("Kênh chính thức"),
    "unknown": N_("Chưa rõ"),
}


class Provenance(BaseModel):
    feed: str
    url: str | None = None
    fetched_at: str | None = None
    licence: str | None = None
    reason: str | None = Field(None, description="Why an editor listed it (entries added by the desk)")


class CheckOut(BaseModel):
    input: str
    kind: str = Field(description="url | domain | phone | bank_account | ewallet | text | empty")
    verdict: str = Field(description="scam | suspicious | ok | unknown")
    score: float = Field(ge=0, le=1)
    reasons: list[str]
    provenance: list[Provenance]


def _run(q: str, db: Session) -> CheckResult:
    from kiemchung.scam.blocklist import database_ready

    # Without a database (a fresh install) the bundled lists and the registry seed still answer.
    return check(q, db) if database_ready() else check(q)


@router.get(
    "/api/v1/scam/check",
    response_model=CheckOut,
    tags=["scam"],
    dependencies=[Depends(lookup_rate_limit)],
    responses={429: {"description": "Too many look-ups from this client (Retry-After)"}},
)
def api_check(
    db: SessionDep,
    q: str = Query(..., min_length=1, max_length=MAX_Q, description="Link, domain, phone, account or text"),
) -> dict[str, Any]:
    """Check a link, domain, phone number, account number or message for scams."""
    # Plain ``def`` handlers here: the look-up (database, fuzzy matching) runs in a worker thread.
    r = _run(q, db)
    d = r.to_dict()
    d.pop("indicators", None)
    d["reasons"] = [label(reason) for reason in r.reasons]  # in the request's language
    d["provenance"] = [
        {k: (str(v) if v is not None else None) for k, v in p.items() if k in Provenance.model_fields}
        for p in r.provenance
    ]
    return d


@router.get(
    "/kiem-tra",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(lookup_rate_limit)],
)
def page_check(request: Request, db: SessionDep, q: str = Query("", max_length=MAX_Q)) -> HTMLResponse:
    from kiemchung.web.templating import render

    result = _run(q, db) if q.strip() else None
    return render(request, "scam/check.html", {"q": q, "result": result, "verdict_text": VERDICT_TEXT})
