"""RSS/Atom round-trip through feedparser, ClaimReview JSON-LD for every verdict, sitemap, robots."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from fastapi.testclient import TestClient
from public_seed import CLAIMS, RETRACTED_CLAIM, Seed
from sqlalchemy import select

from kiemchung.store import session_scope
from kiemchung.store.models import VERDICT_LABELS_VI, VERDICT_RATING, FactCheck, Verdict

BASE = "http://testserver"


@pytest.mark.parametrize("path", ["/feed.xml", "/atom.xml"])
def test_feed_round_trips_through_feedparser(client: TestClient, seeded: Seed, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(
        "application/rss+xml" if "feed" in path else "application/atom+xml"
    )
    feed = feedparser.parse(r.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == ("rss20" if path == "/feed.xml" else "atom10")
    assert feed.feed.title
    assert len(feed.entries) == len(CLAIMS)
    by_link = {e.link: e for e in feed.entries}
    for verdict, (claim, _) in CLAIMS.items():
        e = by_link[f"{BASE}/kiem-chung/{seeded.slugs[verdict]}"]
        assert claim in e.title and VERDICT_LABELS_VI[verdict] in e.title
        assert e.summary.startswith("Tóm tắt:")
        assert e.published_parsed is not None
    assert all(RETRACTED_CLAIM not in e.title for e in feed.entries)
    # newest first
    stamps = [e.published_parsed for e in feed.entries]
    assert stamps == sorted(stamps, reverse=True)


def test_feed_escapes_markup_in_text(client: TestClient, seeded: Seed) -> None:
    with session_scope() as s:
        fc = s.get(FactCheck, seeded.ids[Verdict.true])
        assert fc is not None
        fc.claim_reviewed = "A & B <b>đậm</b> ]]>"
    for path in ("/feed.xml", "/atom.xml"):
        feed = feedparser.parse(client.get(path).content)
        assert feed.bozo == 0
        assert any("A & B" in e.title and "]]>" in e.title for e in feed.entries)


def _jsonld(html_text: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html_text, re.S)
    return [json.loads(b) for b in blocks]


@pytest.mark.parametrize("verdict", list(Verdict))
def test_claimreview_jsonld_for_every_verdict(client: TestClient, seeded: Seed, verdict: Verdict) -> None:
    from kiemchung.settings import get_settings

    s = get_settings()
    blocks = _jsonld(client.get(f"/kiem-chung/{seeded.slugs[verdict]}").text)
    assert len(blocks) == 1
    cr = blocks[0]
    assert cr["@context"] == "https://schema.org" and cr["@type"] == "ClaimReview"
    assert cr["claimReviewed"] == CLAIMS[verdict][0]
    assert cr["url"] == f"{BASE}/kiem-chung/{seeded.slugs[verdict]}"
    rating = cr["reviewRating"]
    if verdict is Verdict.unproven:  # not a point on the true-false scale: named, not scored
        assert rating == {"@type": "Rating", "alternateName": VERDICT_LABELS_VI[verdict]}
    else:
        assert rating == {
            "@type": "Rating",
            "ratingValue": VERDICT_RATING[verdict],
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": VERDICT_LABELS_VI[verdict],
        }
    # KIEMCHUNG_ORG_URL unset: the organisation is this site's about page
    assert cr["author"] == {"@type": "Organization", "name": s.org_name, "url": f"{BASE}/gioi-thieu"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", cr["datePublished"])
    item = cr["itemReviewed"]
    assert item["@type"] == "Claim"
    if verdict is Verdict.false:  # claim from a registered official source with an appearance URL
        assert item["appearance"] == [
            {
                "@type": "CreativeWork",
                "url": "https://moh.gov.vn/bai-viet-goc",
                "author": {"@type": "Organization", "name": "Bộ Y tế (thử)", "url": "https://moh.gov.vn/"},
            }
        ]
    else:
        assert "appearance" not in item


def test_no_appearance_for_unregistered_source(client: TestClient, seeded: Seed) -> None:
    from kiemchung.store.models import Source

    with session_scope() as s:
        src = s.scalars(select(Source)).first()
        assert src is not None
        src.registered = False
    cr = _jsonld(client.get(f"/kiem-chung/{seeded.slugs[Verdict.false]}").text)[0]
    assert "appearance" not in cr["itemReviewed"]


def test_sitemap_lists_public_pages_only(client: TestClient, seeded: Seed) -> None:
    r = client.get("/sitemap.xml")
    assert r.status_code == 200
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring(r.content)
    locs = {u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)}
    for slug in seeded.slugs.values():
        assert f"{BASE}/kiem-chung/{slug}" in locs
    assert f"{BASE}/kiem-chung/{seeded.draft_slug}" not in locs
    assert f"{BASE}/kiem-chung/{seeded.retracted_slug}" not in locs
    assert {f"{BASE}/", f"{BASE}/phuong-phap", f"{BASE}/chu-de/suc-khoe"} <= locs
    assert not any("/desk" in loc for loc in locs if loc)


def test_robots_disallows_desk(client: TestClient) -> None:
    text = client.get("/robots.txt").text
    assert "Disallow: /desk/" in text
    assert f"Sitemap: {BASE}/sitemap.xml" in text
