"""Incident mode: open an incident, publish a holding statement and verified updates, link claims and
tips, watch the SLA timers, close it with an after-action report.

Every statement and update goes through the fact-check review with two people::

    draft ──submit──► in_review ──approve──► approved ──publish──► published
                          └──────────── urgent: approve+publish at once ──┘

The approver (and the publisher) must be an editor other than the author; the rule is checked here.

>>> print(holding_template("Ngập sâu ở phường Ví Dụ", "Phường Ví Dụ, Thành phố Huế").splitlines()[0])
**Ngập sâu ở phường Ví Dụ** — Phường Ví Dụ, Thành phố Huế
>>> fmt_minutes(95), fmt_minutes(None), fmt_minutes(2)
('1 giờ 35 phút', '—', '2 phút')
>>> confidence(1.2), confidence(0.7), confidence(0.4)
('high', 'medium', 'low')
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiemchung import areas, cache
from kiemchung.settings import get_settings
from kiemchung.store import locks, models
from kiemchung.store.db import NotFound, after_commit, audit, session_scope
from kiemchung.store.models import (
    FactCheckStatus,
    IncidentSeverity,
    IncidentStatus,
    Role,
    utcnow,
)
from kiemchung.text import fold
from kiemchung.web.i18n import N_, _, local_zone, to_local

log = logging.getLogger("kiemchung.incidents")

SEVERITY_LABELS = {
    IncidentSeverity.critical: N_("Khẩn cấp"),
    IncidentSeverity.major: N_("Nghiêm trọng"),
    IncidentSeverity.minor: N_("Theo dõi"),
}
KIND_LABELS = {"statement": N_("Thông cáo ban đầu"), "update": N_("Cập nhật")}
EDITORS = frozenset({Role.editor, Role.reviewer, Role.admin})

PUBLIC_CACHE = cache.register(
    "public.incidents",
    ttl=get_settings().incident_cache_seconds,
    doc="Public incident pages, feeds, widgets and JSON by (slug, kind, lang); dropped on publish.",
)
ALERTS_CACHE = cache.register(
    "desk.incident_alerts",
    ttl=60.0,
    doc="The desk nav's counts of open incidents past an SLA target and of current surges.",
)


class IncidentError(Exception):
    """A refused action; ``message`` is bilingual and shown to the user."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def fmt_minutes(minutes: float | None) -> str:
    if minutes is None:
        return "—"
    m = max(0, round(minutes))
    h, m = divmod(m, 60)
    return f"{h} giờ {m} phút" if h else f"{m} phút"


def holding_template(title: str, area: str) -> str:
    """The holding statement's prefilled text (CERC: say what is known, what is not, when next)."""
    return (
        f"**{title}** — {area or 'địa bàn đang xác định'}\n\n"
        "**Những gì chúng tôi đã biết:** …\n\n"
        "**Những gì chúng tôi chưa biết:** … Chúng tôi đang xác minh với cơ quan chức năng và sẽ "
        "không đưa tin chưa được kiểm chứng.\n\n"
        "**Lần cập nhật tiếp theo:** trước … giờ hôm nay, hoặc sớm hơn nếu có thông tin mới.\n\n"
        "Người dân cần hỗ trợ khẩn cấp hãy gọi 112 (cứu nạn), 113 (công an), 114 (cứu hỏa), "
        "115 (cấp cứu). Vui lòng không chia sẻ tin chưa rõ nguồn."
    )


