"""schema.org ClaimReview for a fact-check page (what search engines and aggregators read).

    >>> json_for_script({"a": "</script><b>"})
    '{"a": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'

``rating`` follows ``models.VERDICT_RATING`` (1 worst .. 5 best); ``alternateName`` is the
verdict in Vietnamese, as readers see it on the page.
"""

from __future__ import annotations

import json
from typing import Any

import markupsafe

from kiemchung.public.queries import as_utc, fact_check_url
from kiemchung.settings import get_settings
from kiemchung.store.models import VERDICT_LABELS_VI, VERDICT_RATING, FactCheck, Source, SourceKind, Verdict
from kiemchung.web import baseurl


def _iso(dt: Any) -> str | None:
    d = as_utc(dt)
    return d.isoformat().replace("+00:00", "Z") if d else None


def claim_review(fc: FactCheck, claim_source: Source | None = None) -> dict[str, Any]:
    """The ClaimReview object for ``fc``; ``claim_source`` is its FactCheck.claim_source, if loaded.

    The claim's appearance is only named when it comes from a *registered publisher* — a
    declared outlet or official channel — never from an individual's post (claims, not people).
    """
    settings = get_settings()
    verdict = Verdict(fc.verdict)
    item: dict[str, Any] = {"@type": "Claim"}
    registered = (
        claim_source is not None
        and claim_source.registered
        and claim_source.kind in (SourceKind.publisher, SourceKind.official)
    )
    if registered and fc.claim_appearance_url and claim_source is not None:
        appearance = {"@type": "CreativeWork", "url": fc.claim_appearance_url}
        author = {"@type": "Organization", "name": claim_source.name}
        if claim_source.url:
            author["url"] = claim_source.url
        appearance["author"] = author  # type: ignore[assignment]
        item["appearance"] = [appearance]
        item["firstAppearance"] = appearance
    rating: dict[str, Any] = {
        "@type": "Rating",
        "ratingValue": VERDICT_RATING[verdict],
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": VERDICT_LABELS_VI[verdict],
    }
    if verdict == Verdict.unproven:
        # "Not enough evidence" is not a point between true and false: the name only, no number.
        rating = {"@type": "Rating", "alternateName": VERDICT_LABELS_VI[verdict]}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": fact_check_url(fc),
        "claimReviewed": fc.claim_reviewed,
        "reviewRating": rating,
        "author": {"@type": "Organization", "name": settings.org_name, "url": baseurl.org_url(settings)},
        "itemReviewed": item,
        "inLanguage": "vi",
    }
    published = _iso(fc.published_at)
    if published:
        data["datePublished"] = published
    modified = _iso(fc.updated_at)
    if modified and fc.corrections:
        data["dateModified"] = modified
    return data


def json_for_script(data: dict[str, Any]) -> str:
    """JSON safe inside <script>: no "<", ">" or "&" survives literally, so "</script>" or "<!--"
    in a claim cannot end the element; the escapes decode to the same JSON strings."""
    text = json.dumps(data, ensure_ascii=False)
    for ch, esc in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(ch, esc)
    return text


def script_tag(data: dict[str, Any]) -> markupsafe.Markup:
    return markupsafe.Markup('<script type="application/ld+json">{}</script>').format(
        markupsafe.Markup(json_for_script(data))
    )
