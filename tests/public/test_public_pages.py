"""Public pages render for every verdict, in Vietnamese and English, and escape user text."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from public_seed import CLAIMS, DRAFT_CLAIM, RETRACTED_CLAIM, Seed

from kiemchung.store import session_scope
from kiemchung.store.models import VERDICT_LABELS_EN, VERDICT_LABELS_VI, FactCheck, Verdict


def test_home_lists_latest_and_most_read_with_tip_and_scam_boxes(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    page = html.unescape(r.text)
    for claim, _ in CLAIMS.values():
        assert claim in page
    assert RETRACTED_CLAIM not in page and DRAFT_CLAIM not in page
    assert 'action="/gui-tin"' in r.text and 'name="website"' in r.text  # tip box with honeypot
    assert 'action="/kiem-tra"' in r.text
    most_read = page.split("Đọc nhiều nhất", 1)[1]
    # most read first: the scam one has the most views in the seed
    assert most_read.index(CLAIMS[Verdict.scam][0]) < most_read.index(CLAIMS[Verdict.mostly_true][0])


@pytest.mark.parametrize("verdict", list(Verdict))
def test_detail_page_for_every_verdict(client: TestClient, seeded: Seed, verdict: Verdict) -> None:
    r = client.get(f"/kiem-chung/{seeded.slugs[verdict]}")
    assert r.status_code == 200
    page = html.unescape(r.text)
    assert CLAIMS[verdict][0] in page
    assert f'class="badge badge-large verdict-{verdict.value}"' in r.text
    assert VERDICT_LABELS_VI[verdict] in page
    assert "<h2>Bối cảnh</h2>" in r.text  # markdown body rendered
    assert r.text.count('type="application/ld+json"') == 1
    en = client.get(f"/kiem-chung/{seeded.slugs[verdict]}?lang=en")
    assert VERDICT_LABELS_EN[verdict] in html.unescape(en.text)
    assert '<html lang="en">' in en.text


def test_detail_shows_sources_history_and_appearance(client: TestClient, seeded: Seed) -> None:
    page = html.unescape(client.get(f"/kiem-chung/{seeded.slugs[Verdict.false]}").text)
    assert "Thông cáo báo chí của Bộ Y tế" in page and "https://moh.gov.vn/thong-cao" in page
    assert "Không có bằng chứng nước chanh chữa ung thư." in page  # the quote
    assert "https://who.int/cancer" in page
    assert "https://moh.gov.vn/bai-viet-goc" in page
    corrected = html.unescape(client.get(f"/kiem-chung/{seeded.slugs[Verdict.mostly_true]}").text)
    assert "Sửa mức tăng giá: 500 đồng, không phải 5.000 đồng." in corrected
    assert "Lịch sử xuất bản và đính chính" in corrected


def test_retracted_page_has_notice_and_no_claimreview_and_draft_is_hidden(
    client: TestClient, seeded: Seed
) -> None:
    r = client.get(f"/kiem-chung/{seeded.retracted_slug}")
    assert r.status_code == 200
    assert "Bài đã bị rút lại" in r.text and "đã bị thay thế" in r.text
    assert "application/ld+json" not in r.text
    assert client.get(f"/kiem-chung/{seeded.draft_slug}").status_code == 404
    assert client.get("/kiem-chung/khong-ton-tai").status_code == 404


def test_list_paginates_and_filters_by_verdict(client: TestClient) -> None:
    r = client.get("/kiem-chung")
    page = html.unescape(r.text)
    assert all(claim in page for claim, _ in CLAIMS.values())
    assert RETRACTED_CLAIM not in page
    only = html.unescape(client.get("/kiem-chung?verdict=scam").text)
    assert CLAIMS[Verdict.scam][0] in only and CLAIMS[Verdict.true][0] not in only
    assert client.get("/kiem-chung?verdict=nonsense").status_code == 200  # unknown filter = all


def test_list_pagination_links(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiemchung.public import routes

    monkeypatch.setattr(routes, "PER_PAGE", 4)
    first = client.get("/kiem-chung").text
    assert 'rel="next" href="/kiem-chung?page=2"' in first
    second = html.unescape(client.get("/kiem-chung?page=2").text)
    # newest first: the two oldest are on page 2
    assert CLAIMS[Verdict.true][0] in second and CLAIMS[Verdict.mostly_true][0] in second
    assert CLAIMS[Verdict.scam][0] not in second


def test_topic_page(client: TestClient) -> None:
    r = client.get("/chu-de/suc-khoe")
    page = html.unescape(r.text)
    assert r.status_code == 200
    assert CLAIMS[Verdict.false][0] in page and CLAIMS[Verdict.unproven][0] in page
    assert CLAIMS[Verdict.true][0] not in page
    assert client.get("/chu-de/khong-co").status_code == 404


def test_search_without_diacritics(client: TestClient) -> None:
    page = html.unescape(client.get("/tim-kiem", params={"q": "nuoc chanh ung thu"}).text)
    assert CLAIMS[Verdict.false][0] in page
    assert CLAIMS[Verdict.true][0] not in page
    none = html.unescape(client.get("/tim-kiem", params={"q": "zzzz qqqq"}).text)
    assert "Không tìm thấy bài kiểm chứng phù hợp" in none


def test_methodology_generated_from_the_verdict_enum(client: TestClient) -> None:
    r = client.get("/phuong-phap")
    page = html.unescape(r.text)
    for v in Verdict:
        assert f'id="verdict-{v.value}"' in r.text
        assert VERDICT_LABELS_VI[v] in page
    assert "Nhận định, không phải con người" in page
    assert "Chính sách đính chính" in page


def test_corrections_log_lists_corrections_and_retractions(client: TestClient) -> None:
    page = html.unescape(client.get("/dinh-chinh").text)
    assert "Sửa mức tăng giá" in page
    assert RETRACTED_CLAIM in page and "đã bị thay thế" in page
    assert page.index(RETRACTED_CLAIM) < page.index("Sửa mức tăng giá")  # newest first


def test_about_names_the_organisation(client: TestClient) -> None:
    from kiemchung.settings import get_settings

    s = get_settings()
    page = html.unescape(client.get("/gioi-thieu").text)
    assert s.org_name in page and s.org_url in page and s.org_description in page


def test_pages_advertise_feeds(client: TestClient) -> None:
    for path in ("/", "/kiem-chung", "/phuong-phap", "/gui-tin"):
        text = client.get(path).text
        assert 'type="application/rss+xml"' in text and 'href="/atom.xml"' in text


def test_xss_in_fact_check_text_is_rendered_as_text(client: TestClient, seeded: Seed) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    with session_scope() as s:
        fc = s.get(FactCheck, seeded.ids[Verdict.true])
        assert fc is not None
        fc.claim_reviewed = f"Tin {evil}"
        fc.summary = evil
        fc.body = f"Đoạn văn {evil}\n\n[link](javascript:alert(1))"
    r = client.get(f"/kiem-chung/{seeded.slugs[Verdict.true]}")
    assert r.status_code == 200
    assert "<script>alert" not in r.text
    assert "<img" not in r.text
    assert 'href="javascript:' not in r.text
    assert "&lt;script&gt;" in r.text
    # inside the JSON-LD the text stays data: "</" is escaped so the script element cannot close
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', r.text, re.S)
    assert ld is not None and "</" not in ld.group(1)
