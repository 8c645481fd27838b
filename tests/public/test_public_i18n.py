"""The public pages in Vietnamese and in English: one language per page, the content marked vi."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from public_seed import Seed

from kiemchung.store.models import Verdict


def visible_text(html: str) -> str:
    """The page's text without tags, scripts and the elements marked ``lang="vi"``."""
    html = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    html = re.sub(r'<(\w+)[^>]*\blang="vi"[^>]*>.*?</\1>', " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_home_in_both_languages(client: TestClient) -> None:
    vi = client.get("/").text
    en = client.get("/?lang=en").text
    assert '<html lang="vi">' in vi and '<html lang="en">' in en
    assert "Trang chủ" in vi and "Bài kiểm chứng mới nhất" in vi
    assert "Home" in en and "Latest fact-checks" in en
    assert "Bài kiểm chứng mới nhất" not in en and "Trang chủ" not in visible_text(en)
    # the switch names the other language in that language
    assert 'lang="en">English</a>' in vi and 'lang="vi">Tiếng Việt</a>' in en


def test_fact_check_page_in_english_marks_the_vietnamese_content(client: TestClient, seeded: Seed) -> None:
    html = client.get(f"/kiem-chung/{seeded.slugs[Verdict.false]}?lang=en").text
    assert re.search(r'<h1 class="claim" lang="vi">', html)
    assert re.search(r'class="prose fc-body" lang="vi"', html)
    assert "Verdict" in html and "Accuracy 1/5" in html
    text = visible_text(html)
    assert "ClaimReview" not in text and "CLAIMREVIEW" not in text.upper()
    assert "Kết luận" not in text and "Nguồn trích dẫn" not in text


def test_fact_check_page_in_vietnamese_has_a_human_rating(client: TestClient, seeded: Seed) -> None:
    html = client.get(f"/kiem-chung/{seeded.slugs[Verdict.true]}").text
    assert "Mức độ chính xác 5/5" in html and "Điểm ClaimReview" not in html


def test_error_pages_follow_the_language(client: TestClient) -> None:
    vi = client.get("/kiem-chung/khong-co-bai-nay")
    en = client.get("/kiem-chung/khong-co-bai-nay?lang=en")
    assert vi.status_code == en.status_code == 404
    assert "Không tìm thấy" in vi.text and "Fact-check not found" not in vi.text
    assert "Page not found" in en.text and "Không tìm thấy" not in visible_text(en.text)
    assert " / " not in re.sub(r"<[^>]+>", "", en.text.split("<main", 1)[-1]).replace("RSS / Atom", "")


@pytest.mark.parametrize(
    ("lang", "one", "many"), [("vi", "kết quả cho", "kết quả cho"), ("en", "result for", "results for")]
)
def test_search_counts_with_plural_forms(client: TestClient, lang: str, one: str, many: str) -> None:
    html = client.get("/tim-kiem", params={"q": "vaccine", "lang": lang}).text
    m = re.search(r"(\d+) (kết quả cho|results? for)", html)
    assert m, html[:2000]
    assert m.group(2) == (one if m.group(1) == "1" else many)


def test_api_error_message_follows_the_language(client: TestClient) -> None:
    assert (
        client.get("/api/v1/fact-checks/999999").json()["error"]["message"] == "Không tìm thấy bài kiểm chứng"
    )
    r = client.get("/api/v1/fact-checks/999999?lang=en")
    assert r.json()["error"]["message"] == "Fact-check not found"
