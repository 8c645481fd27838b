"""The public JSON API under ``/api/v1`` (documented at ``/api/v1/docs``).

GET  /api/v1/fact-checks?q=nuoc chanh&verdict=false&page=1&per_page=20
GET  /api/v1/fact-checks/{id}
POST /api/v1/match   {"text": "..."}
POST /api/v1/tips    {"text": "...", "channel": "zalo", "contact": "...", "want_reply": true}
                     a picture: {"image_base64": "...", ...} or multipart/form-data with an ``image`` file
GET  /api/v1/tips/{token}                 where the tip stands (token from the tip's ``status_url``)
POST /api/v1/tips/{token}/not-answered    "not what I asked": the tip goes to the desk
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from kiemchung.public import queries
from kiemchung.public.deps import not_my_question, rate_limit
from kiemchung.public.tipline import (
    MAX_CONTACT_CHARS,
    MAX_TIP_CHARS,
    PRIVACY_NOTICE_EN,
    PRIVACY_NOTICE_VI,
    SCAM_ADVICE,
    TipRejected,
    TipResult,
    find_tip,
    handle_tip,
    process_tip_queue,
)
from kiemchung.public.tipstatus import tip_view
from kiemchung.store.models import FactCheck, FactCheckStatus, Verdict
from kiemchung.web.deps import SessionDep
from kiemchung.web.i18n import N_, _

router = APIRouter(prefix="/api/v1", tags=["public"])


class ErrorBody(BaseModel):
    code: str = Field(description="Machine-readable code, e.g. `not_found`, `rate_limited`.")
    message: str = Field(description="Human-readable message, Vietnamese / English.")


class ErrorResponse(BaseModel):
    error: ErrorBody


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": N_("Không tìm thấy")},
    422: {"model": ErrorResponse, "description": N_("Dữ liệu không hợp lệ")},
}
POST_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorResponse, "description": N_("Nội dung quá lớn")},
    422: ERRORS[422],
    429: {
        "model": ErrorResponse,
        "description": N_("Quá nhiều yêu cầu; xem header Retry-After"),
    },
}


class FactCheckOut(BaseModel):
    id: int = Field(description="Stable numeric id.")
    slug: str
    claim_reviewed: str = Field(description="The claim as reviewed (short form).")
    verdict: Verdict
    verdict_label: str = Field(description="Verdict in Vietnamese, e.g. `Sai`.")
    verdict_label_en: str
    rating_value: int = Field(ge=1, le=5, description="ClaimReview rating, 1 (worst) .. 5 (best).")
    summary: str
    topics: list[str]
    published_at: datetime | None = Field(description="ISO 8601, UTC.")
    updated_at: datetime | None
    url: str = Field(description="Absolute URL of the public page.")


class FactCheckPage(BaseModel):
    items: list[FactCheckOut]
    page: int
    per_page: int
    total: int


class MatchIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"text": "Uống nước chanh nóng chữa ung thư"}]})
    text: str = Field(min_length=1, max_length=MAX_TIP_CHARS, description="Text of a post or message.")


class MatchCandidate(BaseModel):
    id: int
    score: float
    fact_check: FactCheckOut


class MatchOut(BaseModel):
    results: list[MatchCandidate]
    answer: int | None = Field(description="Id of the fact-check that answers the text, if confident.")
    suggest: int | None = Field(description="Id of a likely related fact-check (weaker than `answer`).")
    confidence: float


MAX_IMAGE_B64 = 14_000_000  # base64 of a 10 MB picture (the request-size setting may be lower)


class TipIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"text": "Có tin nhắn báo trúng thưởng, bảo bấm link vcb-hotro.com"}]}
    )
    text: str = Field(
        "", max_length=MAX_TIP_CHARS, description="The message to check (may be empty with an image)."
    )
    channel: str | None = Field(
        None, max_length=40, description="Where it came from: web, zalo, messenger ..."
    )
    contact: str | None = Field(
        None,
        max_length=MAX_CONTACT_CHARS,
        description="Reply address; stored only when `want_reply` is true.",
    )
    want_reply: bool = Field(False, description="Keep `contact` (stored apart, deletable) to reply later.")
    image_base64: str | None = Field(
        None,
        max_length=MAX_IMAGE_B64,
        description="A screenshot or picture (JPEG, PNG, WebP, GIF), base64; its text is read by OCR and "
        "it is matched like typed text. Metadata (GPS, camera, author) is removed before storage.",
    )


class ScamOut(BaseModel):
    verdict: str = Field(description="scam | suspicious")
    kind: str
    score: float
    headline: str = Field(description="The verdict in words, Vietnamese.")
    advice: str = Field(description="What to do, Vietnamese.")
    reasons: list[str] = Field(description="Short reasons, Vietnamese; phones as 0987 654 321.")
    reasons_en: list[str]


class TipOut(BaseModel):
    status: Literal["answered", "warned", "received"]
    tip_id: int | None
    fact_check: FactCheckOut | None = Field(description="The fact-check that answers the tip (automatic).")
    suggestion: FactCheckOut | None = Field(
        None,
        description="A close fact-check that is *not* an answer: show it as “Có thể liên quan” only.",
    )
    scam: ScamOut | None
    message: str = Field(description="Vietnamese reply a chatbot can relay as is.")
    status_url: str | None = Field(None, description="Public status page of the tip (keep it to follow up).")
    not_my_question_url: str | None = Field(
        None,
        description="For automatic answers: POST here when the answer is not what was asked "
        "(“Không phải điều tôi hỏi”); the tip then goes to the desk.",
    )
    delete_url: str | None = Field(None, description="Where the tipster can delete their contact details.")
    contact_ignored: bool = Field(
        False,
        description="A `contact` came without `want_reply: true`, so it was not stored: ask the sender "
        "whether they want a reply and resend with `want_reply`.",
    )
    ocr_confidence: float | None = Field(
        None, description="For a picture: mean confidence (0–1) of the text read from it; null if unread."
    )


class TipStatusOut(BaseModel):
    status: Literal["received", "in_progress", "answered", "warned", "closed"] = Field(
        description="received (waiting for the desk) | in_progress (being checked) | answered | warned | closed"
    )
    status_label: str = Field(description="The status in Vietnamese.")
    status_label_en: str
    status_url: str
    received_at: datetime
    url: str | None = Field(description="The fact-check's public page, once one answers the tip.")
    fact_check_id: int | None
    suggest_url: str | None = Field(description="A possibly related fact-check (not an answer).")
    not_my_question_url: str | None
    wants_reply: bool = Field(description="A reply will be sent to the contact left with the tip.")


def _fc_out(fc: FactCheck) -> FactCheckOut:
    return FactCheckOut(**queries.fact_check_dict(fc))


def _scam_out(result: TipResult) -> ScamOut | None:
    w, scam = result.warning, result.scam
    if w is None or scam is None:
        return None
    return ScamOut(
        verdict=str(w["verdict"]),
        kind=str(getattr(scam, "kind", "") or ""),
        score=float(getattr(scam, "score", 0.0) or 0.0),
        headline=w["headline"]["vi"],
        advice=SCAM_ADVICE["vi"],
        reasons=list(w["reasons"]["vi"]),
        reasons_en=list(w["reasons"]["en"]),
    )


def tip_out(result: TipResult) -> TipOut:
    return TipOut(
        status=result.status,  # type: ignore[arg-type]
        tip_id=result.tip_id,
        fact_check=_fc_out(result.fact_check) if result.fact_check is not None else None,
        suggestion=_fc_out(result.suggestion) if result.suggestion is not None else None,
        scam=_scam_out(result),
        message=result.message,
        status_url=result.status_url,
        not_my_question_url=result.not_my_question_url,
        delete_url=result.delete_url,
    )


@router.get("/fact-checks", response_model=FactCheckPage, responses={422: ERRORS[422]})
def list_fact_checks(
    session: SessionDep,
    q: str | None = Query(None, max_length=500, description="Search text; diacritics optional."),
    topic: str | None = Query(None, max_length=200, description="Topic name or its slug."),
    verdict: Verdict | None = Query(None),
    page: int = Query(1, ge=1, le=100_000),
    per_page: int = Query(20, ge=1, le=100),
) -> FactCheckPage:
    """Published fact-checks, newest first; with `q`, best match first."""
    if q and q.strip():
        hits = queries.search(session, q, verdict=verdict, topic=topic)
        chunk = hits[(page - 1) * per_page : page * per_page]
        return FactCheckPage(items=[_fc_out(f) for f in chunk], page=page, per_page=per_page, total=len(hits))
    result = queries.list_page(session, verdict=verdict, topic=topic, page=page, per_page=per_page)
    return FactCheckPage(
        items=[_fc_out(f) for f in result.items], page=page, per_page=per_page, total=result.total
    )


@router.get("/fact-checks/{fc_id}", response_model=FactCheckOut, responses=ERRORS)
def get_fact_check(
    session: SessionDep,
    fc_id: int = Path(ge=1, le=2**31 - 1, description="Fact-check id."),
) -> FactCheckOut:
    """One published fact-check."""
    fc = session.scalars(
        select(FactCheck).where(FactCheck.id == fc_id, FactCheck.status == FactCheckStatus.published)
    ).first()
    if fc is None:
        raise HTTPException(404, _("Không tìm thấy bài kiểm chứng"))
    return _fc_out(fc)


@router.post("/match", response_model=MatchOut, responses=POST_ERRORS, dependencies=[Depends(rate_limit)])
def match(body: MatchIn, session: SessionDep) -> MatchOut:
    """Rank published fact-checks against a text, with the engine's answer/suggest decision."""
    if not body.text.strip():
        raise HTTPException(422, _("Nội dung trống"))
    from kiemchung.engine.index import get_index  # the index loads lazily, on the first match

    m = get_index().match_fact_checks([body.text], top=10)[0]
    ids = [int(c.id) for c in m.results]
    live = {
        fc.id: fc
        for fc in session.scalars(
            select(FactCheck).where(FactCheck.id.in_(ids), FactCheck.status == FactCheckStatus.published)
        )
    }

    def live_id(x: str | None) -> int | None:
        return int(x) if x is not None and int(x) in live else None

    return MatchOut(
        results=[
            MatchCandidate(id=int(c.id), score=float(c.score), fact_check=_fc_out(live[int(c.id)]))
            for c in m.results
            if int(c.id) in live
        ],
        answer=live_id(m.answer),
        suggest=live_id(m.suggest),
        confidence=float(m.confidence),
    )


