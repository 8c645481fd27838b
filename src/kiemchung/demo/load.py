"""Load the bundled Vietnamese demo corpus (``demo/data/``) into the store — idempotently.

    >>> from kiemchung.demo.load import load_demo
    >>> counts = load_demo()                 # doctest: +SKIP
    Đã nạp dữ liệu mẫu / Demo data loaded: 48 fact-checks, 33 tài liệu / documents, ...
    >>> load_demo()["fact_checks"]           # doctest: +SKIP
    0

Every row is keyed so a second run adds nothing: sources by name, users by e-mail, documents by
``content_hash``, fact-checks by slug, posts by the intake's per-source content hash, tips by text.
Dates in the data are relative (``days_ago``, ``hours_ago``) so the desk always looks like it is
in its second month of operation, whenever the demo is loaded.

Passages, claims and fact-check matches are not written here: ``engine.pipeline.process_pending``
derives them from the rows this module inserts, exactly as it does for real imports.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiemchung.desk.factchecks import snapshot
from kiemchung.engine.pipeline import process_pending
from kiemchung.intake.ingest import ingest_records
from kiemchung.scam.registry import load_registry
from kiemchung.store import audit, session_scope
from kiemchung.store import models as m
from kiemchung.text import content_hash
from kiemchung.web.i18n import _

PLATFORM_SOURCE = "Mạng xã hội (xuất dữ liệu mẫu)"
TIPLINE_SOURCE = "Hộp thư bạn đọc"
DEMO_ACTION = "demo.load"
# Where the desk's own fact-checks were re-published, to give the reach charts something to show.
CHANNELS = ("facebook", "zalo", "tiktok")

console = Console(highlight=False)


# --- reading the bundled files (pure) -------------------------------------------------------------
@dataclass
class DemoData:
    sources: list[dict[str, Any]]
    users: list[dict[str, Any]]
    password: str
    documents: list[dict[str, Any]]
    factchecks: list[dict[str, Any]]
    items: list[dict[str, Any]]
    tips: list[dict[str, Any]]


def _data_file(name: str) -> str:
    return resources.files("kiemchung.demo").joinpath("data", name).read_text("utf-8")


def _jsonl(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in _data_file(name).splitlines() if line.strip()]


def read_data() -> DemoData:
    """The bundled corpus as plain dicts (no database access)."""
    users = json.loads(_data_file("users.json"))
    return DemoData(
        sources=json.loads(_data_file("sources.json")),
        users=users["users"],
        password=users["password"],
        documents=_jsonl("documents.jsonl"),
        factchecks=_jsonl("factchecks.jsonl"),
        items=_jsonl("items.jsonl"),
        tips=_jsonl("tips.jsonl"),
    )


def when(row: dict[str, Any], now: datetime) -> datetime | None:
    """A row's date: an absolute ``published_at`` (ISO) or ``days_ago`` / ``hours_ago`` before ``now``.

    >>> now = datetime(2026, 11, 24, 12, 0)
    >>> when({"days_ago": 2}, now), when({"hours_ago": 5}, now)
    (datetime.datetime(2026, 11, 22, 12, 0), datetime.datetime(2026, 11, 24, 7, 0))
    >>> when({"published_at": "2024-06-30"}, now)
    datetime.datetime(2024, 6, 30, 0, 0)
    """
    if row.get("published_at"):
        return datetime.fromisoformat(str(row["published_at"])).replace(tzinfo=None)
    if "days_ago" in row:
        return now - timedelta(days=float(row["days_ago"]))
    if "hours_ago" in row:
        return now - timedelta(hours=float(row["hours_ago"]))
    return None


def item_records(items: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Demo posts as intake records (text, published_at, engagement, platform) — no author fields.

    >>> item_records([{"text": "x", "hours_ago": 1, "likes": 2, "platform": "zalo"}], datetime(2026, 1, 1))
    [{'text': 'x', 'published_at': datetime.datetime(2025, 12, 31, 23, 0), 'likes': 2, 'comments': 0, 'shares': 0, 'platform': 'zalo'}]
    """
    return [
        {
            "text": it["text"],
            "published_at": when(it, now),
            "likes": int(it.get("likes", 0)),
            "comments": int(it.get("comments", 0)),
            "shares": int(it.get("shares", 0)),
            "platform": it.get("platform"),
        }
        for it in items
    ]


