"""The word lists of the domain heuristics, read from ``scam/data/wordlists.json`` and checked at import.

Each list in the file carries a ``provenance`` note; the loader refuses a file whose lists are
missing, empty, not lower-case ASCII, duplicated or carry weights outside (0, 1).

    >>> WORDS.risky_tlds_strong >= {"xyz", "top"}, "vn" in WORDS.risky_tlds
    (True, False)
    >>> ("nhacai", 0.7, "sub", "cờ bạc") in WORDS.keywords
    True

A keyword group's ``reason`` is Vietnamese only: it is a message id, extracted into the catalogues
by ``python -m kiemchung.web.catalogue`` (``DATA_MESSAGES``) and shown in the page's language.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

_WORD = re.compile(r"[a-z0-9.]+")
LISTS = (
    "restricted_suffixes",
    "risky_tlds_strong",
    "risky_tlds",
    "prefix_only_keywords",
    "brand_suffixes",
    "generic_parts",
    "initials",
    "finals",
)


@dataclass(frozen=True)
class WordLists:
    restricted_suffixes: tuple[str, ...]
    risky_tlds_strong: frozenset[str]
    risky_tlds: frozenset[str]
    keywords: tuple[tuple[str, float, str, str], ...]  # (word, weight, "sub" | "tok", reason)
    prefix_only_keywords: frozenset[str]
    brand_suffixes: frozenset[str]
    generic_parts: tuple[str, ...]
    initials: frozenset[str]
    finals: frozenset[str]


def _items(data: dict[str, Any], name: str) -> list[str]:
    entry = data.get(name)
    if not isinstance(entry, dict) or not str(entry.get("provenance", "")).strip():
        raise ValueError(f"wordlists: {name!r} is missing or has no provenance note")
    items = entry.get("items")
    if not isinstance(items, list) or not items:
        raise ValueError(f"wordlists: {name!r} has no items")
    bad = [w for w in items if not isinstance(w, str) or not _WORD.fullmatch(w)]
    if bad:
        raise ValueError(f"wordlists: {name!r} has entries that are not lower-case ASCII: {bad[:5]}")
    if len(set(items)) != len(items):
        raise ValueError(f"wordlists: {name!r} lists an entry twice")
    return items


def parse(data: dict[str, Any]) -> WordLists:
    """Validate the decoded file.

    >>> parse({"risky_tlds": {"items": ["xyz"]}})
    Traceback (most recent call last):
    ...
    ValueError: wordlists: 'restricted_suffixes' is missing or has no provenance note
    """
    lists = {name: _items(data, name) for name in LISTS}
    kw = data.get("keywords")
    if not isinstance(kw, dict) or not str(kw.get("provenance", "")).strip() or not kw.get("groups"):
        raise ValueError("wordlists: 'keywords' is missing, empty or has no provenance note")
    keywords: list[tuple[str, float, str, str]] = []
    for g in kw["groups"]:
        weight, mode, reason, words = g.get("weight"), g.get("mode"), g.get("reason"), g.get("words")
        if not isinstance(weight, int | float) or not 0 < weight < 1:
            raise ValueError(f"wordlists: keyword weight {weight!r} is not in (0, 1)")
        if mode not in ("sub", "tok") or not isinstance(reason, str) or not reason.strip() or " / " in reason:
            raise ValueError(f"wordlists: keyword group needs mode sub|tok and a Vietnamese reason: {g!r}")
        if (
            not isinstance(words, list)
            or not words
            or not all(isinstance(w, str) and w.isalnum() for w in words)
        ):
            raise ValueError(f"wordlists: keyword group {reason!r} has no words or odd ones")
        keywords.extend((w, float(weight), mode, reason) for w in words)
    seen = [(w, m) for w, _, m, _ in keywords]
    if len(set(seen)) != len(seen):
        raise ValueError("wordlists: a keyword is listed twice with the same mode")
    return WordLists(
        restricted_suffixes=tuple(lists["restricted_suffixes"]),
        risky_tlds_strong=frozenset(lists["risky_tlds_strong"]),
        risky_tlds=frozenset(lists["risky_tlds"]),
        keywords=tuple(keywords),
        prefix_only_keywords=frozenset(lists["prefix_only_keywords"]),
        brand_suffixes=frozenset(lists["brand_suffixes"]),
        generic_parts=tuple(lists["generic_parts"]),
        initials=frozenset(lists["initials"]) | {""},
        finals=frozenset(lists["finals"]) | {""},
    )


def load() -> WordLists:
    """The bundled lists."""
    text = resources.files("kiemchung.scam").joinpath("data/wordlists.json").read_text(encoding="utf-8")
    return parse(json.loads(text))


WORDS = load()