@router.post(
    "/tips",
    response_model=TipOut,
    responses=POST_ERRORS,
    dependencies=[Depends(rate_limit)],
    description=(
        "Gửi một tin cần kiểm chứng (web, Zalo OA, Messenger ...). Trả lời ngay khi đã có bài kiểm chứng "
        "(`answered`), cảnh báo khi có dấu hiệu lừa đảo (`warned`), nếu không thì chuyển tới bàn biên "
        "tập (`received`).\n\nSend a tip; answered at once when a published fact-check matches, "
        "warned when scam indicators are found, otherwise queued for the desk.\n\n"
        f"**Quyền riêng tư.** {PRIVACY_NOTICE_VI}\n\n**Privacy.** {PRIVACY_NOTICE_EN}"
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": TipIn.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "image": {"type": "string", "format": "binary"},
                            "text": {"type": "string", "maxLength": MAX_TIP_CHARS},
                            "channel": {"type": "string", "maxLength": 40},
                            "contact": {"type": "string", "maxLength": MAX_CONTACT_CHARS},
                            "want_reply": {"type": "boolean"},
                        },
                    }
                },
            },
        }
    },
)
async def submit_tip(request: Request, session: SessionDep, background: BackgroundTasks) -> TipOut:
    """Tipline for people and chatbots: JSON (``image_base64`` optional) or multipart with an ``image``."""
    from kiemchung.media.tips import handle_image_tip
    from kiemchung.media.web import upload_bytes

    image: bytes | None = None
    try:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form()
            image = await upload_bytes(form.get("image"))
            fields = {k: v for k in ("text", "channel", "contact") if isinstance(v := form.get(k), str)}
            want = str(form.get("want_reply") or "").lower() in ("1", "true", "on", "yes")
            body = TipIn.model_validate({**fields, "want_reply": want})
        else:
            body = TipIn.model_validate_json(await request.body())
            if body.image_base64:
                try:
                    image = base64.b64decode(body.image_base64, validate=True)
                except (binascii.Error, ValueError) as exc:
                    raise HTTPException(422, _("Ảnh base64 không hợp lệ")) from exc
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc
    contact = body.contact if body.want_reply else None

    def work() -> tuple[TipResult, float | None]:
        if image is not None:
            r, stored = handle_image_tip(session, image, body.text, body.channel or "api", contact)
            return r, stored.ocr_confidence
        return handle_tip(session, body.text, body.channel or "api", contact), None

    try:
        result, ocr_confidence = await run_in_threadpool(work)
    except TipRejected as exc:
        raise HTTPException(422, str(exc)) from exc
    if result.queued:  # SessionDep commits before background tasks run: the claim engine sees the tip
        background.add_task(process_tip_queue)
    out = tip_out(result)
    out.contact_ignored = bool(body.contact and body.contact.strip() and not body.want_reply)
    out.ocr_confidence = ocr_confidence
    return out


TOKEN = Path(min_length=8, max_length=64, description="The token at the end of the tip's `status_url`.")


@router.get("/tips/{token}", response_model=TipStatusOut, responses=ERRORS)
def tip_status(session: SessionDep, token: str = TOKEN) -> TipStatusOut:
    """Where a tip stands; `url` is the fact-check once published."""
    tip = find_tip(session, token)
    if tip is None:
        raise HTTPException(404, _("Không tìm thấy tin"))
    return TipStatusOut(**tip_view(session, tip).as_json())


@router.post(
    "/tips/{token}/not-answered",
    response_model=TipStatusOut,
    responses={**ERRORS, 409: {"model": ErrorResponse, "description": "Không phải tin trả lời tự động"}},
    dependencies=[Depends(rate_limit)],
)
def tip_not_answered(background: BackgroundTasks, session: SessionDep, token: str = TOKEN) -> TipStatusOut:
    """“Không phải điều tôi hỏi”: the automatic answer missed; the tip goes to the desk as a claim."""
    tip = not_my_question(session, token, background)
    return TipStatusOut(**tip_view(session, tip).as_json())
