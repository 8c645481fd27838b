"""Incident services (on SQLite and PostgreSQL): open, two-person review, links, SLA, close, surges."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kiemchung import cache
from kiemchung.desk import incidents
from kiemchung.desk.auth import hash_password
from kiemchung.jobs import tasks
from kiemchung.settings import get_settings
from kiemchung.store import models, session_scope
from kiemchung.store.models import FactCheckStatus, IncidentStatus, Role, utcnow


def _users(url: str) -> dict[str, int]:
    ids = {}
    with session_scope(url) as s:
        for name, role in (("bt1", Role.editor), ("bt2", Role.editor), ("xem", Role.viewer)):
            u = models.User(email=f"{name}@test.vn", role=role, password_hash=hash_password("x" * 12))
            s.add(u)
            s.flush()
            ids[name] = u.id
    return ids


def _user(s, uid: int) -> models.User:  # type: ignore[no-untyped-def]
    u = s.get(models.User, uid)
    assert u is not None
    return u


def _open(url: str, uid: int, **kw: object) -> int:
    with session_scope(url) as s:
        args = {"title": "Ngập sâu ở phường Hoàn Kiếm sau mưa lớn", "topic": "thời tiết", "province_code": 1}
        args.update(kw)
        return incidents.open_incident(s, _user(s, uid), **args).id  # type: ignore[arg-type]


def _statement(url: str, inc_id: int) -> int:
    with session_scope(url) as s:
        return next(u.id for u in incidents.get(s, inc_id).updates if u.kind == "statement")


def test_open_prefills_the_holding_statement_and_validates_the_area(db_url: str) -> None:
    ids = _users(db_url)
    inc_id = _open(db_url, ids["bt1"], ward_code=70, severity="critical")
    with session_scope(db_url) as s:
        inc = incidents.get(s, inc_id)
        assert inc.area_name == "Phường Hoàn Kiếm, Thành phố Hà Nội"
        assert inc.slug == "ngap-sau-o-phuong-hoan-kiem-sau-mua-lon"
        (st,) = inc.updates
        assert st.kind == "statement" and st.status == FactCheckStatus.draft
        assert "Những gì chúng tôi đã biết" in st.body and "Những gì chúng tôi chưa biết" in st.body
        assert "Lần cập nhật tiếp theo" in st.body
        with pytest.raises(incidents.IncidentError, match="Phường/xã không thuộc"):
            incidents.open_incident(s, _user(s, ids["bt1"]), title="X", province_code=79, ward_code=70)
        with pytest.raises(incidents.IncidentError, match="Cần tiêu đề"):
            incidents.open_incident(s, _user(s, ids["bt1"]), title="   ")
        with pytest.raises(incidents.IncidentError, match="không được ở tương lai"):
            incidents.open_incident(
                s, _user(s, ids["bt1"]), title="X", started_at=utcnow() + timedelta(hours=1)
            )


def test_two_person_review_and_the_urgent_path(db_url: str) -> None:
    ids = _users(db_url)
    inc_id = _open(db_url, ids["bt1"])
    st_id = _statement(db_url, inc_id)
    with session_scope(db_url) as s:
        bt1, bt2 = _user(s, ids["bt1"]), _user(s, ids["bt2"])
        with pytest.raises(incidents.IncidentError, match="chỗ trống"):
            incidents.review(s, inc_id, st_id, "submit", bt1)  # the "…" blanks are still there
        incidents.save_update(
            s,
            inc_id,
            bt1,
            update_id=st_id,
            body="Mưa lớn gây ngập ở ba tuyến phố. Chưa rõ thiệt hại.",
            sources=[incidents.Source("UBND phường", "https://example.gov.vn/tin")],
        )
        incidents.review(s, inc_id, st_id, "submit", bt1)
        with pytest.raises(incidents.IncidentError, match="biên tập viên thứ hai"):
            incidents.review(s, inc_id, st_id, "urgent", bt1)
        incidents.review(s, inc_id, st_id, "urgent", bt2)
        inc = incidents.get(s, inc_id)
        assert inc.first_statement_at is not None and inc.last_update_at == inc.first_statement_at
        # An update needs a source; then the ordinary path: approve, then publish.
        upd = incidents.save_update(s, inc_id, bt2, body="Nước đã rút ở hai tuyến phố.", sources=[])
        with pytest.raises(incidents.IncidentError, match="ít nhất một nguồn"):
            incidents.review(s, inc_id, upd.id, "submit", bt2)
        incidents.save_update(
            s,
            inc_id,
            bt2,
            update_id=upd.id,
            body="Nước đã rút ở hai tuyến phố.",
            sources=[incidents.Source("Công an phường", "")],
        )
        incidents.review(s, inc_id, upd.id, "submit", bt2)
        with pytest.raises(incidents.IncidentError, match="biên tập viên thứ hai"):
            incidents.review(s, inc_id, upd.id, "approve", bt2)
        incidents.review(s, inc_id, upd.id, "approve", bt1)
        incidents.review(s, inc_id, upd.id, "publish", bt1)
        assert upd.status == FactCheckStatus.published and upd.approver_id == ids["bt1"]
        actions = s.scalars(
            select(models.AuditEvent.action).where(models.AuditEvent.entity_type == "incident_update")
        )
        assert {"incident_update.urgent", "incident_update.approve", "incident_update.publish"} <= set(
            actions
        )


def test_suggestions_links_and_the_report(db_url: str) -> None:
    ids = _users(db_url)
    inc_id = _open(db_url, ids["bt1"])
    now = utcnow()
    with session_scope(db_url) as s:
        src = models.Source(name="Nguồn thử")
        s.add(src)
        s.flush()
        near = models.Claim(text="Hà Nội: ngập sâu ở phường Hoàn Kiếm, nước lên tới 1 mét", topic="thời tiết")
        far = models.Claim(text="Giá vàng hôm nay tăng mạnh", topic="kinh tế")
        s.add_all([near, far])
        s.flush()
        s.add(models.Tip(text="Có thật là phường Hoàn Kiếm bị ngập sâu không?", received_at=now))
        fc = models.FactCheck(
            slug="ngap-1-met",
            claim_reviewed="Ngập 1 mét ở Hoàn Kiếm",
            verdict=models.Verdict.misleading,
            status=FactCheckStatus.published,
            claim_id=near.id,
            published_at=now + timedelta(minutes=30),
        )
        s.add(fc)
        s.flush()
        sugg = incidents.suggest_links(s, inc_id)
        kinds = {(x["kind"], x["id"]) for x in sugg}
        assert ("claim", near.id) in kinds and ("claim", far.id) not in kinds
        assert any(k == "tip" for k, _ in kinds)
        # Most of the title's words, the topic and the province: the editor reads "cao", not a score.
        assert next(x for x in sugg if x["id"] == near.id and x["kind"] == "claim")["confidence"] == "high"
        # Tips answered by the fact-check 30, 60 and 20 minutes after they came in, and one unanswered.
        tips = [
            models.Tip(text="Hoàn Kiếm ngập 1 mét?", received_at=now, status=models.TipStatus.answered),
            models.Tip(
                text="Ngập ở Hoàn Kiếm thật không?",
                received_at=now - timedelta(minutes=30),
                status=models.TipStatus.answered,
            ),
            models.Tip(
                text="Nước ngập phố cổ?",
                received_at=now + timedelta(minutes=10),
                status=models.TipStatus.warned,
            ),
            models.Tip(text="Phố nào còn ngập?", received_at=now),
        ]
        s.add_all(tips)
        s.flush()
        for t in tips[:3]:
            t.fact_check_id = fc.id
        bt1 = _user(s, ids["bt1"])
        for t in tips:
            incidents.link(s, inc_id, bt1, tip_id=t.id)
        incidents.link(s, inc_id, bt1, claim_id=near.id)
        incidents.link(s, inc_id, bt1, claim_id=near.id)  # idempotent
        incidents.link(s, inc_id, bt1, claim_id=far.id)
        assert len(incidents.get(s, inc_id).links) == 2 + len(tips)
        assert all(x["id"] != near.id for x in incidents.suggest_links(s, inc_id) if x["kind"] == "claim")
        with pytest.raises(incidents.IncidentError):
            incidents.link(s, inc_id, bt1)
        inc = incidents.close(s, inc_id, bt1, "Nước đã rút")
        assert inc.status == IncidentStatus.closed and inc.report_md and inc.report_html
        assert "Nhận định liên quan: 2, đã trả lời: 1" in inc.report_md
        assert "Tin báo liên quan: 4, đã trả lời: 3, trung vị: 30 phút" in inc.report_md
        data = incidents.report_data(s, inc)
        assert (data["tips"], data["tips_answered"], data["median_tip_minutes"]) == (4, 3, 30)
        assert "<table>" in inc.report_html and "<script" not in inc.report_html
        with pytest.raises(incidents.IncidentError, match="đã đóng"):
            incidents.save_update(s, inc_id, bt1, body="x", sources=[])


def test_sla_timers_flag_and_log_each_miss_once(db_url: str) -> None:
    ids = _users(db_url)
    inc_id = _open(db_url, ids["bt1"], severity="critical")  # statement due within 60 minutes
    with session_scope(db_url) as s:
        inc = incidents.get(s, inc_id)
        opened = inc.opened_at
        assert incidents.sla(inc, opened + timedelta(minutes=10))["statement"]["state"] == "ok"
        assert incidents.sla(inc, opened + timedelta(minutes=50))["statement"]["state"] == "warn"
        assert incidents.sla(inc, opened + timedelta(minutes=61))["statement"]["state"] == "missed"
        assert incidents.sla(inc, opened)["update"]["state"] == "off"
        assert incidents.missed_count(s, opened + timedelta(minutes=50)) == 0
        assert incidents.missed_count(s, opened + timedelta(minutes=61)) == 1
        first = incidents.check_sla(s, opened + timedelta(minutes=61))
        again = incidents.check_sla(s, opened + timedelta(minutes=90))
        assert [m["kind"] for m in first] == ["statement"] and again == []
        assert s.scalar(select(models.AuditEvent.id).where(models.AuditEvent.action == "incident.sla_missed"))
        inc.first_statement_at = inc.last_update_at = opened + timedelta(minutes=75)
        timers = incidents.sla(inc, opened + timedelta(minutes=80))
        assert timers["statement"]["state"] == "late" and timers["update"]["state"] == "ok"
        assert incidents.sla(inc, opened + timedelta(minutes=75 + 121))["update"]["state"] == "missed"


def test_the_minute_sweep_logs_a_miss_when_it_happens(
    configured: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")  # the sweep's index pass has nothing to embed
    get_settings.cache_clear()
    ids = _users(configured)
    inc_id = _open(configured, ids["bt1"], severity="critical")  # statement due within 60 minutes
    with session_scope() as s:
        opened = incidents.get(s, inc_id).opened_at
    clock = {"now": opened + timedelta(minutes=59)}
    monkeypatch.setattr(incidents, "utcnow", lambda: clock["now"])

    def misses() -> list[dict[str, object]]:
        with session_scope() as s:
            return [
                e.data
                for e in s.scalars(
                    select(models.AuditEvent).where(models.AuditEvent.action == "incident.sla_missed")
                )
            ]

    tasks.sweep.call_local()
    assert misses() == []
    clock["now"] = opened + timedelta(minutes=61)  # nobody opens the desk: the minute job sees it
    tasks.sweep.call_local()
    due = (opened + timedelta(minutes=60)).isoformat(timespec="minutes")
    logged = {"kind": "statement", "due": due, "at": clock["now"].isoformat(timespec="minutes"), "target": 60}
    assert misses() == [logged]
    clock["now"] = opened + timedelta(minutes=62)
    tasks.sweep.call_local()  # the next minute: the same miss is not logged twice
    assert misses() == [logged]
    with session_scope() as s:
        assert incidents.get(s, inc_id).sla_misses == [logged]


def test_publishing_drops_the_public_cache(db_url: str) -> None:
    ids = _users(db_url)
    inc_id = _open(db_url, ids["bt1"])
    st_id = _statement(db_url, inc_id)
    incidents.PUBLIC_CACHE.set(("x", "data"), {"stale": True})
    with session_scope(db_url) as s:
        incidents.save_update(s, inc_id, _user(s, ids["bt1"]), update_id=st_id, body="Đã rõ.", sources=[])
        incidents.review(s, inc_id, st_id, "submit", _user(s, ids["bt1"]))
        incidents.review(s, inc_id, st_id, "urgent", _user(s, ids["bt2"]))
        assert incidents.PUBLIC_CACHE.get(("x", "data")) is not None  # not before the commit
    assert incidents.PUBLIC_CACHE.get(("x", "data")) is None
    cache.clear_all()


def test_surges_show_driving_claims_and_an_open_link(db_url: str) -> None:
    now = utcnow()
    with session_scope(db_url) as s:
        src = models.Source(name="Nguồn thử")
        s.add(src)
        s.flush()
        c = models.Claim(text="Đà Nẵng sắp mất điện toàn thành phố ba ngày", topic="điện")
        s.add(c)
        s.flush()
        for k in range(12):
            it = models.Item(
                source_id=src.id,
                text=f"bài {k}",
                content_hash=f"h{k}",
                published_at=now - timedelta(minutes=3 * k + 1),
            )
            s.add(it)
            s.flush()
            s.add(models.ClaimItem(claim_id=c.id, item_id=it.id))
        for w in range(1, 5):  # the usual volume: one post at this hour in previous weeks
            it = models.Item(
                source_id=src.id,
                text=f"cũ {w}",
                content_hash=f"o{w}",
                published_at=now - timedelta(weeks=w, minutes=20),
            )
            s.add(it)
            s.flush()
            s.add(models.ClaimItem(claim_id=c.id, item_id=it.id))
        s.flush()
        (sg,) = incidents.surges(s, now)
        assert sg["topic"] == "điện" and sg["province"] == "Thành phố Đà Nẵng" and sg["count"] == 12
        assert sg["claims"][0]["id"] == c.id and sg["claims"][0]["count"] == 12
        assert "province=48" in sg["open_url"] and sg["open_url"].startswith("/desk/incidents/new?")


def test_cli_report_incident(configured: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from kiemchung.cli import app

    ids = _users(configured)
    inc_id = _open(configured, ids["bt1"])
    runner = CliRunner()
    r = runner.invoke(app, ["report", "incident", str(inc_id)])
    assert r.exit_code == 0 and r.output.startswith("# Báo cáo sau sự kiện")
    out = tmp_path / "su-kien.md"
    r = runner.invoke(app, ["report", "incident", str(inc_id), "-o", str(out)])
    assert r.exit_code == 0 and out.read_text(encoding="utf-8").startswith("# Báo cáo")
    assert "<table>" in out.with_suffix(".html").read_text(encoding="utf-8")
    assert runner.invoke(app, ["report", "incident", "999"]).exit_code == 1
    assert runner.invoke(app, ["report", "incident"]).exit_code == 2


def _write_and_publish(
    s, inc_id: int, upd_id: int, body: str, author: models.User, second: models.User
) -> None:  # type: ignore[no-untyped-def]
    incidents.save_update(
        s, inc_id, author, update_id=upd_id, body=body, sources=[incidents.Source("Sở Xây dựng", "")]
    )
    incidents.review(s, inc_id, upd_id, "submit", author)
    incidents.review(s, inc_id, upd_id, "urgent", second)


def test_a_published_statement_is_revised_through_the_same_review(db_url: str) -> None:
    ids = _users(db_url)
    inc_id = _open(db_url, ids["bt1"])
    st_id = _statement(db_url, inc_id)
    with session_scope(db_url) as s:
        bt1, bt2, viewer = _user(s, ids["bt1"]), _user(s, ids["bt2"]), _user(s, ids["xem"])
        with pytest.raises(incidents.IncidentError, match="chưa đăng"):
            incidents.revise_statement(s, inc_id, bt1)  # the first version is still a draft
        _write_and_publish(s, inc_id, st_id, "Ngập ở hai tuyến phố, chưa rõ thiệt hại.", bt1, bt2)
        first_at = incidents.get(s, inc_id).first_statement_at
        new = incidents.revise_statement(s, inc_id, bt2)
        assert (new.kind, new.status, new.urgent) == ("statement", FactCheckStatus.draft, True)
        assert new.body == "Ngập ở hai tuyến phố, chưa rõ thiệt hại." and new.sources
        with pytest.raises(incidents.IncidentError, match="chưa đăng"):
            incidents.revise_statement(s, inc_id, bt1)  # one new version at a time
        with pytest.raises(incidents.IncidentError, match="giống hệt"):
            incidents.review(s, inc_id, new.id, "submit", bt2)  # nothing changed yet
        incidents.save_update(
            s, inc_id, bt2, update_id=new.id, body="Nước đã rút ở một tuyến; 12 hộ được di dời.", sources=[]
        )
        incidents.review(s, inc_id, new.id, "submit", bt2)
        inc = incidents.get(s, inc_id)
        assert incidents.current_statement(inc).id == st_id  # in force until the new one is out
        with pytest.raises(incidents.IncidentError, match="biên tập viên thứ hai"):
            incidents.review(s, inc_id, new.id, "urgent", bt2)
        with pytest.raises(incidents.IncidentError, match="Chỉ biên tập viên"):
            incidents.review(s, inc_id, new.id, "urgent", viewer)
        assert any(u.id == new.id for u, _ in incidents.review_queue(s, bt1))  # the urgent queue
        incidents.review(s, inc_id, new.id, "urgent", bt1)
        assert incidents.current_statement(inc).id == new.id
        assert inc.first_statement_at == first_at and inc.last_update_at == new.published_at
        data = incidents.report_data(s, inc)
        assert [what for _, what in data["timeline"]] == [
            "Sự kiện được mở",
            "Đăng thông cáo ban đầu",
            "Đăng thông cáo sửa đổi",
        ]
        assert data["updates_published"] == 0
        inc.status = IncidentStatus.closed
        with pytest.raises(incidents.IncidentError, match="đã đóng"):
            incidents.revise_statement(s, inc_id, bt1)


def test_the_report_gives_the_minutes_to_the_statement_and_between_publications(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _users(db_url)
    start = utcnow().replace(microsecond=0)
    clock = {"now": start}
    monkeypatch.setattr(incidents, "utcnow", lambda: clock["now"])
    inc_id = _open(db_url, ids["bt1"], severity="critical")  # targets: 60 and 120 minutes
    st_id = _statement(db_url, inc_id)
    with session_scope(db_url) as s:
        bt1, bt2 = _user(s, ids["bt1"]), _user(s, ids["bt2"])
        clock["now"] = start + timedelta(minutes=25)
        _write_and_publish(s, inc_id, st_id, "Cháy kho hàng, đã khống chế.", bt1, bt2)
        clock["now"] = start + timedelta(minutes=85)
        up = incidents.save_update(s, inc_id, bt2, body="Không có thương vong.", sources=[])
        _write_and_publish(s, inc_id, up.id, "Không có thương vong.", bt2, bt1)
        clock["now"] = start + timedelta(minutes=130)
        rev = incidents.revise_statement(s, inc_id, bt1)
        _write_and_publish(s, inc_id, rev.id, "Cháy kho hàng, đã dập tắt hoàn toàn.", bt1, bt2)
        clock["now"] = start + timedelta(minutes=265)  # 135 minutes after the last: past the target
        up2 = incidents.save_update(s, inc_id, bt2, body="Đường đã thông.", sources=[])
        _write_and_publish(s, inc_id, up2.id, "Đường đã thông.", bt2, bt1)
        inc = incidents.close(s, inc_id, bt1)
        data = incidents.report_data(s, inc)
        assert (data["first_statement_minutes"], data["statement_target"]) == (25, 60)
        assert data["update_gaps_minutes"] == [60, 45, 135]
        assert (data["longest_gap_minutes"], data["update_target"]) == (135, 120)
        assert "Thông cáo đầu tiên sau: 25 phút (mục tiêu 1 giờ 0 phút)" in inc.report_md
        assert (
            "Khoảng cách dài nhất giữa hai lần đăng: 2 giờ 15 phút (mục tiêu 2 giờ 0 phút)" in inc.report_md
        )
