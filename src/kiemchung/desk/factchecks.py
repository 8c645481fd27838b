"""Fact-check workflow: save with optimistic locking, revisions, review rules, corrections, retraction.

    draft ──submit──► in_review ──approve──► approved ──publish──► published ──retract──► retracted
      ▲                  │ (return)             │ (any edit)          │ (edit + correction note)
      └──────────────────┘◄─────────────────────┘                     └─► published, new version

The reviewer who approves or publishes must not be the author nor anyone who wrote a version of
the text; the rule is checked here, on the server, for every role including admin.

    >>> print(text_diff("a\\nb", "a\\nc"))
    <div class="diff"><div class="diff-ctx">a</div><div class="diff-del">b</div><div class="diff-add">c</div></div>
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import markupsafe
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiemchung import cache
from kiemchung.desk import engine_link
from kiemchung.desk.replies import enqueue_replies
from kiemchung.store import models
from kiemchung.store.db import NotFound, after_commit, audit
from kiemchung.store.models import (
    CORRECTION_REVIEW,
    FC_STATUS_LABELS,
    VERDICT_LABELS_VI,
    FactCheckStatus,
    Role,
    Verdict,
    utcnow,
)
from kiemchung.text import fold
from kiemchung.web.i18n import N_, _

CLAIM_REVIEWED_MAX = 75
TEXT_FIELDS = ("claim_reviewed", "claim_text", "verdict", "summary", "body", "topics", "claim_appearance_url")


class WorkflowError(Exception):
    """A refused transition; ``message`` is bilingual and shown to the user."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class NotReviewer(WorkflowError):
    """A reviewer's action asked for by an account that is not a reviewer."""

    def __init__(self) -> None:
        super().__init__(_("Chỉ người kiểm duyệt được làm việc này"), 403)


class Conflict(Exception):
    """Someone saved a newer version since the form was opened."""

    def __init__(self, current: models.FactCheck, submitted: FactCheckForm) -> None:
        super().__init__("conflict")
        self.current = current
        self.submitted = submitted


@dataclass
class CitationForm:
    document_id: int | None = None
    passage_id: int | None = None
    url: str = ""
    title: str = ""
    quote: str = ""

    @property
    def empty(self) -> bool:
        return not (self.document_id or self.passage_id or self.url.strip() or self.quote.strip())


@dataclass
class FactCheckForm:
    claim_reviewed: str = ""
    claim_text: str = ""
    verdict: str = ""
    summary: str = ""
    body: str = ""
    topics: list[str] = field(default_factory=list)
    claim_appearance_url: str = ""
    claim_id: int | None = None
    citations: list[CitationForm] = field(default_factory=list)
    version: int | None = None
    correction_note: str = ""
    minor: bool = False  # a typo fix: still reviewed, listed as a minor correction

    def snapshot(self) -> dict[str, Any]:
        return {
            "claim_reviewed": self.claim_reviewed,
            "claim_text": self.claim_text,
            "verdict": self.verdict,
            "summary": self.summary,
            "body": self.body,
            "topics": list(self.topics),
            "claim_appearance_url": self.claim_appearance_url or None,
            "citations": [
                {
                    "document_id": c.document_id,
                    "passage_id": c.passage_id,
                    "url": c.url or None,
                    "title": c.title,
                    "quote": c.quote,
                }
                for c in self.citations
                if not c.empty
            ],
        }


def parse_topics(raw: str) -> list[str]:
    """'Y tế, giáo dục ,, y tế' -> ['Y tế', 'giáo dục'] (deduplicated on the folded form)."""
    seen: set[str] = set()
    out: list[str] = []
    for t in re.split(r"[,;\n]", raw):
        t = " ".join(t.split())[:60]
        if t and fold(t) not in seen:
            seen.add(fold(t))
            out.append(t)
    return out[:12]