def make_slug(session: Session, title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")[:80].strip("-") or "su-kien"
    slug, n = base, 1
    while session.scalar(select(models.Incident.id).where(models.Incident.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def get(session: Session, incident_id: int) -> models.Incident:
    inc = session.get(models.Incident, incident_id)
    if inc is None:
        raise NotFound(incident_id)
    return inc


def _drop_caches(session: Session) -> None:
    """Once committed: the public pages show the change, the desk nav counts again."""

    def drop() -> None:
        cache.invalidate("public.incidents")
        cache.invalidate(ALERTS_CACHE.name)

    after_commit(session, drop)


def parse_local_time(value: str) -> datetime | None:
    """A ``datetime-local`` form value on the desk's clock (Vietnam time) as naive UTC; ``None`` if empty.

    >>> parse_local_time("2025-07-01T14:05")
    datetime.datetime(2025, 7, 1, 7, 5)
    >>> parse_local_time("") is None
    True
    """
    value = value.strip()
    if not value:
        return None
    try:
        local = datetime.fromisoformat(value)
    except ValueError as exc:
        raise IncidentError(_("Thời điểm bắt đầu không hợp lệ")) from exc
    if local.tzinfo is None:
        local = local.replace(tzinfo=local_zone())
    return local.astimezone(UTC).replace(tzinfo=None)


def local_input_value(at: datetime) -> str:
    """A naive UTC time as a ``datetime-local`` value on the desk's clock.

    >>> local_input_value(datetime(2025, 7, 1, 7, 5, 42))
    '2025-07-01T14:05'
    """
    return to_local(at).strftime("%Y-%m-%dT%H:%M")


# ---------------------------------------------------------------- open, write, review


def open_incident(
    session: Session,
    user: models.User,
    *,
    title: str,
    topic: str = "",
    province_code: int | None = None,
    ward_code: int | None = None,
    severity: str = "major",
    started_at: datetime | None = None,
) -> models.Incident:
    """Open an incident; its holding statement starts as a draft prefilled from the template.

    ``started_at`` (naive UTC, default now) is when the event itself began; it may not be later than now.
    """
    title = " ".join(title.split())
    if not title:
        raise IncidentError(_("Cần tiêu đề sự kiện"))
    if severity not in IncidentSeverity.__members__:
        raise IncidentError(_("Mức độ không hợp lệ"))
    if province_code is not None and areas.province_name(province_code) is None:
        raise IncidentError(_("Tỉnh/thành không hợp lệ"))
    if ward_code is not None and areas.ward_name(province_code, ward_code) is None:
        raise IncidentError(_("Phường/xã không thuộc tỉnh/thành đã chọn"))
    now = utcnow()
    if started_at is not None and started_at > now:
        raise IncidentError(_("Thời điểm bắt đầu không được ở tương lai"))
    inc = models.Incident(
        slug=make_slug(session, title),
        title=title,
        topic=topic.strip() or None,
        province_code=province_code,
        ward_code=ward_code,
        area_name=areas.area_label(province_code, ward_code),
        severity=IncidentSeverity(severity),
        started_at=started_at or now,
        opened_at=now,
        opened_by_id=user.id,
        sla_misses=[],
    )
    session.add(inc)
    session.flush()
    session.add(
        models.IncidentUpdate(
            incident_id=inc.id,
            kind="statement",
            body=holding_template(title, inc.area_name),
            author_id=user.id,
            urgent=True,
        )
    )
    audit(session, "incident.open", inc, user_id=user.id, data={"severity": severity})
    _drop_caches(session)
    return inc


@dataclass
class Source:
    title: str
    url: str


def clean_sources(sources: list[Source]) -> list[dict[str, str]]:
    """Keep sources with a title or an http(s) URL.

    >>> clean_sources([Source("Sở Y tế", "https://example.gov.vn/a"), Source("", ""), Source("x", "javascript:1")])
    [{'title': 'Sở Y tế', 'url': 'https://example.gov.vn/a'}, {'title': 'x', 'url': ''}]
    """
    out = []
    for s in sources:
        url = s.url.strip() if s.url.strip().startswith(("http://", "https://")) else ""
        title = " ".join(s.title.split())[:300]
        if title or url:
            out.append({"title": title or url, "url": url})
    return out


def save_update(
    session: Session,
    incident_id: int,
    user: models.User,
    *,
    body: str,
    sources: list[Source],
    update_id: int | None = None,
    urgent: bool = False,
) -> models.IncidentUpdate:
    """Create a new update draft, or save the text of a draft/returned one (the saver becomes its author)."""
    inc = get(session, incident_id)
    if inc.status == IncidentStatus.closed:
        raise IncidentError(_("Sự kiện đã đóng"), 409)
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise IncidentError(_("Nội dung trống"))
    if update_id is None:
        upd = models.IncidentUpdate(incident_id=inc.id, kind="update", author_id=user.id)
        session.add(upd)
    else:
        upd = _update(session, inc, update_id)
        if upd.status != FactCheckStatus.draft:
            raise IncidentError(_("Chỉ sửa được bản nháp"), 409)
        upd.author_id = user.id
    upd.body = body
    upd.sources = clean_sources(sources)
    upd.urgent = urgent or upd.kind == "statement"
    session.flush()
    audit(session, "incident_update.save", upd, user_id=user.id, data={"incident": inc.id})
    return upd


def current_statement(inc: models.Incident) -> models.IncidentUpdate | None:
    """The holding statement the public sees: the last one published (a revision replaces it)."""
    published = [u for u in inc.updates if u.kind == "statement" and u.published_at is not None]
    return max(published, key=lambda u: (u.published_at, u.id)) if published else None


def can_revise_statement(inc: models.Incident) -> bool:
    """A new version may be written once every version so far is published (one draft at a time)."""
    statements = [u for u in inc.updates if u.kind == "statement"]
    return (
        inc.status == IncidentStatus.open
        and bool(statements)
        and all(u.status == FactCheckStatus.published for u in statements)
    )


def revise_statement(session: Session, incident_id: int, user: models.User) -> models.IncidentUpdate:
    """A new draft of the holding statement, prefilled with the published one and its sources.

    It goes through the same two-person review (urgent, so a second editor can approve it on the
    phone screen); once published it is the statement on top of the public page, and the previous
    one stays in the page's history. The published statement stays in force until then.
    """
    inc = get(session, incident_id)
    if inc.status == IncidentStatus.closed:
        raise IncidentError(_("Sự kiện đã đóng"), 409)
    if not can_revise_statement(inc):
        raise IncidentError(_("Thông cáo đang có một bản chưa đăng; hãy hoàn thiện bản đó"), 409)
    current = current_statement(inc)
    assert current is not None  # every statement is published and there is at least one
    upd = models.IncidentUpdate(
        incident_id=inc.id,
        kind="statement",
        body=current.body,
        sources=list(current.sources or []),
        author_id=user.id,
        urgent=True,
    )
    session.add(upd)
    session.flush()
    audit(
        session, "incident_update.revise", upd, user_id=user.id, data={"incident": inc.id, "of": current.id}
    )
    return upd


def _update(session: Session, inc: models.Incident, update_id: int) -> models.IncidentUpdate:
    upd = session.get(models.IncidentUpdate, update_id)
    if upd is None or upd.incident_id != inc.id:
        raise NotFound(update_id)
    return upd


def _second_editor(upd: models.IncidentUpdate, user: models.User) -> None:
    if user.role not in EDITORS:
        raise IncidentError(_("Chỉ biên tập viên được duyệt"), 403)
    if user.id == upd.author_id:
        raise IncidentError(
            _("Người duyệt phải là biên tập viên thứ hai, không phải người viết"),
            403,
        )


def review(
    session: Session, incident_id: int, update_id: int, action: str, user: models.User
) -> models.IncidentUpdate:
    """submit | return | approve | publish | urgent (approve and publish in one step, second editor)."""
    inc = get(session, incident_id)
    upd = _update(session, inc, update_id)
    if inc.status == IncidentStatus.closed:
        raise IncidentError(_("Sự kiện đã đóng"), 409)
    old = upd.status
    now = utcnow()
    if action == "submit":
        if old != FactCheckStatus.draft:
            raise IncidentError(_("Chỉ gửi duyệt được bản nháp"), 409)
        if upd.kind == "update" and not upd.sources:
            raise IncidentError(_("Cập nhật cần ít nhất một nguồn"))
        if "…" in upd.body:
            raise IncidentError(_("Còn chỗ trống “…” trong mẫu, hãy điền trước khi gửi"))
        current = current_statement(inc) if upd.kind == "statement" else None
        if current is not None and current.body.strip() == upd.body.strip():
            raise IncidentError(_("Bản mới giống hệt thông cáo đang đăng, hãy sửa nội dung trước khi gửi"))
        upd.status = FactCheckStatus.in_review
        upd.submitted_at = now
    elif action == "return":
        if old not in (FactCheckStatus.in_review, FactCheckStatus.approved):
            raise IncidentError(_("Không thể trả lại ở trạng thái này"), 409)
        if user.role not in EDITORS:
            raise IncidentError(_("Chỉ biên tập viên"), 403)
        upd.status = FactCheckStatus.draft
        upd.approver_id = None
    elif action == "approve":
        if old != FactCheckStatus.in_review:
            raise IncidentError(_("Chỉ duyệt được bản đang chờ duyệt"), 409)
        _second_editor(upd, user)
        upd.status = FactCheckStatus.approved
        upd.approver_id = user.id
    elif action in ("publish", "urgent"):
        allowed = (FactCheckStatus.approved,) if action == "publish" else (FactCheckStatus.in_review,)
        if old not in allowed:
            raise IncidentError(_("Không thể đăng ở trạng thái này"), 409)
        _second_editor(upd, user)
        upd.approver_id = upd.approver_id or user.id
        upd.status = FactCheckStatus.published
        upd.published_at = now
        if upd.kind == "statement" and inc.first_statement_at is None:
            inc.first_statement_at = now
        inc.last_update_at = now
        _drop_caches(session)
    else:
        raise IncidentError(_("Thao tác không hợp lệ"))
    audit(
        session,
        f"incident_update.{action}",
        upd,
        user_id=user.id,
        data={"incident": inc.id, "old": old.value, "new": upd.status.value},
    )
    return upd


# ---------------------------------------------------------------- links to claims and tips


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", fold(text)) if len(w) > 1}


def suggest_links(session: Session, incident_id: int, limit: int = 10) -> list[dict[str, Any]]:
    """Claims and tips that look part of the incident: shared words with its title, same topic, same area.

    Suggestions only; nothing is linked until an editor confirms.
    """
    inc = get(session, incident_id)
    title_words = _words(inc.title)
    linked_claims = {link.claim_id for link in inc.links if link.claim_id}
    linked_tips = {link.tip_id for link in inc.links if link.tip_id}
    since = inc.started_at - timedelta(days=2)

    def score(text: str, topic: str | None) -> float:
        words = _words(text)
        overlap = len(title_words & words) / max(1, len(title_words))
        s = overlap
        if inc.topic and topic and fold(inc.topic) == fold(topic):
            s += 0.3
        if inc.province_code and areas.find_province(text) == inc.province_code:
            s += 0.3
        return round(s, 3)

    out: list[dict[str, Any]] = []
    for c in session.scalars(select(models.Claim).where(models.Claim.last_seen >= since).limit(2000)):
        if c.id in linked_claims:
            continue
        s = score(c.text, c.topic)
        if s >= 0.35:
            out.append(
                {
                    "kind": "claim",
                    "id": c.id,
                    "text": c.text,
                    "score": s,
                    "confidence": confidence(s),
                    "count": c.item_count,
                }
            )
    for t in session.scalars(select(models.Tip).where(models.Tip.received_at >= since).limit(2000)):
        if t.id in linked_tips:
            continue
        topic = (
            session.scalar(select(models.Claim.topic).where(models.Claim.id == t.claim_id))
            if t.claim_id
            else None
        )
        s = score(t.text, topic)
        if s >= 0.35:
            out.append(
                {
                    "kind": "tip",
                    "id": t.id,
                    "text": t.text[:300],
                    "score": s,
                    "confidence": confidence(s),
                    "count": 1,
                }
            )
    out.sort(key=lambda x: (-x["score"], -x["count"]))
    return out[:limit]


def confidence(score: float) -> str:
    """``high`` / ``medium`` / ``low`` for a :func:`suggest_links` score (word overlap with the title,
    up to 1, plus 0.3 each for the same topic and the same province; suggested from 0.35).

    High needs about all the title's words, or most of them with the topic or the province; medium,
    half of them with one of the two, or topic and province with a few words.
    """
    if score >= 0.9:
        return "high"
    return "medium" if score >= 0.6 else "low"


def link(
    session: Session,
    incident_id: int,
    user: models.User,
    *,
    claim_id: int | None = None,
    tip_id: int | None = None,
    score: float | None = None,
) -> models.IncidentLink:
    """Confirm a claim or a tip as part of the incident (idempotent)."""
    inc = get(session, incident_id)
    if (claim_id is None) == (tip_id is None):
        raise IncidentError(_("Chọn một nhận định hoặc một tin báo"))
    model: type[Any] = models.Claim if claim_id else models.Tip
    if session.get(model, claim_id or tip_id) is None:
        raise NotFound(claim_id or tip_id)
    for existing in inc.links:
        if existing.claim_id == claim_id and existing.tip_id == tip_id:
            return existing
    lk = models.IncidentLink(
        incident_id=inc.id, claim_id=claim_id, tip_id=tip_id, score=score, confirmed_by_id=user.id
    )
    inc.links.append(lk)
    session.flush()
    audit(
        session,
        "incident.link",
        inc,
        user_id=user.id,
        data={"claim": claim_id, "tip": tip_id, "score": score},
    )
    _drop_caches(session)
    return lk


def unlink(session: Session, incident_id: int, link_id: int, user: models.User) -> None:
    """Remove a link; removing one already gone is not an error (a double click, a second tab)."""
    inc = get(session, incident_id)
    lk = session.get(models.IncidentLink, link_id)
    if lk is None or lk.incident_id != inc.id:
        return
    audit(session, "incident.unlink", inc, user_id=user.id, data={"claim": lk.claim_id, "tip": lk.tip_id})
    inc.links.remove(lk)
    _drop_caches(session)


# ---------------------------------------------------------------- SLA timers


def sla(inc: models.Incident, now: datetime | None = None) -> dict[str, Any]:
    """Both timers of an incident: ``{"statement": {...}, "update": {...}}``.

    Each timer: ``target`` and ``elapsed`` in minutes, ``due`` (UTC), ``state``: ``met`` (statement
    published in time), ``late`` (published after the target), ``ok``, ``warn`` (≥ 75 % of the
    target gone), ``missed`` (target passed, nothing published) or ``off`` (incident closed /
    no statement yet for the update timer).
    """
    now = now or utcnow()
    s = get_settings()
    sev = inc.severity.value
    t_stmt = s.incident_statement_minutes.get(sev, 120)
    t_upd = s.incident_update_minutes.get(sev, 240)
    end = inc.closed_at or now
    stmt: dict[str, Any] = {"target": t_stmt, "due": inc.opened_at + timedelta(minutes=t_stmt)}
    if inc.first_statement_at is not None:
        stmt["elapsed"] = (inc.first_statement_at - inc.opened_at).total_seconds() / 60
        stmt["state"] = "met" if stmt["elapsed"] <= t_stmt else "late"
    else:
        stmt["elapsed"] = (end - inc.opened_at).total_seconds() / 60
        stmt["state"] = _state(stmt["elapsed"], t_stmt, inc.status == IncidentStatus.closed)
    upd: dict[str, Any] = {"target": t_upd}
    if inc.last_update_at is None:
        upd |= {"elapsed": None, "due": None, "state": "off"}
    else:
        upd["elapsed"] = (end - inc.last_update_at).total_seconds() / 60
        upd["due"] = inc.last_update_at + timedelta(minutes=t_upd)
        upd["state"] = "off" if inc.status == IncidentStatus.closed else _state(upd["elapsed"], t_upd, False)
    return {"statement": stmt, "update": upd}


def _state(elapsed: float, target: float, closed: bool) -> str:
    if elapsed > target:
        return "missed"
    if closed:
        return "off"
    return "warn" if elapsed >= 0.75 * target else "ok"


def check_sla(session: Session, now: datetime | None = None) -> list[dict[str, Any]]:
    """Flag and log each newly missed target of the open incidents (once per due time)."""
    # One checker at a time (the minute job, a desk page view), so a miss is logged once, not twice;
    # the one holding the lock logs what the other would have.
    if not locks.try_xact_lock(session, locks.INCIDENT_SLA):
        return []
    now = now or utcnow()
    new: list[dict[str, Any]] = []
    for inc in session.scalars(select(models.Incident).where(models.Incident.status == IncidentStatus.open)):
        timers = sla(inc, now)
        for kind in ("statement", "update"):
            t = timers[kind]
            if t["state"] != "missed":
                continue
            due = t["due"].isoformat(timespec="minutes")
            if any(m.get("kind") == kind and m.get("due") == due for m in inc.sla_misses or []):
                continue
            miss = {"kind": kind, "due": due, "at": now.isoformat(timespec="minutes"), "target": t["target"]}
            inc.sla_misses = [*(inc.sla_misses or []), miss]
            audit(session, "incident.sla_missed", inc, data=miss)
            log.warning("incident %s (%s): %s target of %s min missed", inc.id, inc.slug, kind, t["target"])
            new.append({"incident": inc.id, **miss})
    return new


def sweep_sla(now: datetime | None = None) -> list[dict[str, Any]]:
    """The minute job's part: log each missed target as it happens, not at the next desk page view."""
    with session_scope() as session:
        new = check_sla(session, now)
        if new:
            _drop_caches(session)
    return new


def missed_count(session: Session, now: datetime | None = None) -> int:
    """Open incidents with a target passed and nothing published yet (a statement or an update)."""
    now = now or utcnow()
    return sum(
        1
        for inc in session.scalars(
            select(models.Incident).where(models.Incident.status == IncidentStatus.open)
        )
        if any(t["state"] == "missed" for t in sla(inc, now).values())
    )


def desk_alerts() -> dict[str, int] | None:
    """``{"missed": n, "surges": m}`` for the desk nav, worked out at most once a minute per process.

    Its own session: the nav is drawn on every desk page, some of them after the request's session
    has closed. ``None`` when it cannot be worked out: the badge must never take a desk page down.
    """

    def build() -> dict[str, int]:
        now = utcnow()
        with session_scope() as session:
            return {"missed": missed_count(session, now), "surges": len(surges(session, now))}

    try:
        return cast(dict[str, int], ALERTS_CACHE.get_or_set("counts", build))
    except Exception:
        log.exception("desk alerts: counts not available")
        return None


# ---------------------------------------------------------------- desk pages


def list_incidents(session: Session, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    check_sla(session, now)
    rows = session.scalars(
        select(models.Incident).order_by(models.Incident.status, models.Incident.opened_at.desc())
    ).all()
    return {"incidents": [(inc, sla(inc, now)) for inc in rows]}


def view_context(session: Session, incident_id: int, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    check_sla(session, now)
    inc = get(session, incident_id)
    users = {u.id: u for u in session.scalars(select(models.User))}
    claims = {
        c.id: c
        for c in session.scalars(
            select(models.Claim).where(models.Claim.id.in_([lk.claim_id for lk in inc.links if lk.claim_id]))
        )
    }
    tips = {
        t.id: t
        for t in session.scalars(
            select(models.Tip).where(models.Tip.id.in_([lk.tip_id for lk in inc.links if lk.tip_id]))
        )
    }
    return {
        "inc": inc,
        "timers": sla(inc, now),
        "updates": list(reversed(inc.updates)),
        "users": users,
        "claims": claims,
        "tips": tips,
        "suggestions": suggest_links(session, inc.id) if inc.status == IncidentStatus.open else [],
        "can_revise": can_revise_statement(inc),
        # Statement versions after the first are labelled as revisions on the desk.
        "first_statement_id": min((u.id for u in inc.updates if u.kind == "statement"), default=None),
    }


def open_form_context(province_code: int | None = None) -> dict[str, Any]:
    return {
        "started_at": local_input_value(utcnow()),
        "provinces": areas.provinces(),
        "wards": areas.wards(province_code) if province_code else [],
        "province_code": province_code,
        "severities": list(IncidentSeverity),
        "area_source": areas.SOURCE,
    }


def review_queue(session: Session, user: models.User) -> list[tuple[models.IncidentUpdate, models.Incident]]:
    """Updates waiting for a second editor (not ``user``'s own), urgent and oldest first."""
    rows = session.execute(
        select(models.IncidentUpdate, models.Incident)
        .join(models.Incident)
        .where(
            models.IncidentUpdate.status.in_([FactCheckStatus.in_review, FactCheckStatus.approved]),
            models.Incident.status == IncidentStatus.open,
        )
        .order_by(models.IncidentUpdate.urgent.desc(), models.IncidentUpdate.submitted_at)
    ).all()
    return [(u, i) for u, i in rows if u.author_id != user.id]


# ---------------------------------------------------------------- closing and the after-action report


def close(session: Session, incident_id: int, user: models.User, note: str = "") -> models.Incident:
    inc = get(session, incident_id)
    if inc.status == IncidentStatus.closed:
        raise IncidentError(_("Sự kiện đã đóng"), 409)
    check_sla(session)
    inc.status = IncidentStatus.closed
    inc.closed_at = utcnow()
    data = report_data(session, inc)
    inc.report_md = report_markdown(data)
    inc.report_html = report_html(inc.report_md, inc.title)
    audit(session, "incident.close", inc, user_id=user.id, data={"note": note} if note else {})
    _drop_caches(session)
    return inc


def _minutes(a: datetime | None, b: datetime | None) -> float | None:
    return None if a is None or b is None else (b - a).total_seconds() / 60


def report_data(session: Session, inc: models.Incident) -> dict[str, Any]:
    """The after-action figures: timeline, first statement, links, answered and how fast."""
    from kiemchung.web.i18n import fmt_datetime

    timeline = [(inc.opened_at, _("Sự kiện được mở"))]
    published = sorted((u for u in inc.updates if u.published_at), key=lambda u: (u.published_at, u.id))
    statements_seen = 0
    for u in published:
        if u.kind == "statement" and statements_seen:
            timeline.append((cast(datetime, u.published_at), _("Đăng thông cáo sửa đổi")))
        else:
            label = _(KIND_LABELS.get(u.kind, KIND_LABELS["update"]))
            timeline.append(
                (cast(datetime, u.published_at), _("Đăng %(lower)s", lower=label.lower(), kind=u.kind))
            )
        statements_seen += u.kind == "statement"
    for m in inc.sla_misses or []:
        timeline.append((datetime.fromisoformat(m["at"]), _("Trễ mục tiêu: %(kind)s", kind=m["kind"])))
    if inc.closed_at:
        timeline.append((inc.closed_at, _("Sự kiện kết thúc")))
    timeline.sort(key=lambda x: x[0])

    claim_rows: list[dict[str, Any]] = []
    for lk in inc.links:
        if not lk.claim_id:
            continue
        c = session.get(models.Claim, lk.claim_id)
        if c is None:
            continue
        fc_at = session.scalar(
            select(func.min(models.FactCheck.published_at)).where(
                models.FactCheck.claim_id == c.id, models.FactCheck.published_at.is_not(None)
            )
        )
        claim_rows.append(
            {"text": c.text, "answered": fc_at is not None, "minutes": _minutes(c.first_seen, fc_at)}
        )
    tip_rows: list[dict[str, Any]] = []
    for lk in inc.links:
        if not lk.tip_id:
            continue
        t = session.get(models.Tip, lk.tip_id)
        if t is None:
            continue
        answered = t.status in (models.TipStatus.answered, models.TipStatus.warned)
        # Answered by a fact-check: at the later of the tip's arrival and the fact-check's publication.
        fc = session.get(models.FactCheck, t.fact_check_id) if t.fact_check_id else None
        at = max(t.received_at, fc.published_at) if fc is not None and fc.published_at else None
        tip_rows.append({"answered": answered, "minutes": _minutes(t.received_at, at) if answered else None})
    # The update timer restarts at each publication (a statement, a revision or an update): the gaps
    # between consecutive ones are what it measured.
    gaps = [
        (cast(datetime, b.published_at) - cast(datetime, a.published_at)).total_seconds() / 60
        for a, b in pairwise(published)
    ]
    speeds = sorted(r["minutes"] for r in claim_rows if r["minutes"] is not None)
    tip_speeds = sorted(r["minutes"] for r in tip_rows if r["minutes"] is not None)
    return {
        "title": inc.title,
        "area": inc.area_name,
        "severity": _(SEVERITY_LABELS[inc.severity]),
        "opened": fmt_datetime(inc.opened_at),
        "closed": fmt_datetime(inc.closed_at),
        "first_statement_minutes": _minutes(inc.opened_at, inc.first_statement_at),
        "statement_target": sla(inc)["statement"]["target"],
        "updates_published": sum(1 for u in inc.updates if u.published_at and u.kind == "update"),
        "update_gaps_minutes": gaps,
        "longest_gap_minutes": max(gaps, default=None),
        "update_target": sla(inc)["update"]["target"],
        "misses": len(inc.sla_misses or []),
        "timeline": [(fmt_datetime(at), what) for at, what in timeline],
        "claims": claim_rows,
        "claims_answered": sum(1 for r in claim_rows if r["answered"]),
        "median_answer_minutes": speeds[len(speeds) // 2] if speeds else None,
        "tips": len(tip_rows),
        "tips_answered": sum(1 for r in tip_rows if r["answered"]),
        "median_tip_minutes": tip_speeds[len(tip_speeds) // 2] if tip_speeds else None,
    }


def report_markdown(d: dict[str, Any]) -> str:
    lines = [
        _("# Báo cáo sau sự kiện: %(title)s", title=d["title"]),
        "",
        _("- Địa bàn: %(value)s", value=d["area"] or "—"),
        _("- Mức độ: %(severity)s", severity=d["severity"]),
        _("- Mở: %(opened)s · Đóng: %(closed)s", opened=d["opened"], closed=d["closed"]),
        _(
            "- Thông cáo đầu tiên sau: %(after)s (mục tiêu %(target)s)",
            after=fmt_minutes(d["first_statement_minutes"]),
            target=fmt_minutes(d["statement_target"]),
        ),
        _("- Số cập nhật đã đăng: %(updates_published)s", updates_published=d["updates_published"]),
        _(
            "- Khoảng cách dài nhất giữa hai lần đăng: %(longest)s (mục tiêu %(target)s)",
            longest=fmt_minutes(d["longest_gap_minutes"]),
            target=fmt_minutes(d["update_target"]),
        ),
        _("- Số lần trễ mục tiêu: %(misses)s", misses=d["misses"]),
        _(
            "- Nhận định liên quan: %(claims)s, đã trả lời: %(answered)s, thời gian trả lời trung vị: %(median)s",
            claims=len(d["claims"]),
            answered=d["claims_answered"],
            median=fmt_minutes(d["median_answer_minutes"]),
        ),
        _(
            "- Tin báo liên quan: %(tips)s, đã trả lời: %(answered)s, trung vị: %(median)s",
            tips=d["tips"],
            answered=d["tips_answered"],
            median=fmt_minutes(d["median_tip_minutes"]),
        ),
        "",
        _("## Diễn biến"),
        "",
        "| " + _("Thời điểm") + " | " + _("Việc") + " |",
        "|---|---|",
        *(f"| {when} | {what} |" for when, what in d["timeline"]),
        "",
        _("## Nhận định"),
        "",
        "| " + _("Nhận định") + " | " + _("Đã trả lời") + " | " + _("Sau") + " |",
        "|---|---|---|",
        *(
            f"| {r['text'].replace('|', '/')[:160]} | {_('có') if r['answered'] else _('chưa')} | "
            f"{fmt_minutes(r['minutes'])} |"
            for r in d["claims"]
        ),
        "",
    ]
    return "\n".join(lines)


def report_html(markdown: str, title: str) -> str:
    """A standalone HTML page of the Markdown report (sanitised)."""
    import html

    from kiemchung.web.templating import render_markdown

    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}"
        f"</style></head><body>{render_markdown(markdown)}</body></html>"
    )


def incident_report(session: Session, incident_id: int) -> tuple[str, str]:
    """``(markdown, html)``: the stored report of a closed incident, or a fresh one of an open one."""
    inc = get(session, incident_id)
    if inc.report_md and inc.report_html:
        return inc.report_md, inc.report_html
    md = report_markdown(report_data(session, inc))
    return md, report_html(md, inc.title)


# ---------------------------------------------------------------- surges


def _area_of(text: str) -> int | None:
    return areas.find_province(text)


def surges(session: Session, now: datetime | None = None) -> list[dict[str, Any]]:
    """Surges of claim posts and tips per (topic, province), with the claims that drive them.

    Reads only timestamps, topics and texts of claims/tips — aggregate counts, never who.
    """
    from urllib.parse import urlencode

    from kiemchung.engine import surge

    now = now or utcnow()
    since = now - timedelta(weeks=surge.WEEKS, hours=3)
    events: list[tuple[Any, datetime]] = []
    claim_key: dict[int, tuple[str, int | None]] = {}
    recent: dict[Any, dict[int, int]] = {}
    rows = session.execute(
        select(
            models.Claim.id,
            models.Claim.topic,
            models.Claim.text,
            models.Item.published_at,
            models.Item.ingested_at,
        )
        .join(models.ClaimItem, models.ClaimItem.claim_id == models.Claim.id)
        .join(models.Item, models.Item.id == models.ClaimItem.item_id)
        .where(func.coalesce(models.Item.published_at, models.Item.ingested_at) >= since)
    ).all()
    tips = session.execute(
        select(models.Tip.claim_id, models.Tip.text, models.Tip.received_at).where(
            models.Tip.received_at >= since
        )
    ).all()

    def key_of(claim_id: int | None, topic: str | None, text: str) -> tuple[str, int | None]:
        if claim_id is not None and claim_id in claim_key:
            return claim_key[claim_id]
        key = (topic or "khác", _area_of(text))
        if claim_id is not None:
            claim_key[claim_id] = key
        return key

    topics = {cid: topic for cid, topic in session.execute(select(models.Claim.id, models.Claim.topic))}
    for claim_id, topic, text, published, ingested in rows:
        at = published or ingested
        key = key_of(claim_id, topic, text)
        events.append((key, at))
        if now - surge.WINDOW <= at < now:
            recent.setdefault(key, {}).setdefault(claim_id, 0)
            recent[key][claim_id] += 1
    for tip_claim, text, received in tips:
        key = key_of(tip_claim, topics.get(tip_claim) if tip_claim else None, text)
        events.append((key, received))
        if tip_claim and now - surge.WINDOW <= received < now:
            recent.setdefault(key, {}).setdefault(tip_claim, 0)
            recent[key][tip_claim] += 1
    out = []
    for s in surge.detect(events, now):
        topic, province = cast(tuple[str, int | None], s.key)
        driving = sorted(recent.get(s.key, {}).items(), key=lambda kv: -kv[1])[:5]
        texts = {
            cid: text
            for cid, text in session.execute(
                select(models.Claim.id, models.Claim.text).where(models.Claim.id.in_([c for c, _ in driving]))
            )
        }
        title: str = (texts.get(driving[0][0]) or topic) if driving else topic
        query = {"title": title[:120], "topic": "" if topic == "khác" else topic}
        if province:
            query["province"] = str(province)
        out.append(
            {
                "topic": topic,
                "province": areas.province_name(province) or "—",
                "count": s.count,
                "baseline": s.baseline,
                "z": s.z,
                "claims": [{"id": c, "text": texts.get(c, ""), "count": n} for c, n in driving],
                "open_url": "/desk/incidents/new?" + urlencode(query),
            }
        )
    return out