def _stable(key: str, lo: int, hi: int) -> int:
    """A number in [lo, hi] fixed by ``key``, so reloads and tests see the same figures."""
    h = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16)
    return lo + h % (hi - lo + 1)


# --- writing rows ---------------------------------------------------------------------------------
@dataclass
class Counts:
    """Rows created by one run (all zero on a re-run)."""

    sources: int = 0
    registry_sources: int = 0
    users: int = 0
    documents: int = 0
    fact_checks: int = 0
    published: int = 0
    revisions: int = 0
    citations: int = 0
    corrections: int = 0
    channel_posts: int = 0
    items: int = 0
    tips: int = 0
    indicators: int = 0
    audit_events: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        out = {k: v for k, v in vars(self).items() if k != "extra"}
        out.update(self.extra)
        return out


def _load_sources(db: Session, rows: list[dict[str, Any]], counts: Counts) -> dict[str, m.Source]:
    existing = {s.name: s for s in db.scalars(select(m.Source))}
    for row in rows:
        if row["name"] in existing:
            continue
        src = m.Source(
            name=row["name"],
            kind=m.SourceKind(row.get("kind", "platform")),
            category=row.get("category", "other"),
            registered=bool(row.get("registered", False)),
            verified=bool(row.get("verified", False)),
            domains=list(row.get("domains", [])),
            page_urls=list(row.get("page_urls", [])),
            page_names=list(row.get("page_names", [])),
            url=row.get("url"),
        )
        db.add(src)
        existing[src.name] = src
        counts.sources += 1
    db.flush()
    return existing


def _load_users(db: Session, data: DemoData, counts: Counts) -> dict[str, m.User]:
    from kiemchung.desk.auth import hash_password

    by_role: dict[str, m.User] = {}
    for row in data.users:
        user = db.scalars(select(m.User).where(m.User.email == row["email"])).first()
        if user is None:
            user = m.User(
                email=row["email"],
                display_name=row.get("display_name", ""),
                role=m.Role(row["role"]),
                password_hash=hash_password(data.password),
            )
            db.add(user)
            counts.users += 1
            db.flush()
            audit(
                db,
                "user.create",
                user,
                data={"email": user.email, "role": user.role.value, "via": DEMO_ACTION},
            )
            counts.audit_events += 1
        by_role.setdefault(row["role"], user)
    return by_role


def _load_documents(
    db: Session, rows: list[dict[str, Any]], now: datetime, counts: Counts
) -> dict[str, m.Document]:
    by_key: dict[str, m.Document] = {}
    for row in rows:
        h = content_hash(row["text"])
        doc = db.scalars(select(m.Document).where(m.Document.content_hash == h)).first()
        if doc is None:
            doc = m.Document(
                title=row["title"],
                url=row.get("url"),
                publisher=row.get("publisher"),
                kind=row.get("kind", "article"),
                published_at=when(row, now),
                text=row["text"],
                content_hash=h,
            )
            db.add(doc)
            counts.documents += 1
        by_key[row["key"]] = doc
    db.flush()
    return by_key


def _add_revision(db: Session, fc: m.FactCheck, user_id: int, at: datetime, counts: Counts) -> None:
    """Snapshot the fact-check at its current version, as the desk does on every save."""
    db.add(
        m.FactCheckRevision(
            fact_check_id=fc.id, version=fc.version, data=snapshot(fc), user_id=user_id, created_at=at
        )
    )
    counts.revisions += 1