def snapshot(fc: models.FactCheck) -> dict[str, Any]:
    """Everything a reader can see of a fact-check, as plain JSON."""
    return {
        "claim_reviewed": fc.claim_reviewed,
        "claim_text": fc.claim_text,
        "verdict": fc.verdict.value if fc.verdict else "",
        "summary": fc.summary,
        "body": fc.body,
        "topics": list(fc.topics or []),
        "claim_appearance_url": fc.claim_appearance_url,
        "status": fc.status.value,
        "citations": [
            {
                "document_id": c.document_id,
                "passage_id": c.passage_id,
                "url": c.url,
                "title": c.title,
                "quote": c.quote,
            }
            for c in fc.citations
        ],
    }


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"old": ..., "new": ...}} for every field that differs."""
    return {
        k: {"old": old.get(k), "new": new.get(k)}
        for k in sorted(set(old) | set(new))
        if old.get(k) != new.get(k)
    }


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "\n".join(
                f"[{i + 1}] {c.get('title') or ''} {c.get('url') or ''} — “{c.get('quote') or ''}”".strip()
                for i, c in enumerate(value)
            )
        return ", ".join(str(v) for v in value)
    return str(value)


def text_diff(old: str, new: str) -> markupsafe.Markup:
    """Line diff as HTML; every line is escaped, so user text can never become markup."""
    rows: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, old.splitlines(), new.splitlines()
    ).get_opcodes():
        a, b = old.splitlines()[i1:i2], new.splitlines()[j1:j2]
        if tag == "equal":
            rows += [f'<div class="diff-ctx">{html.escape(x)}</div>' for x in a]
        else:
            rows += [f'<div class="diff-del">{html.escape(x)}</div>' for x in a]
            rows += [f'<div class="diff-add">{html.escape(x)}</div>' for x in b]
    return markupsafe.Markup('<div class="diff">' + "".join(rows) + "</div>")


# Fields stored as keys (``in_review``, ``false``): a diff shows their names, as people read them.
VALUE_LABELS: dict[str, dict[str, str]] = {
    "status": FC_STATUS_LABELS,
    "verdict": {v.value: text for v, text in VERDICT_LABELS_VI.items()},
}


def shown_text(field: str, value: Any) -> str:
    """A stored value as the desk reads it, in the current language.

    >>> from kiemchung.web.i18n import use_lang
    >>> with use_lang("vi"):
    ...     shown_text("status", "correction_review"), shown_text("verdict", "false")
    ('Đính chính chờ duyệt', 'Sai')
    >>> with use_lang("en"):
    ...     shown_text("status", "in_review")
    'In review'
    """
    labels = VALUE_LABELS.get(field)
    if labels is not None and isinstance(value, str) and value in labels:
        return _(labels[value])
    return as_text(value)


class FieldDiff:
    """One field's diff, drawn when the page renders, so its labels are in the page's language.

    >>> from kiemchung.web.i18n import use_lang
    >>> d = FieldDiff("status", "draft", "in_review")
    >>> with use_lang("en"):
    ...     print(markupsafe.escape(d))
    <div class="diff"><div class="diff-del">Draft</div><div class="diff-add">In review</div></div>
    """

    def __init__(self, field: str, old: Any, new: Any) -> None:
        self.field, self.old, self.new = field, old, new

    def __html__(self) -> str:
        return str(text_diff(shown_text(self.field, self.old), shown_text(self.field, self.new)))


class Shown:
    """One stored value, escaped and labelled when the page renders (see :func:`shown_text`)."""

    def __init__(self, field: str, value: Any) -> None:
        self.field, self.value = field, value

    def __html__(self) -> str:
        return str(markupsafe.escape(shown_text(self.field, self.value)))


def snapshot_diffs(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, FieldDiff]]:
    return [(k, FieldDiff(k, v["old"], v["new"])) for k, v in field_changes(old, new).items()]


def make_slug(session: Session, text: str, fc_id: int | None = None) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:80].strip("-") or "kiem-chung"
    slug, n = base, 1
    while True:
        other = session.scalar(select(models.FactCheck.id).where(models.FactCheck.slug == slug))
        if other is None or other == fc_id:
            return slug
        n += 1
        slug = f"{base}-{n}"


def validate(session: Session, form: FactCheckForm) -> tuple[list[str], int | None]:
    """Errors (bilingual) and the registered source id of the appearance URL."""
    errors: list[str] = []
    if not form.claim_reviewed.strip():
        errors.append(_("Cần nhập nhận định được kiểm chứng"))
    if len(form.claim_reviewed) > CLAIM_REVIEWED_MAX:
        errors.append(
            _("Nhận định tối đa %(claim_reviewed_max)s ký tự", claim_reviewed_max=CLAIM_REVIEWED_MAX)
        )
    if form.verdict not in {v.value for v in Verdict}:
        errors.append(_("Chọn một kết luận trong thang đánh giá"))
    for i, c in enumerate(form.citations, 1):
        if c.empty:
            continue
        if not (c.document_id or c.url.strip()):
            errors.append(_("Nguồn %(i)s: cần tài liệu hoặc URL", i=i))
        if c.url and urlsplit(c.url).scheme not in ("http", "https"):
            errors.append(_("Nguồn %(i)s: URL phải bắt đầu bằng http(s)", i=i))
        if not c.quote.strip():
            errors.append(_("Nguồn %(i)s: cần trích dẫn đoạn văn", i=i))
    source_id = None
    if form.claim_appearance_url.strip():
        source_id = registered_source_for(session, form.claim_appearance_url.strip())
        if source_id is None:
            errors.append(_("Chỉ lưu URL xuất hiện của nhận định khi nguồn là đơn vị đã đăng ký"))
    return errors, source_id


def registered_source_for(session: Session, url: str) -> int | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.")
    for src in session.scalars(select(models.Source).where(models.Source.registered.is_(True))):
        for d in src.domains or []:
            d = d.lower().removeprefix("www.")
            if host == d or host.endswith("." + d):
                return src.id
    return None


def _write_revision(session: Session, fc: models.FactCheck, user: models.User) -> None:
    session.flush()  # assigns the id and bumps ``version``
    session.add(
        models.FactCheckRevision(fact_check_id=fc.id, version=fc.version, data=snapshot(fc), user_id=user.id)
    )


def _apply(session: Session, fc: models.FactCheck, form: FactCheckForm, source_id: int | None) -> None:
    fc.claim_reviewed = form.claim_reviewed.strip()
    fc.claim_text = form.claim_text.strip()
    fc.verdict = Verdict(form.verdict)
    fc.summary = form.summary.strip()
    fc.body = form.body
    fc.topics = list(form.topics)
    fc.claim_appearance_url = form.claim_appearance_url.strip() or None
    fc.claim_source_id = source_id
    fc.citations = [
        models.Citation(
            document_id=c.document_id,
            passage_id=c.passage_id,
            url=c.url.strip() or None,
            title=c.title.strip()[:500],
            quote=c.quote.strip(),
            position=i,
        )
        for i, c in enumerate(c for c in form.citations if not c.empty)
    ]
    fc.updated_at = utcnow()  # always touch the row, so the version advances even if only citations changed


def create(session: Session, form: FactCheckForm, user: models.User) -> models.FactCheck:
    errors, source_id = validate(session, form)
    if errors:
        raise WorkflowError("\n".join(errors))
    fc = models.FactCheck(
        slug=make_slug(session, form.claim_reviewed),
        claim_id=form.claim_id,
        author_id=user.id,
        status=FactCheckStatus.draft,
    )
    _apply(session, fc, form, source_id)
    session.add(fc)
    _write_revision(session, fc, user)
    audit(
        session, "fact_check.create", fc, user_id=user.id, data={"changes": field_changes({}, snapshot(fc))}
    )
    if form.claim_id:
        claim = session.get(models.Claim, form.claim_id)
        if claim is not None and claim.status in (models.ClaimStatus.new, models.ClaimStatus.triaged):
            audit(
                session,
                "claim.status",
                claim,
                user_id=user.id,
                data={"old": claim.status.value, "new": models.ClaimStatus.in_progress.value},
            )
            claim.status = models.ClaimStatus.in_progress
    return fc


def update(
    session: Session, fc: models.FactCheck, form: FactCheckForm, user: models.User
) -> models.FactCheck:
    """Save an edit; raises Conflict if ``form.version`` is stale, WorkflowError if not allowed."""
    if fc.status == FactCheckStatus.retracted:
        raise WorkflowError(_("Bài đã bị rút, không thể sửa"), 409)
    if form.version is None or form.version != fc.version:
        raise Conflict(fc, form)
    errors, source_id = validate(session, form)
    published = fc.status == FactCheckStatus.published
    if published and not form.correction_note.strip():
        errors.append(_("Sửa bài đã xuất bản cần ghi chú đính chính công khai"))
    if errors:
        raise WorkflowError("\n".join(errors))
    if published:
        return _propose_correction(session, fc, form, source_id, user)
    before = snapshot(fc)
    with session.no_autoflush:
        _apply(session, fc, form, source_id)
    if fc.status == FactCheckStatus.approved:
        fc.status = FactCheckStatus.in_review  # the approval was for the old text
        fc.reviewer_id = None
    _write_revision(session, fc, user)
    changes = field_changes(before, snapshot(fc))
    audit(
        session,
        "fact_check.update",
        fc,
        user_id=user.id,
        data={"changes": changes, "version": fc.version},
    )
    return fc


def _propose_correction(
    session: Session, fc: models.FactCheck, form: FactCheckForm, source_id: int | None, user: models.User
) -> models.FactCheck:
    """A correction of a published fact-check waits for a reviewer; readers keep the published text.

    The proposal is a new version (its revision holds the proposed text, so the history shows what
    would change), and its writer may not approve it: like a first publication it takes two people,
    even when marked minor.
    """
    proposed = form.snapshot()
    fc.pending_correction = {
        "form": proposed,
        "source_id": source_id,
        "claim_id": fc.claim_id,
        "note": form.correction_note.strip(),
        "minor": form.minor,
        "user_id": user.id,
        "submitted_at": utcnow().isoformat(timespec="seconds"),
    }
    fc.updated_at = utcnow()
    session.flush()  # bumps ``version`` once
    session.add(
        models.FactCheckRevision(
            fact_check_id=fc.id,
            version=fc.version,
            data={**proposed, "status": CORRECTION_REVIEW},
            user_id=user.id,
        )
    )
    published = {k: v for k, v in snapshot(fc).items() if k != "status"}
    audit(
        session,
        "fact_check.correction_submit",
        fc,
        user_id=user.id,
        data={
            "changes": field_changes(published, proposed),
            "note": form.correction_note.strip(),
            "minor": form.minor,
            "version": fc.version,
        },
    )
    return fc


def pending_form(fc: models.FactCheck) -> FactCheckForm | None:
    """The proposed correction as an editor form, or None when there is none."""
    pending = fc.pending_correction
    if not pending:
        return None
    data = pending["form"]
    return FactCheckForm(
        claim_reviewed=data.get("claim_reviewed", ""),
        claim_text=data.get("claim_text", ""),
        verdict=data.get("verdict", ""),
        summary=data.get("summary", ""),
        body=data.get("body", ""),
        topics=list(data.get("topics") or []),
        claim_appearance_url=data.get("claim_appearance_url") or "",
        claim_id=fc.claim_id,
        citations=[
            CitationForm(
                c.get("document_id"),
                c.get("passage_id"),
                c.get("url") or "",
                c.get("title", ""),
                c.get("quote", ""),
            )
            for c in data.get("citations") or []
        ],
        version=fc.version,
        correction_note=pending.get("note", ""),
        minor=bool(pending.get("minor")),
    )


def writers(session: Session, fc: models.FactCheck) -> set[int]:
    """The author and everyone who saved a content change (they may not review it)."""
    ids = {fc.author_id} if fc.author_id else set()
    prev: dict[str, Any] | None = None
    for rev in session.scalars(
        select(models.FactCheckRevision)
        .where(models.FactCheckRevision.fact_check_id == fc.id)
        .order_by(models.FactCheckRevision.version)
    ):
        content = {k: v for k, v in rev.data.items() if k != "status"}
        if (prev is None or content != prev) and rev.user_id:
            ids.add(rev.user_id)
        prev = content
    return ids


def _require_reviewer(session: Session, fc: models.FactCheck, user: models.User) -> None:
    if user.role not in (Role.reviewer, Role.admin):
        raise WorkflowError(_("Chỉ người kiểm duyệt được làm việc này"), 403)
    if user.id in writers(session, fc):
        raise WorkflowError(
            _("Người kiểm duyệt phải khác người viết bài"),
            403,
        )


def transition(
    session: Session,
    fc: models.FactCheck,
    action: str,
    user: models.User,
    *,
    version: int | None,
    note: str = "",
) -> models.FactCheck:
    """submit | return | approve | publish | retract. ``version`` guards against acting on stale state."""
    if version is not None and version != fc.version:
        raise WorkflowError(_("Bài vừa được người khác thay đổi, hãy tải lại"), 409)
    if action == "approve_correction" and fc.pending_correction:
        writer = fc.pending_correction.get("user_id")
        if writer == user.id:
            raise WorkflowError(N_("Người kiểm duyệt phải khác người viết đính chính."), 403)
    old = fc.status
    # One flush, at the revision below: an autoflush half-way (a query for the claim or the waiting
    # tips) used to bump ``version`` twice, so the history jumped from v3 to v5.
    with session.no_autoflush:
        correction = _transition(session, fc, action, user, note)
    fc.updated_at = utcnow()
    if action in ("publish", "retract", "approve_correction"):  # "what people are asking" shows answers
        after_commit(session, lambda: cache.invalidate("public.asking"))
        if _linked_to_incident(session, fc):  # an incident's page lists its claims' fact-checks
            after_commit(session, lambda: cache.invalidate("public.incidents"))
    _write_revision(session, fc, user)
    if correction is not None:
        correction.version = fc.version
        session.add(correction)
    audit(
        session,
        f"fact_check.{action}",
        fc,
        user_id=user.id,
        data={
            "old": old.value,
            "new": fc.status.value,
            "version": fc.version,
            **({"note": note} if note else {}),
        },
    )
    return fc


def _linked_to_incident(session: Session, fc: models.FactCheck) -> bool:
    """Whether the claim ``fc`` answers is linked to an incident."""
    if fc.claim_id is None:
        return False
    with session.no_autoflush:  # no flush before the revision (see ``transition``)
        found = session.scalar(
            select(models.IncidentLink.id).where(models.IncidentLink.claim_id == fc.claim_id).limit(1)
        )
    return found is not None


def _transition(
    session: Session, fc: models.FactCheck, action: str, user: models.User, note: str
) -> models.Correction | None:
    """Change ``fc`` for ``action``; the correction to record, when one is approved."""
    old = fc.status
    if action == "submit":
        if old != FactCheckStatus.draft:
            raise WorkflowError(_("Chỉ gửi duyệt được bản nháp"), 409)
        if not fc.citations:
            raise WorkflowError(_("Cần ít nhất một nguồn trích dẫn trước khi gửi duyệt"))
        fc.status = FactCheckStatus.in_review
        fc.return_note = None
    elif action == "return":
        if old not in (FactCheckStatus.in_review, FactCheckStatus.approved):
            raise WorkflowError(_("Không thể trả lại ở trạng thái này"), 409)
        if user.role not in (Role.reviewer, Role.admin):
            raise WorkflowError(_("Chỉ người kiểm duyệt được làm việc này"), 403)
        if not note.strip():
            raise WorkflowError(N_("Cần ghi lý do trả lại để người viết biết cần sửa gì."))
        fc.status = FactCheckStatus.draft
        fc.reviewer_id = None
        fc.return_note = note.strip()
    elif action == "approve":
        if old != FactCheckStatus.in_review:
            raise WorkflowError(_("Chỉ duyệt được bài đang chờ duyệt"), 409)
        _require_reviewer(session, fc, user)
        fc.status = FactCheckStatus.approved
        fc.reviewer_id = user.id
    elif action == "publish":
        if old != FactCheckStatus.approved:
            raise WorkflowError(_("Chỉ xuất bản được bài đã duyệt"), 409)
        _require_reviewer(session, fc, user)
        fc.status = FactCheckStatus.published
        fc.published_at = fc.published_at or utcnow()
        if fc.claim_id:
            claim = session.get(models.Claim, fc.claim_id)
            if claim is not None and claim.status != models.ClaimStatus.checked:
                audit(
                    session,
                    "claim.status",
                    claim,
                    user_id=user.id,
                    data={"old": claim.status.value, "new": "checked"},
                )
                claim.status = models.ClaimStatus.checked
        enqueue_replies(session, fc)  # tipsters waiting on this claim get their reply (outbox)
    elif action == "retract":
        if old != FactCheckStatus.published:
            raise WorkflowError(_("Chỉ rút được bài đã xuất bản"), 409)
        if user.role not in (Role.reviewer, Role.admin):
            raise WorkflowError(_("Chỉ người kiểm duyệt được rút bài"), 403)
        if not note.strip():
            raise WorkflowError(_("Cần ghi chú lý do rút bài"))
        fc.status = FactCheckStatus.retracted
        fc.retracted_at = utcnow()
        fc.retraction_note = note.strip()
        fc.pending_correction = None
    elif action in ("approve_correction", "reject_correction"):
        pending = fc.pending_correction
        if old != FactCheckStatus.published or not pending:
            raise WorkflowError(N_("Không có đính chính nào chờ duyệt."), 409)
        if action == "reject_correction":
            if user.role not in (Role.reviewer, Role.admin) and user.id != pending.get("user_id"):
                raise WorkflowError(N_("Chỉ người kiểm duyệt được làm việc này."), 403)
            fc.pending_correction = None
            return None
        _require_reviewer(session, fc, user)
        form = pending_form(fc)
        assert form is not None
        _apply(session, fc, form, pending.get("source_id"))
        fc.reviewer_id = user.id
        fc.pending_correction = None
        return models.Correction(
            fact_check_id=fc.id, note=str(pending.get("note", "")), minor=bool(pending.get("minor"))
        )
    else:
        raise WorkflowError(_("Thao tác không hợp lệ"), 400)
    return None


# ---------------------------------------------------------------- page data (the desk's routes)


def _get(session: Session, model: type[Any], obj_id: int) -> Any:
    obj = session.get(model, obj_id)
    if obj is None:
        raise NotFound(f"{model.__name__} {obj_id}")
    return obj


def form_from_fc(fc: models.FactCheck) -> FactCheckForm:
    """The editor form filled with a stored fact-check."""
    return FactCheckForm(
        claim_reviewed=fc.claim_reviewed,
        claim_text=fc.claim_text,
        verdict=fc.verdict.value,
        summary=fc.summary,
        body=fc.body,
        topics=list(fc.topics or []),
        claim_appearance_url=fc.claim_appearance_url or "",
        claim_id=fc.claim_id,
        version=fc.version,
        citations=[
            CitationForm(c.document_id, c.passage_id, c.url or "", c.title, c.quote) for c in fc.citations
        ],
    )


def new_form(session: Session, claim_id: int | None) -> FactCheckForm:
    """An empty editor form, prefilled from the claim it answers when there is one."""
    form = FactCheckForm(verdict="", citations=[CitationForm()])
    if claim_id is not None:
        c: models.Claim = _get(session, models.Claim, claim_id)
        form.claim_id = c.id
        form.claim_text = c.text
        form.claim_reviewed = c.text[:CLAIM_REVIEWED_MAX]
        form.topics = [c.topic] if c.topic else []
    return form


def edit_form(session: Session, fc_id: int) -> tuple[models.FactCheck, FactCheckForm]:
    """The fact-check and its editor form (with one empty citation when it has none)."""
    fc: models.FactCheck = _get(session, models.FactCheck, fc_id)
    if fc.status == FactCheckStatus.retracted:
        raise WorkflowError(_("Bài đã bị rút, không thể sửa"), 409)
    form = pending_form(fc) or form_from_fc(fc)  # a correction in review is edited further
    if not form.citations:
        form.citations = [CitationForm()]
    return fc, form


def editor_context(session: Session, form: FactCheckForm) -> dict[str, Any]:
    """The cited documents and the claim the editor page shows beside ``form``."""
    doc_ids = {c.document_id for c in form.citations if c.document_id}
    docs = (
        {d.id: d for d in session.scalars(select(models.Document).where(models.Document.id.in_(doc_ids)))}
        if doc_ids
        else {}
    )
    claim = session.get(models.Claim, form.claim_id) if form.claim_id else None
    return {"docs": docs, "claim": claim}


def citation_prefill(
    session: Session, passage_id: int | None, document_id: int | None
) -> tuple[CitationForm, models.Document | None]:
    """One citation, prefilled from a library passage or document."""
    if passage_id is not None:
        p: models.Passage = _get(session, models.Passage, passage_id)
        doc = p.document
        return CitationForm(doc.id, p.id, doc.url or "", doc.title, p.text), doc
    if document_id is not None:
        d: models.Document = _get(session, models.Document, document_id)
        return CitationForm(d.id, None, d.url or "", d.title, ""), d
    return CitationForm(), None


def list_fact_checks(session: Session, status: str, q: str) -> dict[str, Any]:
    """The 300 most recently updated fact-checks, of one status, matching ``q`` without diacritics."""
    stmt = select(models.FactCheck).order_by(models.FactCheck.updated_at.desc()).limit(300)
    if status in FactCheckStatus._value2member_map_:
        stmt = stmt.where(models.FactCheck.status == FactCheckStatus(status))
    fcs = list(session.scalars(stmt))
    if q.strip():
        needle = fold(q)
        fcs = [f for f in fcs if needle in fold(f.claim_reviewed + " " + f.summary)]
    return {"fcs": fcs, "users": {u.id: u for u in session.scalars(select(models.User))}}


def view_context(session: Session, fc_id: int, user: models.User) -> dict[str, Any]:
    """A fact-check with its people, its claim and what ``user`` may do with it."""
    fc: models.FactCheck = _get(session, models.FactCheck, fc_id)
    ids = writers(session, fc)
    reviewer = user.role in (Role.reviewer, Role.admin)
    pending = fc.pending_correction
    correction_diffs = []
    if pending:
        published = {k: v for k, v in snapshot(fc).items() if k != "status"}
        correction_diffs = snapshot_diffs(published, pending["form"])
    return {
        "fc": fc,
        "users": {u.id: u for u in session.scalars(select(models.User))},
        "pending": pending,
        "correction_diffs": correction_diffs,
        "may_review_correction": reviewer
        and pending is not None
        and user.id not in ids
        and user.id != pending.get("user_id"),
        "public_path": f"/kiem-chung/{fc.slug}",
        "may_review": reviewer and user.id not in ids,
        "is_writer": user.id in ids,
        "claim": session.get(models.Claim, fc.claim_id) if fc.claim_id else None,
    }


def history(session: Session, fc_id: int) -> dict[str, Any]:
    """Every revision, newest first, with its author, field diffs and correction note."""
    fc: models.FactCheck = _get(session, models.FactCheck, fc_id)
    users = {u.id: u for u in session.scalars(select(models.User))}
    corrections = {c.version: c for c in fc.corrections}
    entries = []
    prev: dict[str, Any] = {}
    for rev in fc.revisions:
        entries.append(
            {
                "rev": rev,
                "user": users.get(rev.user_id) if rev.user_id else None,
                "diffs": snapshot_diffs(prev, rev.data),
                "correction": corrections.get(rev.version),
            }
        )
        prev = rev.data
    entries.reverse()
    return {"fc": fc, "entries": entries}


def save(session: Session, fc_id: int, form: FactCheckForm, user: models.User) -> models.FactCheck:
    """Save an edit and flush it, so a concurrent save surfaces here (``StaleDataError``)."""
    fc: models.FactCheck = _get(session, models.FactCheck, fc_id)
    update(session, fc, form, user)
    session.flush()
    return fc


def reload_after_conflict(session: Session, fc_id: int) -> models.FactCheck:
    """After a lost optimistic-lock race: abandon the failed flush and read the winner's version."""
    session.rollback()
    current: models.FactCheck = _get(session, models.FactCheck, fc_id)
    session.refresh(current)
    return current


