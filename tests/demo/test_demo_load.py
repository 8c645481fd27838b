"""The bundled demo corpus: its files are valid, and the loader fills the store idempotently."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from kiemchung.demo.load import PLATFORM_SOURCE, item_records, load_demo, read_data
from kiemchung.store import models as m
from kiemchung.store import session_scope
from kiemchung.text import content_hash, normalise

DATA = read_data()
DOCS = {d["key"]: d for d in DATA.documents}
VERDICTS = {v.value for v in m.Verdict}
PUBLISHED = [f for f in DATA.factchecks if f.get("status", "published") == "published"]
IDENTITY_FIELD = re.compile(r"author|user|handle|profile|owner|name|uid|account|screen", re.I)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


# --- the data files ---------------------------------------------------------------------------
def test_corpus_sizes() -> None:
    assert len(DATA.documents) >= 30
    assert len(PUBLISHED) >= 40
    assert 3 <= len(DATA.factchecks) - len(PUBLISHED) <= 10  # drafts and in-review work
    assert len(DATA.items) >= 220
    assert 8 <= len(DATA.tips) <= 15
    assert {u["role"] for u in DATA.users} == {"admin", "editor", "reviewer", "viewer"}


def test_factchecks_are_well_formed() -> None:
    slugs = [f["slug"] for f in DATA.factchecks]
    assert len(slugs) == len(set(slugs))
    for fc in DATA.factchecks:
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", fc["slug"]), fc["slug"]
        assert len(fc["claim_reviewed"]) <= 75, fc["slug"]
        assert fc["verdict"] in VERDICTS, fc["slug"]
        assert fc.get("status", "published") in {s.value for s in m.FactCheckStatus}
        assert fc["summary"] and fc["body"] and fc["topics"]
        assert 3 <= len([p for p in fc["body"].split("\n\n") if p.strip()]) <= 6, fc["slug"]
        assert 0 <= fc["days_ago"] <= 60, fc["slug"]
    assert all(fc["citations"] for fc in PUBLISHED)
    # every verdict of the scale appears, so the public site shows the whole range
    assert {fc["verdict"] for fc in PUBLISHED} == VERDICTS


def test_citations_quote_their_documents() -> None:
    for fc in DATA.factchecks:
        for cit in fc["citations"]:
            assert cit["quote"], fc["slug"]
            if "document_key" in cit:
                assert cit["document_key"] in DOCS, (fc["slug"], cit["document_key"])
                assert cit["quote"] in DOCS[cit["document_key"]]["text"], (fc["slug"], cit["quote"])
            else:
                assert cit["url"].startswith("https://") and cit["title"], fc["slug"]


def test_documents_are_well_formed() -> None:
    hashes = {content_hash(d["text"]) for d in DATA.documents}
    assert len(hashes) == len(DATA.documents)  # the loader keys documents on this hash
    for doc in DATA.documents:
        assert doc["url"].startswith("https://") and doc["title"] and doc["publisher"]
        assert 3 <= len(doc["text"].split("\n\n")) <= 10, doc["key"]
        assert ("published_at" in doc) != ("days_ago" in doc), doc["key"]


def test_text_is_nfc_and_normalised() -> None:
    files = [DATA.sources, DATA.users, DATA.documents, DATA.factchecks, DATA.items, DATA.tips]
    for text in (s for f in files for s in _strings(f)):
        assert unicodedata.is_normalized("NFC", text), text[:60]
        # one tone-placement convention (hòa, thủy, khỏe) and no stray whitespace
        assert normalise(text) == text.strip(), text[:60]


def test_items_carry_no_author_identity() -> None:
    allowed = {"text", "hours_ago", "likes", "comments", "shares", "platform"}
    for item in DATA.items:
        assert set(item) <= allowed, set(item) - allowed
        assert not any(IDENTITY_FIELD.search(k) for k in item)
        assert not re.search(r"(?<![\w.])@\w", item["text"]), item["text"]  # no @handles
        assert "facebook.com/" not in item["text"] and "zalo.me/" not in item["text"]
    records = item_records(DATA.items, datetime(2026, 1, 1))
    assert not any(IDENTITY_FIELD.search(k) for r in records for k in r)


def test_items_are_distinct_and_use_fictional_contacts() -> None:
    hashes = [content_hash(i["text"]) for i in DATA.items]
    assert len(hashes) == len(set(hashes))  # no repost collapses into another at ingest
    assert all(1 <= i["hours_ago"] <= 60 * 24 for i in DATA.items)
    texts = " ".join(i["text"] for i in DATA.items + DATA.tips)
    phones = re.findall(r"(?<!\d)0\d{2,3}[ .]?\d{3}[ .]?\d{3,4}(?!\d)", texts)
    assert phones and all(p.startswith("0900 000") for p in phones), phones
    # scam posts point only at invented look-alike domains
    fake = re.findall(r"\b[\w-]+\.(?:xyz|top|online|site)\b", texts)
    assert "vietcombank-hotro-khachhang.xyz" in fake


def test_tips_reference_known_factchecks() -> None:
    slugs = {f["slug"] for f in PUBLISHED}
    for tip in DATA.tips:
        assert tip["status"] in {s.value for s in m.TipStatus}
        if tip["status"] == "answered":
            assert tip["fact_check"] in slugs


# --- the loader ------------------------------------------------------------------------------
def _count(url: str, model: Any, *where: Any) -> int:
    with session_scope(url) as db:
        return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@pytest.mark.postgres
def test_load_demo_rows_and_idempotent(db_url: str) -> None:
    now = datetime(2026, 11, 24, 9, 0)
    first = load_demo(db_url, now=now, quiet=True, process=False)
    assert first["fact_checks"] == len(DATA.factchecks)
    assert first["published"] == len(PUBLISHED)
    assert first["documents"] == len(DATA.documents)
    assert first["items"] == len(DATA.items)
    assert first["tips"] == len(DATA.tips)
    assert first["users"] == 4
    assert first["indicators"] == 11  # the scam phones and links of the demo posts, listed by the desk
    assert first["incidents"] == 2

    with session_scope(db_url) as db:
        fcs = db.scalars(select(m.FactCheck)).all()
        editor = db.scalars(select(m.User).where(m.User.role == m.Role.editor)).one()
        reviewer = db.scalars(select(m.User).where(m.User.role == m.Role.reviewer)).one()
        for fc in fcs:
            assert fc.author_id == editor.id
            assert [r.version for r in fc.revisions] == list(range(1, fc.version + 1))
            assert fc.version == 1 + len(fc.corrections)
            if fc.status == m.FactCheckStatus.published:
                assert fc.reviewer_id == reviewer.id and fc.reviewer_id != fc.author_id
                assert fc.citations and fc.published_at is not None
                assert now - timedelta(days=61) <= fc.published_at <= now
        corrected = [fc for fc in fcs if fc.corrections]
        assert corrected and all(c.version == fc.version for fc in corrected for c in fc.corrections)
        item_source = db.scalars(select(m.Source).where(m.Source.name == PLATFORM_SOURCE)).one()
        assert not item_source.registered
        assert db.scalar(select(func.count(m.Item.id)).where(m.Item.url.is_not(None))) == 0
        assert db.scalar(select(func.count(m.Source.id)).where(m.Source.domains.is_not(None))) >= 10
        from kiemchung.desk.auth import verify_password

        by_status = {i.status: i for i in db.scalars(select(m.Incident))}
        open_, closed = by_status[m.IncidentStatus.open], by_status[m.IncidentStatus.closed]
        assert open_.first_statement_at and len(open_.updates) == 3 and open_.area_name == "Thành phố Huế"
        assert closed.report_md and "Báo cáo sau sự kiện" in closed.report_md and closed.report_html
        assert all(u.approver_id == reviewer.id != u.author_id for u in open_.updates + closed.updates)
        admin = db.scalars(select(m.User).where(m.User.email == "admin@demo.kiemchung.vn")).one()
        assert admin.role == m.Role.admin and verify_password(admin.password_hash, DATA.password)
    audits = _count(db_url, m.AuditEvent, m.AuditEvent.action == "demo.load")
    assert audits == len(DATA.factchecks)

    totals = {
        model: _count(db_url, model)
        for model in (m.Source, m.User, m.Document, m.FactCheck, m.Item, m.Tip, m.Incident)
    }
    second = load_demo(db_url, now=now + timedelta(hours=3), quiet=True, process=False)
    assert not any(second.values()), second
    assert {model: _count(db_url, model) for model in totals} == totals
    assert _count(db_url, m.AuditEvent, m.AuditEvent.action == "demo.load") == audits


@pytest.mark.slow
def test_load_demo_runs_the_engine(configured: str) -> None:
    counts = load_demo(quiet=True)
    assert counts["items"] >= 200 and counts["published"] >= 40 and counts["documents"] >= 30
    assert counts["tips"] >= 8
    with session_scope() as db:
        assert db.scalar(select(func.count(m.Item.id)).where(m.Item.processed.is_(False))) == 0
        assert (db.scalar(select(func.count(m.Passage.id))) or 0) >= len(DATA.documents)
        assert (db.scalar(select(func.count(m.Claim.id))) or 0) >= 20
        # every quoted sentence was found in one of its document's passages
        unlinked = db.scalar(
            select(func.count(m.Citation.id)).where(
                m.Citation.document_id.is_not(None), m.Citation.passage_id.is_(None)
            )
        )
        assert unlinked == 0
        published = db.scalars(
            select(m.FactCheck).where(m.FactCheck.status == m.FactCheckStatus.published)
        ).all()
        assert len(published) >= 40 and all(fc.citations for fc in published)
        linked = db.scalars(select(m.IncidentLink)).all()
        assert {lk.incident_id for lk in linked} == set(db.scalars(select(m.Incident.id)))
    again = load_demo(quiet=True)
    assert not any(again.values()), again
