"""Claims answered by the engine leave the open queue; claims get the topics of the fact-checks
they resemble (the fact-checks' own topics are the training data)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from kiemchung.engine.match import Candidate, MatchResult
from kiemchung.engine.pipeline import match_claims
from kiemchung.store import models, session_scope
from kiemchung.store.models import ClaimStatus, FactCheckStatus, Verdict


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
