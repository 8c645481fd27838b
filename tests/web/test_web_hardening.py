"""Hardening of the app as a whole: secret, 413 on chunked bodies, HSTS, access log, look-up limit."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner

from kiemchung.settings import DEFAULT_SECRET, SECRET_FILE, InsecureSettingsError, Settings, get_settings
from kiemchung.web.app import create_app

TOKEN = "t0ken-for-tests-0123456789abcdef"


@pytest.fixture()
def app_env(configured: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    monkeypatch.setenv("KIEMCHUNG_ENGINE_IN_PROCESS", "false")
    monkeypatch.delenv("KIEMCHUNG_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    yield get_settings().data_dir


def _forged_admin_cookie(secret: str) -> str:
    import base64
    import json

    data = base64.b64encode(json.dumps({"uid": 1, "sv": 0}).encode())
    return TimestampSigner(secret).sign(data).decode()


def test_first_run_generates_a_private_secret_and_the_public_default_forges_nothing(app_env: Path) -> None:
    app = create_app()
    path = app_env / SECRET_FILE
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = path.read_text().strip()
    assert len(secret) >= 32 and secret != DEFAULT_SECRET
    # A second start reuses it (sessions survive restarts).
    create_app()
    assert path.read_text().strip() == secret
    with TestClient(app) as c:
        c.cookies.set("kiemchung_session", _forged_admin_cookie(DEFAULT_SECRET))
        r = c.get("/desk/users", follow_redirects=False)
        assert r.status_code == 303 and "/desk/login" in r.headers["location"]


def test_a_configured_secret_is_used_and_production_still_needs_one(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIEMCHUNG_SECRET_KEY", "k" * 40)
    get_settings.cache_clear()
    create_app()
    assert not (app_env / SECRET_FILE).exists()
    with pytest.raises(InsecureSettingsError):
        Settings(_env_file=None, env="production", secret_key=DEFAULT_SECRET)  # type: ignore[call-arg]


def test_chunked_body_over_the_limit_is_413_not_500(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIEMCHUNG_INTAKE_TOKEN", TOKEN)
    monkeypatch.setenv("KIEMCHUNG_MAX_REQUEST_BYTES", "20000")
    get_settings.cache_clear()

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        yield b'{"items": ['
        for _ in range(1000):
            yield b'{"text": "Tin nh\xe1\xba\xafn d\xc3\xa0i l\xe1\xba\xafm l\xe1\xba\xafm"},'
        yield b'{"text": "x"}]}'

    with TestClient(create_app(), raise_server_exceptions=False) as c:
        r = c.post(
            "/api/items",
            content=chunks(),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"


def test_hsts_only_over_https_in_production(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIEMCHUNG_ENV", "production")
    monkeypatch.setenv("KIEMCHUNG_SECRET_KEY", "p" * 40)
    get_settings.cache_clear()
    app = create_app()
    with TestClient(app, base_url="https://testserver") as c:
        assert c.get("/healthz").headers["strict-transport-security"].startswith("max-age=")
    with TestClient(app, base_url="http://testserver") as c:
        assert "strict-transport-security" not in c.get("/healthz").headers
    # Behind a trusted proxy that terminates TLS, the forwarded scheme counts.
    monkeypatch.setenv("KIEMCHUNG_TRUSTED_PROXIES", '["127.0.0.1"]')
    get_settings.cache_clear()
    with TestClient(create_app(), base_url="http://testserver", client=("127.0.0.1", 1)) as c:
        r = c.get("/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.4"})
        assert "strict-transport-security" in r.headers
        r = c.get("/healthz", headers={"X-Forwarded-Proto": "https"}, params={})
    monkeypatch.setenv("KIEMCHUNG_ENV", "development")
    get_settings.cache_clear()
    with TestClient(create_app(), base_url="https://testserver") as c:
        assert "strict-transport-security" not in c.get("/healthz").headers


def test_access_log_has_a_request_id_and_no_ip_query_or_token(
    app_env: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token = "Zx8kQ2mN4pR6sT8vW0yA2cE4gI6kM8oQ"
    with (
        caplog.at_level(logging.INFO, logger="kiemchung.access"),
        TestClient(create_app(), client=("203.0.113.77", 5555)) as c,
    ):
        r1 = c.get("/kiem-tra", params={"q": "0912345678"})
        r2 = c.get(f"/gui-tin/xoa/{token}")
        c.get(f"/khong-co/{token}", params={"stk": "190312345678"})
    lines = [r.getMessage() for r in caplog.records if r.name == "kiemchung.access"]
    assert len(lines) == 3
    text = "\n".join(lines)
    for secret in ("203.0.113.77", "0912345678", token, "190312345678", "?"):
        assert secret not in text
    assert r1.headers["x-request-id"] in lines[0] and r2.headers["x-request-id"] in lines[1]
    assert "GET /kiem-tra 200" in lines[0]
    assert "/gui-tin/xoa/{token}" in lines[1]


def test_scam_lookup_is_rate_limited_like_the_tipline(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIEMCHUNG_LOOKUP_RATE_LIMIT_PER_MINUTE", "5")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        api = [c.get("/api/v1/scam/check", params={"q": f"09123456{i:02d}"}) for i in range(7)]
        assert [r.status_code for r in api[:5]] == [200] * 5
        assert api[5].status_code == 429 and int(api[5].headers["retry-after"]) >= 1
        assert c.get("/kiem-tra", params={"q": "http://vi-du.test"}).status_code == 429
        assert c.get("/kiem-tra").status_code == 200  # the empty form is free
    with TestClient(create_app(), client=("198.51.100.3", 1)) as other:
        assert other.get("/api/v1/scam/check", params={"q": "0912345600"}).status_code == 200


def test_the_about_page_tells_readers_what_is_logged(app_env: Path) -> None:
    with TestClient(create_app()) as c:
        vi = c.get("/gioi-thieu").text
        en = c.get("/gioi-thieu", params={"lang": "en"}).text
    assert "Nhật ký máy chủ" in vi and "không ghi địa chỉ IP" in vi
    assert "We do not log IP addresses" in en
