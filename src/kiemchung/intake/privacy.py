"""Privacy filter: claims, not people.

Every record passes through :func:`scrub` before anything is validated, stored or logged. It is
an allow-list: a field survives only if it maps to something we keep (text, title, date,
engagement counts, an external id, a language, and — for a registered Source only — the item
URL). Author identity (name, handle, ids, profile links, avatars) and every unknown field are
dropped.

    >>> scrub({"user_name": "an.nguyen", "Message": "Tin giả!", "likes": "3", "mood": "?"}, registered=False)
    {'text': 'Tin giả!', 'likes': '3'}
    >>> scrub({"text": "x", "url": "https://vnexpress.net/a-1.html"}, registered=True)
    {'text': 'x', 'url': 'https://vnexpress.net/a-1.html'}
    >>> scrub({"text": "x", "url": "https://facebook.com/an.nguyen"}, registered=True)
    {'text': 'x'}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

# Fields that identify an individual author. Listed explicitly (and tested) even though the
# allow-list below would drop them anyway: a future alias must never collide with one of these.
AUTHOR_FIELDS = frozenset(
    {
        "name",
        "user_name",
        "username",
        "user",
        "author",
        "author_name",
        "author_id",
        "author_url",
        "handle",
        "screen_name",
        "user_id",
        "userid",
        "uid",
        "from",
        "from_id",
        "from_name",
        "profile",
        "profile_url",
        "profile_link",
        "avatar",
        "avatar_url",
        "owner",
        "owner_id",
        "page_name",
        "facebook_id",
        "sender",
        "email",
        "phone",
    }
)

# Column name (after key normalisation) -> the canonical field it feeds. First match wins, in
# the order listed in each group, so "text" beats "description" when both are present.
ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "message", "post_message", "content", "body", "post_text", "noi_dung", "description"),
    "published_at": (
        "published_at",
        "timestamp",
        "created_time",
        "created_at",
        "post_created",
        "date",
        "time",
        "published",
        "ngay",
    ),
    "likes": ("likes", "like_count", "num_likes"),
    "comments": ("comments", "comment_count", "num_comments"),
    "shares": ("shares", "share_count", "num_shares"),
    "reactions": ("reactions", "reaction_count", "total_reactions"),
    "url": ("url", "link", "post_url", "permalink"),
    "title": ("title", "headline", "tieu_de"),
    "external_id": ("id", "post_id", "external_id", "guid"),
    "lang": ("lang", "language"),
}
_ALIAS_LOOKUP = {alias: canon for canon, aliases in ALIASES.items() for alias in aliases}
_ALIAS_RANK = {alias: rank for aliases in ALIASES.values() for rank, alias in enumerate(aliases)}
assert not (AUTHOR_FIELDS & _ALIAS_LOOKUP.keys()), "an alias collides with an author field"

_KEY_CLEAN = re.compile(r"[^0-9a-z]+")

# Hosts whose first path segment is (or may be) a person's profile.
_SOCIAL_HOSTS = (
    "facebook.com",
    "fb.com",
    "m.me",
    "instagram.com",
    "tiktok.com",
    "twitter.com",
    "x.com",
    "threads.net",
    "zalo.me",
    "t.me",
    "youtube.com",
    "linkedin.com",
)
# Paths on those hosts that point at content rather than at a person.
_CONTENT_PATH = re.compile(
    r"^/(?:[^/]+/)?(?:posts|videos|photos|permalink\.php|story\.php|watch|reel|status|p|groups/[^/]+/posts)\b",
    re.IGNORECASE,
)


def normalise_key(key: object) -> str:
    """``"Post Created"`` -> ``"post_created"``; ``"Nội dung"`` -> ``"noi_dung"`` (for aliasing only).

    >>> normalise_key(" Post-Message ")
    'post_message'
    """
    from kiemchung.text import fold

    return _KEY_CLEAN.sub("_", fold(str(key))).strip("_")


def is_profile_url(url: str) -> bool:
    """True for links to a person on a social platform (``facebook.com/<user>``, ``t.me/<user>`` ...).

    >>> is_profile_url("https://www.facebook.com/nguyen.van.a"), is_profile_url("https://fb.com/x/posts/1")
    (True, False)
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return True  # unparseable: treat as unsafe
    host = (parts.hostname or "").lower()
    if not any(host == h or host.endswith("." + h) for h in _SOCIAL_HOSTS):
        return False
    path = parts.path or "/"
    if path.rstrip("/") in ("", "/profile.php"):
        # the bare home page is harmless; profile.php?id=... is a person
        return path.startswith("/profile.php")
    return not _CONTENT_PATH.match(path)


def scrub(record: Mapping[Any, Any], *, registered: bool) -> dict[str, Any]:
    """Map known fields to canonical names and drop everything else (author identity first)."""
    out: dict[str, Any] = {}
    rank: dict[str, int] = {}
    for key, value in record.items():
        nkey = normalise_key(key)
        if nkey in AUTHOR_FIELDS:
            continue
        canon = _ALIAS_LOOKUP.get(nkey)
        if canon is None:
            continue
        if canon == "url" and not (registered and isinstance(value, str) and not is_profile_url(value)):
            continue
        r = _ALIAS_RANK[nkey]
        if canon not in out or (not _empty(value) and (r < rank[canon] or _empty(out[canon]))):
            out[canon] = value
            rank[canon] = r
    return out


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