def _load_factchecks(
    db: Session,
    rows: list[dict[str, Any]],
    docs: dict[str, m.Document],
    users: dict[str, m.User],
    platform: m.Source | None,
    now: datetime,
    counts: Counts,
) -> dict[str, m.FactCheck]:
    editor, reviewer, admin = users["editor"], users["reviewer"], users["admin"]
    existing = set(db.scalars(select(m.FactCheck.slug)))
    by_slug: dict[str, m.FactCheck] = {}
    for row in rows:
        if row["slug"] in existing:
            continue
        status = m.FactCheckStatus(row.get("status", "published"))
        stamp = when(row, now) or now
        published = status == m.FactCheckStatus.published
        fc = m.FactCheck(
            slug=row["slug"],
            claim_reviewed=row["claim_reviewed"],
            claim_text=row.get("claim_text", ""),
            verdict=m.Verdict(row["verdict"]),
            summary=row.get("summary", ""),
            body=row.get("body", ""),
            topics=list(row.get("topics", [])),
            status=status,
            claim_source_id=platform.id if platform is not None else None,
            author_id=editor.id,
            reviewer_id=reviewer.id if status != m.FactCheckStatus.draft else None,
            # written the day before it went out; unpublished ones were started ``days_ago``
            created_at=stamp - timedelta(hours=_stable(row["slug"], 6, 30)) if published else stamp,
            updated_at=stamp,
            published_at=stamp if published else None,
            views=_stable(row["slug"] + ":views", 300, 18_000) if published else 0,
        )
        for pos, cit in enumerate(row.get("citations", [])):
            doc = docs.get(cit["document_key"]) if "document_key" in cit else None
            fc.citations.append(
                m.Citation(
                    document_id=doc.id if doc is not None else None,
                    url=doc.url if doc is not None else cit.get("url"),
                    title=doc.title if doc is not None else cit.get("title", ""),
                    quote=cit.get("quote", ""),
                    position=pos,
                )
            )
        db.add(fc)
        db.flush()
        counts.fact_checks += 1
        counts.published += int(published)
        counts.citations += len(fc.citations)
        _add_revision(db, fc, editor.id, stamp, counts)
        audit(
            db,
            DEMO_ACTION,
            fc,
            user_id=admin.id,
            data={"slug": fc.slug, "status": status.value, "verdict": fc.verdict.value},
        )
        counts.audit_events += 1
        for corr in row.get("corrections", []):
            at = when(corr, now) or now
            fc.updated_at = at  # an UPDATE: the mapper bumps ``version``
            db.flush()
            db.add(m.Correction(fact_check_id=fc.id, note=corr["note"], version=fc.version, created_at=at))
            _add_revision(db, fc, editor.id, at, counts)
            counts.corrections += 1
        if published:
            for i, channel in enumerate(CHANNELS[: _stable(fc.slug + ":ch", 1, len(CHANNELS))]):
                reach = _stable(f"{fc.slug}:{channel}", 800, 40_000) // (i + 1)
                db.add(
                    m.ChannelPost(
                        fact_check_id=fc.id,
                        channel=channel,
                        posted_at=stamp + timedelta(hours=i + 1),
                        reach=reach,
                        clicks=reach * _stable(f"{fc.slug}:{channel}:ctr", 1, 6) // 100,
                    )
                )
                counts.channel_posts += 1
        by_slug[fc.slug] = fc
    db.flush()
    return by_slug


def _answer(fc: m.FactCheck) -> dict[str, Any]:
    label = m.VERDICT_LABELS_VI[fc.verdict]
    return {
        "status": "answered",
        "message": f"Thông tin này đã được kiểm chứng: “{fc.claim_reviewed}” — {label}.",
        "fact_check_id": fc.id,
        "scam_verdict": None,
        "confidence": None,
        "wants_reply": False,
    }


def _load_tips(db: Session, rows: list[dict[str, Any]], now: datetime, counts: Counts) -> None:
    seen = set(db.scalars(select(m.Tip.text)))
    for row in rows:
        if row["text"] in seen:
            continue
        tip = m.Tip(
            text=row["text"],
            channel=row.get("channel", "web"),
            received_at=when(row, now) or now,
            status=m.TipStatus(row.get("status", "received")),
            answer={},
        )
        slug = row.get("fact_check")
        if slug:
            fc = db.scalars(select(m.FactCheck).where(m.FactCheck.slug == slug)).first()
            if fc is not None:
                tip.fact_check_id = fc.id
                tip.answer = _answer(fc)
                if tip.status == m.TipStatus.warned:
                    tip.answer.update(status="warned", scam_verdict=fc.verdict.value)
        db.add(tip)
        seen.add(row["text"])
        counts.tips += 1
    db.flush()


def _link_passages(db: Session) -> int:
    """Point document citations at the passage that holds their quote (once passages exist)."""
    linked = 0
    pending = db.scalars(
        select(m.Citation).where(m.Citation.document_id.is_not(None), m.Citation.passage_id.is_(None))
    ).all()
    for cit in pending:
        passages = db.scalars(select(m.Passage).where(m.Passage.document_id == cit.document_id)).all()
        hit = next((p for p in passages if cit.quote and cit.quote in p.text), None)
        if hit is not None:
            cit.passage_id = hit.id
            linked += 1
    db.flush()
    return linked


