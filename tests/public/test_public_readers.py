"""What a reader sees: byline, correction notice on top, share and card tags, search honesty,
methodology scale, paging past the end, no verdict repeated as a topic."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from public_seed import CLAIMS, Seed

from kiemchung.store import session_scope
from kiemchung.store.models import FactCheck, Verdict


def test_fact_check_page_has_byline_date_correction_notice_share_and_card_tags(
    client: TestClient, seeded: Seed
) -> None:
    r = client.get(f"/kiem-chung/{seeded.slugs[Verdict.mostly_true]}")
    page = html.unescape(r.text)
    head = page.split("</head>", 1)[0]
    assert '<meta property="og:title" content="Giá xăng RON95 tăng 500 đồng từ ngày 1/3">' in head
    assert '<meta name="twitter:card" content="summary">' in head
    assert (
        f'<meta property="og:url" content="http://testserver/kiem-chung/{seeded.slugs[Verdict.mostly_true]}">'
        in head
    )
    assert 'rel="icon"' in head
    body = page.split('<main id="main"', 1)[1]
    h1 = body.index('<h1 class="claim"')
    notice = body.index("correction-notice")
    assert notice < h1  # the correction is the first thing a returning reader sees
    assert "Bài đã được đính chính ngày 11/03/2026" in body[notice:h1]
    byline = re.search(r'<p class="byline meta">(.*?)</p>', body, re.S)[1]
    assert "Bởi Bàn Kiểm Chứng" in byline and "02/03/2026" in byline  # the desk, and the date
    assert "facebook.com/sharer/sharer.php?u=http%3A//testserver/kiem-chung/" in r.text
    assert 'class="share"' in r.text


def test_unproven_is_not_scored_on_the_true_false_scale(client: TestClient, seeded: Seed) -> None:
    method = client.get("/phuong-phap").text
    row = re.search(r'<tr id="verdict-unproven">(.*?)</tr>', method, re.S)[1]
    assert "/5" not in row
    thead = re.search(r"<thead>(.*?)</thead>", method, re.S)[1]
    assert "<th></th>" not in thead and '<th scope="col"></th>' not in thead
    page = client.get(f"/kiem-chung/{seeded.slugs[Verdict.unproven]}").text
    assert "/5</p>" not in page
    assert '"ratingValue"' not in page.split("application/ld+json", 1)[1].split("</script>", 1)[0]


def test_a_topic_that_repeats_the_verdict_is_not_shown_beside_it(client: TestClient, seeded: Seed) -> None:
    page = html.unescape(client.get(f"/kiem-chung/{seeded.slugs[Verdict.scam]}").text)
    meta = page.split('<p class="meta">', 1)[1].split("</p>", 1)[0]
    assert "Lừa đảo" not in meta
    listing = html.unescape(client.get("/kiem-chung").text)
    card = listing.split(CLAIMS[Verdict.scam][0], 1)[0].rsplit('<article class="card fc-card">', 1)[1]
    assert card.count("Lừa đảo") == 1  # the verdict badge only


def test_a_page_past_the_end_is_missing_not_empty(client: TestClient) -> None:
    assert client.get("/kiem-chung", params={"page": 1}).status_code == 200
    r = client.get("/kiem-chung", params={"page": 99})
    assert r.status_code == 404 and "Không có trang này" in r.text
    assert client.get("/chu-de/suc-khoe", params={"page": 5}).status_code == 404


def test_search_ignores_stop_words_and_admits_when_nothing_matches(client: TestClient) -> None:
    def found(q: str) -> list[str]:
        page = html.unescape(client.get("/tim-kiem", params={"q": q}).text)
        return [claim for claim, _ in CLAIMS.values() if claim in page]

    # every seeded body says "không"-free text, but "có"/"không" are in most fact-checks of a real desk
    with session_scope() as s:
        for fc in s.query(FactCheck).all():
            fc.body += "\n\nKhông có bằng chứng nào khác."
    assert found("khong") == []
    assert found("không có gì") == []
    page = html.unescape(client.get("/tim-kiem", params={"q": "xyzzy không có gì"}).text)
    assert "Không tìm thấy bài kiểm chứng phù hợp" in page
    # content words still find, ranked by BM25: the claim that holds both words comes first
    hits = found("nuoc chanh")
    assert hits == [CLAIMS[Verdict.false][0]]
    assert found("xăng tăng giá") == [CLAIMS[Verdict.mostly_true][0]]


def test_related_fact_checks_share_words_or_a_topic(client: TestClient, seeded: Seed) -> None:
    page = html.unescape(client.get(f"/kiem-chung/{seeded.slugs[Verdict.false]}").text)
    aside = page.split("<aside>", 1)[1]
    assert "Bài liên quan" in aside
    assert CLAIMS[Verdict.unproven][0] in aside  # the other "Sức khỏe" fact-check
    assert CLAIMS[Verdict.false][0] not in aside  # never itself
