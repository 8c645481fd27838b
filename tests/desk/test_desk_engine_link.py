"""desk/engine_link against the real engine on a real store: matches with their level, evidence,
indexing and retraction; and a page-friendly None when the index cannot be opened."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kiemchung.desk import engine_link
from kiemchung.engine import index as index_mod
from kiemchung.engine import pipeline
from kiemchung.settings import get_settings
from kiemchung.store import session_scope, upgrade
from kiemchung.store.models import Claim, Document, FactCheck, FactCheckStatus, Passage, Verdict

CLAIM = "Thành phố Huế miễn phí vé tham quan Đại Nội cho mọi du khách trong suốt năm 2027"
OTHER = "Giá vé tàu hỏa Hà Nội - Lào Cai giảm một nửa trong dịp nghỉ lễ Quốc khánh"


@pytest.fixture
def engine_store(configured: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    get_settings.cache_clear()
    upgrade()
    index_mod.reset_index()
    pipeline.reset_state()
    with session_scope() as s:
        fcs = [
            FactCheck(
                slug=f"fc-{i}",
                claim_reviewed=t,
                verdict=Verdict.false,
                status=FactCheckStatus.published,
                published_at=datetime(2026, 10, 1),
            )
            for i, t in enumerate([CLAIM, OTHER])
        ]
        doc = Document(
            title="Thông báo của Trung tâm Bảo tồn Di tích Cố đô Huế",
            text="Trung tâm cho biết vé tham quan Đại Nội năm 2027 giữ nguyên giá, chỉ miễn cho trẻ em dưới 7 tuổi.",
            content_hash="doc-hue",
        )
        doc.passages = [Passage(position=0, text=doc.text)]
        s.add_all([*fcs, doc])
        s.flush()
        ids = {"claim": fcs[0].id, "other": fcs[1].id, "passage": doc.passages[0].id}
    with session_scope() as s:
        index_mod.get_index(s).sync(s)
    yield ids
    index_mod.reset_index()
    pipeline.reset_state()


def test_matches_come_best_first_with_their_level(engine_store: dict[str, int]) -> None:
    got = engine_link.match_fact_checks(CLAIM, top=2)
    assert got is not None and got[0].fact_check_id == engine_store["claim"]
    assert got[0].level in ("answer", "suggest") and got[0].score >= got[-1].score
    assert all(m.level is None for m in got[1:])
    unrelated = engine_link.match_fact_checks("Hôm nay trời đẹp quá", top=2)
    assert unrelated is not None and all(m.level is None for m in unrelated)


def test_evidence_returns_passage_ids(engine_store: dict[str, int]) -> None:
    got = engine_link.evidence("vé tham quan Đại Nội năm 2027", k=1)
    assert got is not None and got[0].passage_id == engine_store["passage"] and got[0].score > 0
    assert got[0].level in ("answer", "suggest", None)


def test_the_claim_page_shows_plain_confidence_not_scores(engine_store: dict[str, int], client_for) -> None:  # type: ignore[no-untyped-def]
    """Editors read "độ tin cậy: cao/trung bình/thấp" for matches and library evidence, no "-4,68"."""
    with session_scope() as s:
        claim = Claim(text=CLAIM)
        s.add(claim)
        s.flush()
        cid = claim.id
    c, _ = client_for("editor")
    for lang, words in (("en", "confidence: "), ("vi", "độ tin cậy: ")):
        html = c.get(f"/desk/claims/{cid}?lang={lang}").text
        evidence = html.split('class="evidence"', 1)[1]  # the library passage is found
        assert re.search(re.escape(words) + r"(cao|trung bình|thấp|high|medium|low)<", evidence)
        assert words + ("cao" if lang == "vi" else "high") in html  # the matched fact-check
        text = re.sub(r"<[^>]+>", " ", html)
        assert not re.search(r"(?<![\d.,/])[-−]?\d+[.,]\d{2}(?![\d.,/])", text), lang  # no "-4,68"


def test_retracted_fact_check_leaves_the_index(engine_store: dict[str, int]) -> None:
    """Retraction through the desk's hook: the state bump alone takes it out of this process's
    answers, and the job (immediate in tests) takes it out of the persisted index."""
    with session_scope() as s:
        fc = s.scalars(select(FactCheck).where(FactCheck.id == engine_store["claim"])).one()
        fc.status = FactCheckStatus.retracted
        engine_link.schedule_reindex(s, fc.id)
    index_mod.get_index()._state_checked_at = 0.0  # no waiting for the next state check
    got = engine_link.match_fact_checks(CLAIM, top=2) or []
    assert engine_store["claim"] not in [m.fact_check_id for m in got]
    assert str(engine_store["claim"]) not in index_mod.get_index().fc_disk
    progress = engine_link.index_progress()
    assert progress is not None and not progress.updating


def test_unavailable_index_degrades_to_none(
    engine_store: dict[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    monkeypatch.setenv("KIEMCHUNG_INDEX_DIR", str(blocker / "index"))  # cannot be created
    get_settings.cache_clear()
    index_mod.reset_index()
    assert engine_link.match_fact_checks(CLAIM) is None
    assert engine_link.evidence(CLAIM) is None
    assert "unavailable" in caplog.text


def test_a_failing_index_job_leaves_the_publication_standing(
    engine_store: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_a: object, **_k: object) -> int:
        raise OSError("index directory gone")

    monkeypatch.setattr(index_mod.SearchIndex, "persist_fact_checks", broken)
    with session_scope() as s:
        s.get(FactCheck, engine_store["other"]).status = FactCheckStatus.retracted
        engine_link.schedule_reindex(s, engine_store["other"])
    with session_scope() as s:
        assert s.get(FactCheck, engine_store["other"]).status == FactCheckStatus.retracted
    progress = engine_link.index_progress()
    assert progress is not None and progress.updating  # the job is retried later; the desk shows it
