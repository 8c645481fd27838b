"""Login, logout, lockout, session invalidation and CSRF."""

from __future__ import annotations

from deskutil import PASSWORD, csrf_of, login
from fastapi.testclient import TestClient
from sqlalchemy import select

from kiemchung.store import models, session_scope


def test_unauthenticated_desk_redirects_to_login_with_next(app) -> None:
    with TestClient(app) as c:
        r = c.get("/desk/claims?status=all", follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == "/desk/login?next=%2Fdesk%2Fclaims%3Fstatus%3Dall"
        page = c.get(r.headers["location"])
        assert page.status_code == 200
        assert "Đăng nhập" in page.text and 'value="/desk/claims?status=all"' in page.text


def test_login_redirects_to_next_and_logout_ends_session(app) -> None:
    with TestClient(app) as c:
        token = csrf_of(c)
        r = c.post(
            "/desk/login",
            data={
                "email": "EDITOR@test.vn",
                "password": PASSWORD,
                "csrf_token": token,
                "next": "/desk/library",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == "/desk/library"
        assert c.get("/desk/library", follow_redirects=False).status_code == 200
        stolen = dict(c.cookies)
        r = c.post("/desk/logout", data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303
        assert c.get("/desk/", follow_redirects=False).status_code == 303
    # A copy of the cookie taken before logout no longer works.
    with TestClient(app, cookies=stolen) as c2:
        assert c2.get("/desk/", follow_redirects=False).status_code == 303


def test_open_redirect_refused(app) -> None:
    with TestClient(app) as c:
        token = csrf_of(c)
        r = c.post(
            "/desk/login",
            data={
                "email": "editor@test.vn",
                "password": PASSWORD,
                "csrf_token": token,
                "next": "//evil.example/x",
            },
            follow_redirects=False,
        )
        assert r.headers["location"] == "/desk/"


def test_wrong_password_message_and_lockout(app, monkeypatch) -> None:
    with TestClient(app) as c:
        token = csrf_of(c)
        for _ in range(4):
            r = c.post(
                "/desk/login",
                data={"email": "viewer@test.vn", "password": "sai-mat-khau-1", "csrf_token": token},
            )
            assert r.status_code == 400
            assert "Email hoặc mật khẩu không đúng" in r.text
        r = c.post(
            "/desk/login", data={"email": "viewer@test.vn", "password": "sai-mat-khau-1", "csrf_token": token}
        )
        assert r.status_code == 429 and "tạm khóa" in r.text
        # Even the right password is refused from this address while locked.
        r = c.post(
            "/desk/login",
            data={"email": "viewer@test.vn", "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 429
        # Other accounts are not affected.
        assert login(c, "editor")
    # The account itself is not locked: its owner, from another address, still gets in.
    with TestClient(app, client=("198.51.100.7", 40000)) as other:
        assert login(other, "viewer")
    with session_scope() as s:
        u = s.scalar(select(models.User).where(models.User.email == "viewer@test.vn"))
        assert u is not None and u.locked_until is None


def test_lockout_backs_off_per_account_and_address() -> None:
    from kiemchung.web.security import LoginGuard

    g = LoginGuard(max_failures=3, lockout_seconds=60)
    ends = []
    now = 0.0
    for _ in range(3):  # three locks in a row: 60 s, 120 s, 240 s
        for _ in range(3):
            end = g.failure("a@test.vn", "203.0.113.5", now=now)
        assert end is not None
        ends.append(end - now)
        now = end + 1
    assert ends == [60, 120, 240]
    assert g.locked_until("a@test.vn", "203.0.113.6", now=now) is None
    g.success("a@test.vn", "203.0.113.5")
    assert g.failure("a@test.vn", "203.0.113.5", now=now) is None  # a success starts over


def test_successful_logins_do_not_count_towards_the_address_limit(app) -> None:
    with TestClient(app) as c:
        for _ in range(30):  # more than the per-address limit (20)
            tok = login(c, "editor")
            assert c.post("/desk/logout", data={"csrf_token": tok}, follow_redirects=False).status_code == 303
        assert login(c, "editor")


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(app) -> None:
    with TestClient(app, client=("127.0.0.1", 40000)) as c:
        token = csrf_of(c)
        codes = [
            c.post(
                "/desk/login",
                data={"email": f"x{i}@test.vn", "password": "x" * 10, "csrf_token": token},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            ).status_code
            for i in range(25)
        ]
        assert codes[-1] == 429  # rotating the header did not reset the limit


def test_forwarded_for_from_a_trusted_proxy_names_the_client(desk_users, monkeypatch) -> None:
    from kiemchung.settings import get_settings
    from kiemchung.web.app import create_app

    monkeypatch.setenv("KIEMCHUNG_TRUSTED_PROXIES", '["127.0.0.1"]')
    get_settings.cache_clear()
    app = create_app()
    with TestClient(app, client=("127.0.0.1", 40000)) as c:
        token = csrf_of(c)
        for _ in range(5):
            c.post(
                "/desk/login",
                data={"email": "viewer@test.vn", "password": "sai-mat-khau-1", "csrf_token": token},
                headers={"X-Forwarded-For": "203.0.113.50"},
            )
        r = c.post(
            "/desk/login",
            data={"email": "viewer@test.vn", "password": PASSWORD, "csrf_token": token},
            headers={"X-Forwarded-For": "203.0.113.50"},
        )
        assert r.status_code == 429  # that client's pair is locked
        r = c.post(
            "/desk/login",
            data={"email": "viewer@test.vn", "password": PASSWORD, "csrf_token": token},
            headers={"X-Forwarded-For": "203.0.113.51"},
            follow_redirects=False,
        )
        assert r.status_code == 303  # another client behind the same proxy is not


def test_unknown_email_same_message(app) -> None:
    with TestClient(app) as c:
        r = c.post(
            "/desk/login",
            data={"email": "nobody@test.vn", "password": "whatever-123", "csrf_token": csrf_of(c)},
        )
        assert r.status_code == 400 and "Email hoặc mật khẩu không đúng" in r.text


def test_per_ip_rate_limit(app) -> None:
    with TestClient(app) as c:
        token = csrf_of(c)
        codes = [
            c.post(
                "/desk/login", data={"email": f"x{i}@test.vn", "password": "x" * 10, "csrf_token": token}
            ).status_code
            for i in range(25)
        ]
        assert codes[0] == 400 and codes[-1] == 429
        assert (
            "Quá nhiều lần đăng nhập từ địa chỉ này"
            in c.post(
                "/desk/login", data={"email": "editor@test.vn", "password": PASSWORD, "csrf_token": token}
            ).text
        )


def test_disabled_account_cannot_log_in_and_open_session_ends(app, client_for) -> None:
    c, _ = client_for("editor")
    admin, atoken = client_for("admin")
    assert c.get("/desk/", follow_redirects=False).status_code == 200
    with session_scope() as s:
        uid = s.scalar(select(models.User.id).where(models.User.email == "editor@test.vn"))
    r = admin.post(f"/desk/users/{uid}", data={"active": "0", "csrf_token": atoken}, follow_redirects=False)
    assert r.status_code == 303
    assert c.get("/desk/", follow_redirects=False).status_code == 303
    with TestClient(app) as fresh:
        r = fresh.post(
            "/desk/login",
            data={"email": "editor@test.vn", "password": PASSWORD, "csrf_token": csrf_of(fresh)},
        )
        assert r.status_code == 403 and "vô hiệu hóa" in r.text


def test_csrf_rejected(client_for) -> None:
    c, token = client_for("editor")
    r = c.post("/desk/fact-checks/new", data={"claim_reviewed": "x", "verdict": "false"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = c.post(
        "/desk/fact-checks/new", data={"claim_reviewed": "x", "verdict": "false", "csrf_token": "wrong"}
    )
    assert r.status_code == 403
    # htmx sends the token as a header
    r = c.post("/desk/fact-checks/preview", data={"body": "**b**"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and "<strong>b</strong>" in r.text
    with session_scope() as s:
        assert s.scalar(select(models.FactCheck)) is None


def test_login_form_needs_csrf(app) -> None:
    with TestClient(app) as c:
        c.get("/desk/login")
        r = c.post("/desk/login", data={"email": "editor@test.vn", "password": PASSWORD})
        assert r.status_code == 403
