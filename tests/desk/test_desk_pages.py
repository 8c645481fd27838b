"""404 pages, XSS rendered as text, English switch, audit log page, users CLI."""

from __future__ import annotations

from deskutil import seed_claims
from sqlalchemy import select
from typer.testing import CliRunner

from kiemchung.store import models, session_scope

XSS = '<script>window.__x=1</script><img src=x onerror="window.__x=1">'


def test_unknown_ids_render_404_page(client_for) -> None:
    c, _ = client_for("admin")
    for path in (
        "/desk/claims/999",
        "/desk/fact-checks/999",
        "/desk/fact-checks/999/edit",
        "/desk/fact-checks/999/history",
        "/desk/library/999",
    ):
        r = c.get(path)
        assert r.status_code == 404 and "Không tìm thấy trang" in r.text, path


def test_xss_in_items_claims_and_fact_checks_is_text(client_for, desk_users) -> None:
    c, token = client_for("reviewer")
    (cid,) = seed_claims([{"text": XSS, "item_text": XSS + " bài đăng"}])
    with session_scope() as s:
        fc = models.FactCheck(
            slug="xss",
            claim_reviewed=XSS[:70],
            claim_text=XSS,
            summary=XSS,
            body=f"{XSS}\n\n[link](javascript:alert(1))",
            verdict=models.Verdict.false,
            author_id=desk_users["editor"],
        )
        fc.citations = [models.Citation(url="https://a.vn", title=XSS, quote=XSS)]
        s.add(fc)
        s.flush()
        fid = fc.id
    for path in (
        "/desk/",
        f"/desk/claims/{cid}",
        f"/desk/fact-checks/{fid}",
        "/desk/fact-checks",
        f"/desk/fact-checks/{fid}/edit",
    ):
        html = c.get(path).text
        assert "<script>window.__x" not in html and "<img src=x" not in html, path
        assert 'href="javascript:' not in html, path
    assert "&lt;script&gt;window.__x=1&lt;/script&gt;" in c.get(f"/desk/claims/{cid}").text
    r = c.post("/desk/fact-checks/preview", data={"body": XSS, "csrf_token": token})
    assert "<script" not in r.text and "<img" not in r.text
    assert "&lt;script&gt;window.__x=1&lt;/script&gt;" in r.text


def test_english_switch(client_for) -> None:
    c, _ = client_for("editor")
    assert "Claims queue" in c.get("/desk/?lang=en").text
    assert "Claims queue" in c.get("/desk/").text  # remembered by cookie
    assert "Hàng đợi nhận định" in c.get("/desk/?lang=vi").text


def test_audit_log_page_shows_diffs(client_for) -> None:
    ed, et = client_for("editor")
    ad, _ = client_for("admin")
    (cid,) = seed_claims([{"text": "Nhận định A"}])
    ed.post(f"/desk/claims/{cid}/status", data={"status": "dismissed", "csrf_token": et})
    html = ad.get("/desk/audit?entity=claim").text
    assert "claim.status" in html and "editor@test.vn" in html and "user.login" not in html
    assert "dismissed" in html


def test_users_cli(configured: str) -> None:
    from kiemchung.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["users", "add", "Bien.Tap@Example.vn", "--role", "editor", "--password", "ngan"])
    assert r.exit_code == 1 and "ít nhất 10 ký tự" in r.output
    r = runner.invoke(
        app,
        ["users", "add", "Bien.Tap@Example.vn", "--role", "editor", "--name", "Biên Tập"],
        input="mat-khau-rat-dai\nmat-khau-rat-dai\n",
    )
    assert r.exit_code == 0, r.output
    assert runner.invoke(app, ["users", "add", "bien.tap@example.vn", "--password", "x" * 12]).exit_code == 1
    r = runner.invoke(app, ["users", "set-role", "bien.tap@example.vn", "reviewer"])
    assert r.exit_code == 0 and "editor → reviewer" in r.output
    r = runner.invoke(app, ["users", "disable", "bien.tap@example.vn"])
    assert r.exit_code == 0
    out = runner.invoke(app, ["users", "list"]).output
    assert "bien.tap@example.vn\treviewer\tđã vô hiệu hóa\tBiên Tập" in out
    out_en = runner.invoke(app, ["users", "list"], env={"KIEMCHUNG_DEFAULT_LANG": "en"}).output
    assert "bien.tap@example.vn\treviewer\tdisabled\tBiên Tập" in out_en
    with session_scope() as s:
        actions = [e.action for e in s.scalars(select(models.AuditEvent).order_by(models.AuditEvent.id))]
        assert actions == ["user.create", "user.set_role", "user.disable"]
        from kiemchung.desk.auth import verify_password

        u = s.scalar(select(models.User))
        assert verify_password(u.password_hash, "mat-khau-rat-dai")
