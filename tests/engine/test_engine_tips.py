"""No lost tips: 100 mixed tips on the demo data, some while the engine is down, then every tip is
answered, warned or on a claim in the desk queue, and ``kiemchung tips audit`` agrees."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from importlib import resources
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from kiemchung.cli import app as cli_app
from kiemchung.engine import index as engine_index
from kiemchung.engine import pipeline, tips
from kiemchung.engine.worker import run_once
from kiemchung.public.tipstatus import demand
from kiemchung.settings import get_settings
from kiemchung.store import session_scope
from kiemchung.store.models import Claim, FactCheck, FactCheckStatus, Tip, TipStatus

CITIES = ["Cần Thơ", "Hải Phòng", "Đà Nẵng", "Nha Trang", "Vinh", "Huế", "Quy Nhơn", "Buôn Ma Thuột"]
SUBJECTS = [
    ("giá vé xe buýt", "tăng lên {n}.000 đồng một lượt"),
    ("học phí mầm non công lập", "được miễn hoàn toàn cho {n} nghìn trẻ"),
    ("phí gửi xe máy ở chợ", "tăng gấp {k} lần"),
    ("tiền điện sinh hoạt", "giảm {n} phần trăm trong mùa hè"),
]
LOW_SCORE = [
    "Cái này có thật không ạ?",
    "Mọi người ơi tin này đúng không?",
    "Ai biết thì trả lời giúp em với",
    "Thấy lo quá, có ai kiểm tra chưa?",
    "Xin hỏi chuyện này thế nào ạ",
]


def _new_claims(n: int) -> list[str]:
    out = []
    for i in range(n):
        subject, pred = SUBJECTS[i % len(SUBJECTS)]
        city = CITIES[i % len(CITIES)]
        out.append(
            f"Nghe nói từ tháng {1 + i % 12} năm tới {subject} ở {city} "
            + pred.format(n=10 + 7 * i, k=2 + i % 3)
            + "."
        )
    return out


def _scam_texts(n: int) -> list[str]:
    rows = json.loads(
        resources.files("kiemchung.demo").joinpath("data", "indicators.json").read_text("utf-8")
    )
    phones = [r["value"] for r in rows if r["kind"] == "phone"]
    return [
        f"Số {phones[i % len(phones)]} gọi cho tôi lần thứ {i + 2}, bảo tôi chuyển tiền đặt cọc nhận quà tri ân."
        for i in range(n)
    ]


@pytest.fixture()
def demo(configured: str, monkeypatch: pytest.MonkeyPatch) -> str:
    from kiemchung.demo.load import load_demo

    monkeypatch.setenv("KIEMCHUNG_RATE_LIMIT_PER_MINUTE", "100000")
    get_settings.cache_clear()
    engine_index.reset_index()
    pipeline.reset_state()
    load_demo(quiet=True)
    return configured


def _down(*_a: Any, **_k: Any) -> Any:
    raise RuntimeError("engine down (test)")


def test_hundred_mixed_tips_none_lost(demo: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiemchung.web.app import create_app

    with session_scope() as s:
        # the demo's own tips are already settled by the demo load's engine pass
        assert tips.audit(s) == []
        published = [
            fc.claim_reviewed
            for fc in s.scalars(select(FactCheck).where(FactCheck.status == FactCheckStatus.published))
        ]
    new = _new_claims(25)
    batch: list[tuple[str, str]] = (
        [("known", t) for t in published[:20]]
        + [("scam", t) for t in _scam_texts(15)]
        + [("new", t) for t in new]
        + [("low", LOW_SCORE[i % 5].rstrip("?") + ("", " ạ?", " nhé?")[i // 5]) for i in range(15)]
        + [("dup", new[i % 5]) for i in range(10)]  # exact repeats
        + [("dup", new[i].rstrip(".") + "!!") for i in range(5, 10)]  # re-punctuated repeats
    )
    down = [
        ("down", f"Có tin {CITIES[i % 8]} sẽ cấm đốt pháo giấy trong đám cưới từ năm {2030 + i}.")
        for i in range(6)
    ]
    down += [("down", LOW_SCORE[i] + " (gửi lại)") for i in range(2)] + [("down", new[0]), ("down", new[1])]
    assert len(batch) + len(down) == 100

    statuses: dict[str, Counter[str]] = {}
    tokens: dict[str, list[str]] = {}
    with TestClient(create_app(), base_url="http://testserver") as client:
        for kind, text in batch:
            body = client.post("/api/v1/tips", json={"text": text, "channel": "test"}).json()
            statuses.setdefault(kind, Counter())[body["status"]] += 1
            tokens.setdefault(kind, []).append(body["status_url"].rsplit("/", 1)[1])
        # the engine goes down: tips are still stored and acknowledged
        monkeypatch.setattr(engine_index, "get_index", _down)
        monkeypatch.setattr(pipeline, "get_index", _down)
        for kind, text in down:
            r = client.post("/api/v1/tips", json={"text": text})
            assert r.status_code == 200, r.text
            assert r.json()["status"] == "received"
            tokens.setdefault(kind, []).append(r.json()["status_url"].rsplit("/", 1)[1])

    with session_scope() as s:
        problems = tips.audit(s)
        waiting = {p.tip_id for p in problems}
        assert waiting and all(p.pending for p in problems), problems  # within the grace period
        late = tips.audit(s, grace=timedelta(0))
        assert {p.tip_id for p in late if not p.pending} == waiting
    assert CliRunner().invoke(cli_app, ["tips", "audit", "--grace-minutes", "0"]).exit_code == 1

    # the engine is back: the worker's next round picks the pending tips up
    monkeypatch.undo()
    run_once()
    with session_scope() as s:
        assert tips.audit(s, grace=timedelta(0)) == []
        all_tips = list(s.scalars(select(Tip)))
        assert len(all_tips) >= 100
        for tip in all_tips:
            if tip.status == TipStatus.answered:
                assert tip.fact_check_id is not None
            elif tip.status == TipStatus.warned:
                assert tip.answer["scam_verdict"] in ("scam", "suspicious")
            else:
                assert tip.claim_id is not None and s.get(Claim, tip.claim_id) is not None
        by_token = {t.status_token: t for t in all_tips}
        # low-scoring questions are on claims too (a citizen's question is always worth a look)
        assert all(by_token[t].claim_id is not None for t in tokens["low"])
        # repeats join the claim of the tip they repeat, and count as demand on it
        first = by_token[tokens["new"][0]]
        repeats = [by_token[t] for t in tokens["dup"][:10:5]] + [by_token[tokens["down"][-2]]]
        assert {r.claim_id for r in repeats} == {first.claim_id}
        assert demand(s, first.claim_id)[0] >= 4  # the tip, two repeats and one sent while down
    assert statuses["known"]["answered"] >= 15, statuses
    assert statuses["scam"]["warned"] >= 12, statuses
    result = CliRunner().invoke(cli_app, ["tips", "audit"])
    assert result.exit_code == 0, result.output
    assert "0 vi phạm" in result.output


def test_audit_reports_a_lost_tip_and_the_engine_pass_repairs_it(demo: str) -> None:
    with session_scope() as s:
        # as before this fix: a "received" tip with no item and no claim, seen by no desk view
        lost = Tip(text="Nghe nói bến xe Miền Đông cũ đóng cửa hẳn từ tuần sau.", channel="web", answer={})
        s.add(lost)
        s.flush()
        lost_id = lost.id
    out = CliRunner().invoke(cli_app, ["tips", "audit"])
    assert out.exit_code == 1 and f"#{lost_id}" in out.output and "Chưa vào hàng đợi biên tập" in out.output
    repaired = CliRunner().invoke(cli_app, ["tips", "audit", "--repair"])
    assert repaired.exit_code == 0, repaired.output
    with session_scope() as s:
        tip = s.get(Tip, lost_id)
        assert tip is not None and tip.claim_id is not None and tip.status == TipStatus.queued