def _load_indicators(db: Session, users: dict[str, m.User]) -> int:
    """Scam indicators the demo desk has listed by hand (phones and links from the demo posts)."""
    from kiemchung.scam.blocklist import add_indicator, normalise_value

    editor = next((u for u in users.values() if u.role == m.Role.editor), None)
    rows = json.loads(
        resources.files("kiemchung.demo").joinpath("data", "indicators.json").read_text("utf-8")
    )
    added = 0
    for row in rows:
        value = normalise_value(row["kind"], row["value"])
        exists = db.scalar(
            select(m.Indicator.id).where(
                m.Indicator.kind == m.IndicatorKind(row["kind"]),
                m.Indicator.value == value,
                m.Indicator.feed_id.is_(None),
            )
        )
        if exists is None:
            add_indicator(
                db, row["kind"], row["value"], "block", row["reason"], editor.id if editor else None
            )
            added += 1
    return added


def _load_incidents(db: Session, users: dict[str, m.User], now: datetime) -> int:
    """The fictional incidents: statement and updates written by the editor and approved by the
    reviewer, claims linked by keyword (folded), the closed one with its after-action report."""
    from kiemchung import areas
    from kiemchung.desk import incidents
    from kiemchung.text import fold

    rows = json.loads(_data_file("incidents.json"))["incidents"]
    editor, reviewer = users.get("editor"), users.get("reviewer")
    made = 0
    claims = db.execute(select(m.Claim.id, m.Claim.text)).all()
    for row in rows:
        if db.scalar(select(m.Incident.id).where(m.Incident.title == row["title"])) is not None:
            continue  # already loaded
        slug = incidents.make_slug(db, row["title"])
        opened = now - timedelta(hours=row["opened_hours_ago"])
        inc = m.Incident(
            slug=slug,
            title=row["title"],
            topic=row.get("topic"),
            province_code=row.get("province"),
            area_name=areas.area_label(row.get("province")),
            severity=m.IncidentSeverity(row["severity"]),
            started_at=opened - timedelta(minutes=30),
            opened_at=opened,
            opened_by_id=editor.id if editor else None,
            sla_misses=[],
        )
        db.add(inc)
        db.flush()
        for u in row["updates"]:
            at = opened + timedelta(hours=u["hours_after_open"])
            db.add(
                m.IncidentUpdate(
                    incident_id=inc.id,
                    kind=u["kind"],
                    body=u["body"],
                    sources=u["sources"],
                    status=m.FactCheckStatus.published,
                    urgent=u["kind"] == "statement",
                    author_id=editor.id if editor else None,
                    approver_id=reviewer.id if reviewer else None,
                    created_at=at - timedelta(minutes=20),
                    submitted_at=at - timedelta(minutes=10),
                    published_at=at,
                )
            )
            if u["kind"] == "statement" and inc.first_statement_at is None:
                inc.first_statement_at = at
            inc.last_update_at = at
        keywords = row.get("claim_keywords", [])
        for claim_id, text in claims:
            if any(k in fold(text) for k in keywords):
                db.add(
                    m.IncidentLink(
                        incident_id=inc.id, claim_id=claim_id, confirmed_by_id=editor.id if editor else None
                    )
                )
        db.flush()
        db.refresh(inc)
        if "closed_hours_after_open" in row:
            inc.status = m.IncidentStatus.closed
            inc.closed_at = opened + timedelta(hours=row["closed_hours_after_open"])
            inc.report_md = incidents.report_markdown(incidents.report_data(db, inc))
            inc.report_html = incidents.report_html(inc.report_md, inc.title)
        made += 1
    return made


