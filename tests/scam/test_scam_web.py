from fastapi import FastAPI
from fastapi.testclient import TestClient

from kiemchung.scam.web import router


def client() -> TestClient:
    app = FastAPI()
    app.include_router(router)
    return TestClient(app)


def test_api_check_json(configured: str) -> None:
    c = client()
    r = c.get("/api/v1/scam/check", params={"q": "vietcombank-hotro.com"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"input", "kind", "verdict", "score", "reasons", "provenance"}
    assert body["verdict"] == "scam" and body["kind"] == "domain" and 0 <= body["score"] <= 1
    listed = c.get("/api/v1/scam/check", params={"q": "0000a.net"}).json()
    assert listed["verdict"] == "scam"
    assert (
        listed["provenance"][0]["feed"] == "chongluadao" and listed["provenance"][0]["licence"] == "CC0-1.0"
    )
    assert c.get("/api/v1/scam/check", params={"q": ""}).status_code == 422
    assert c.get("/api/v1/scam/check", params={"q": "x" * 3000}).status_code == 422


def test_html_page_form_and_result(configured: str) -> None:
    c = client()
    empty = c.get("/kiem-tra")
    assert empty.status_code == 200 and "Kiểm tra lừa đảo" in empty.text and "<form" in empty.text
    r = c.get("/kiem-tra", params={"q": "Vào shopee-vn.vip <script>alert(1)</script> nhận quà"})
    assert r.status_code == 200
    assert "Lừa đảo" in r.text and "shopee-vn.vip" in r.text
    assert "<script>alert(1)</script>" not in r.text  # escaped
    ok = c.get("/kiem-tra", params={"q": "https://ibanking.vietcombank.com.vn"})
    assert "Tên miền chính thức của ngân hàng Vietcombank" in ok.text and "Kênh chính thức" in ok.text
    en = c.get("/kiem-tra", params={"q": "https://ibanking.vietcombank.com.vn", "lang": "en"})
    assert "Official domain of Vietcombank" in en.text and "Scam check" in en.text


def test_keyword_reasons_follow_the_language(configured: str) -> None:
    """A word-list reason ("cờ bạc") is shown in the page's language, never both."""
    c = client()
    vi = c.get("/kiem-tra", params={"q": "nhacaiuytin88.com"})
    en = c.get("/kiem-tra", params={"q": "nhacaiuytin88.com", "lang": "en"})
    assert "(cờ bạc)" in vi.text and "gambling" not in vi.text
    assert "Contains common scam keywords (gambling)" in en.text and "cờ bạc" not in en.text
    from kiemchung.web.app import create_app

    with TestClient(create_app()) as full:  # the whole site: ?lang= is read by its middleware
        api_vi = full.get("/api/v1/scam/check", params={"q": "nhacaiuytin88.com"}).json()["reasons"]
        api_en = full.get("/api/v1/scam/check", params={"q": "nhacaiuytin88.com", "lang": "en"}).json()[
            "reasons"
        ]
    assert any("(cờ bạc)" in r for r in api_vi) and not any("gambling" in r for r in api_vi)
    assert any("(gambling)" in r for r in api_en) and not any("cờ bạc" in r for r in api_en)