def conflict_context(session: Session, current: models.FactCheck, submitted: FactCheckForm) -> dict[str, Any]:
    """Side-by-side rows of the stored and the submitted text, who saved last, and the merged form."""
    theirs = snapshot(current)
    yours = submitted.snapshot()
    rows = []
    for key in ("claim_reviewed", "claim_text", "verdict", "summary", "body", "topics", "citations"):
        a, b = theirs.get(key), yours.get(key)
        rows.append(
            {
                "field": key,
                "theirs": Shown(key, a),
                "yours": Shown(key, b),
                "same": as_text(a) == as_text(b),
                "diff": FieldDiff(key, a, b),
            }
        )
    last = session.scalar(
        select(models.FactCheckRevision)
        .where(models.FactCheckRevision.fact_check_id == current.id)
        .order_by(models.FactCheckRevision.version.desc())
    )
    by = session.get(models.User, last.user_id) if last and last.user_id else None
    merged = FactCheckForm(**{**submitted.__dict__, "version": current.version})
    return {"fc": current, "rows": rows, "form": merged, "by": by}


WORKFLOW_MESSAGES = {
    "submit": N_("Đã gửi duyệt"),
    "return": N_("Đã trả lại bản nháp"),
    "approve": N_("Đã duyệt"),
    "publish": N_("Đã xuất bản"),
    "retract": N_("Đã rút bài"),
    "approve_correction": N_("Đã duyệt và đăng đính chính."),
    "reject_correction": N_("Đã bỏ đề xuất đính chính."),
}
REVIEWER_ACTIONS = ("approve", "publish", "retract", "return", "approve_correction")


def run_workflow(
    session: Session, fc_id: int, action: str, user: models.User, *, version: int | None, note: str = ""
) -> str:
    """Apply a workflow action; returns the message to show.

    Publishing or retracting bumps the index state in this transaction (every process serves the
    new state within a second or two) and enqueues the durable reindex job after the commit.
    """
    fc: models.FactCheck = _get(session, models.FactCheck, fc_id)
    if action in REVIEWER_ACTIONS and user.role not in (Role.reviewer, Role.admin):
        raise NotReviewer()
    transition(session, fc, action, user, version=version, note=note)
    session.flush()
    if action in ("publish", "retract", "approve_correction"):
        engine_link.schedule_reindex(session, fc.id)  # a job, after the commit
    return WORKFLOW_MESSAGES[action]