def _load_feedback(db: Session, users: dict[str, m.User], now: datetime) -> int:
    """The fictional feedback threads: items clustered by the feedback service, forwarded, answered by
    the editor and approved by the reviewer (two people), published; dates moved back in time."""
    from kiemchung.feedback import service as fb

    editor, reviewer = users.get("editor"), users.get("reviewer")
    if editor is None or reviewer is None:
        return 0
    rows = json.loads(_data_file("feedback.json"))["threads"]
    made = 0
    for row in rows:
        if db.scalar(select(m.FeedbackThread.id).where(m.FeedbackThread.title == row["title"])) is not None:
            continue  # already loaded
        start = now - timedelta(days=row["days_ago"])
        thread = None
        for n, text in enumerate(row["items"]):
            r = fb.submit(
                db,
                kind=row["kind"],
                topic=row["topic"],
                province_code=row["province"],
                ward_code=None,
                text=text,
                channel="demo",
            )
            r.item.received_at = start + timedelta(hours=3 * n)
            if thread is not None and r.thread.id != thread.id:
                fb.merge(db, r.thread.id, thread.id, editor)
            thread = thread or r.thread
        assert thread is not None
        fb.route(db, thread.id, editor, row["department"])
        ans = fb.save_answer(db, thread.id, editor, body=row["answer"])
        fb.review_answer(db, thread.id, ans.id, "submit", editor)
        fb.review_answer(db, thread.id, ans.id, "approve", reviewer)
        fb.publish(db, thread.id, editor, title=row["title"])
        answered = start + timedelta(days=row["answer_after_days"])
        thread.created_at, thread.answered_at, thread.published_at = start, answered, answered
        thread.last_item_at = start + timedelta(hours=3 * (len(row["items"]) - 1))
        thread.support_count = row.get("support", 0)
        ans.published_at = ans.submitted_at = answered
        for i, ev in enumerate(thread.events):
            ev.at = min(
                answered,
                start + timedelta(days=row["answer_after_days"] * i / max(1, len(thread.events) - 1)),
            )
        made += 1
    db.flush()
    return made


def load_demo(
    database_url: str | None = None, *, now: datetime | None = None, quiet: bool = False, process: bool = True
) -> dict[str, int]:
    """Load the demo corpus into ``database_url`` (default: the configured database).

    Returns the number of rows created per kind; a second run returns zeros. The database must
    already be migrated (``kiemchung demo`` runs the migrations first). ``process=False`` leaves
    the posts pending for a later ``process_pending`` (or the background worker).
    """
    say = (lambda *_a, **_k: None) if quiet else console.print
    data = read_data()
    now = now or m.utcnow()
    counts = Counts()
    with session_scope(database_url) as db:
        say(_("[bold]Đang nạp dữ liệu mẫu"))
        sources = _load_sources(db, data.sources, counts)
        counts.registry_sources = load_registry(db)[0]
        users = _load_users(db, data, counts)
        counts.indicators = _load_indicators(db, users)
        docs = _load_documents(db, data.documents, now, counts)
        _load_factchecks(db, data.factchecks, docs, users, sources.get(PLATFORM_SOURCE), now, counts)

        before = db.scalar(select(func.count(m.Item.id))) or 0
        report = ingest_records(db, item_records(data.items, now), source_name=PLATFORM_SOURCE, kind="post")
        for line, reason in report.rejected:
            say(_("[yellow]Bỏ qua bài dòng %(line)s", line=line, reason=reason))
        counts.items = (db.scalar(select(func.count(m.Item.id))) or 0) - before
        _load_tips(db, data.tips, now, counts)
        db.flush()

        if not process:
            say(_("Bài đăng chờ xử lý sau"))
        else:
            say(_("Đang phân tích bài đăng và tài liệu"))
            stats = process_pending(db, progress=not quiet)
            counts.extra.update(
                claims_new=stats.claims_new,
                matched_answer=stats.matched_answer,
                matched_suggest=stats.matched_suggest,
            )
            counts.extra["citations_linked"] = _link_passages(db)
        counts.extra["incidents"] = _load_incidents(db, users, now)
        counts.extra["feedback_threads"] = _load_feedback(db, users, now)

    result = counts.as_dict()
    say(
        "[green]"
        + _(
            "Đã nạp dữ liệu mẫu:[/green] %(fact_checks)s bài kiểm chứng (%(published)s đã đăng), "
            "%(documents)s tài liệu, %(items)s bài đăng, %(tips)s tin báo, %(users)s tài khoản.",
            fact_checks=counts.fact_checks,
            published=counts.published,
            documents=counts.documents,
            items=counts.items,
            tips=counts.tips,
            users=counts.users,
        )
    )
    if not any(v for k, v in result.items() if k not in counts.extra):
        say(_("Dữ liệu mẫu đã có sẵn, không thêm gì"))
    say(
        _(
            "Tài khoản trình diễn (chỉ dùng cho bản demo) — mật khẩu: [bold]%(password)s[/bold]",
            password=data.password,
        )
    )
    for row in data.users:
        say(f"  {row['email']:<30} {row['role']}")
    return result
