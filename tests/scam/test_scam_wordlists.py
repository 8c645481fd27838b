"""The bundled word lists load, every list explains its origin, and a malformed file is refused."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from kiemchung.scam import lookalike
from kiemchung.scam.wordlists import LISTS, WORDS, parse
from kiemchung.web.i18n import translate_in


def _raw() -> dict[str, Any]:
    text = resources.files("kiemchung.scam").joinpath("data/wordlists.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def test_every_list_has_a_provenance_note_and_is_used() -> None:
    raw = _raw()
    for name in (*LISTS, "keywords"):
        assert len(raw[name]["provenance"]) > 40, name
    assert lookalike.RISKY_TLDS_STRONG is WORDS.risky_tlds_strong
    assert lookalike.KEYWORDS is WORDS.keywords and len(WORDS.keywords) > 150
    assert not WORDS.risky_tlds_strong & WORDS.risky_tlds


def test_keywords_keep_their_reason_weight_and_mode() -> None:
    by_word = {(w, m): (weight, why) for w, weight, m, why in WORDS.keywords}
    assert by_word[("vaytien", "sub")] == (0.6, "vay tiền")
    assert by_word[("bet", "tok")][1] == "cờ bạc"
    assert translate_in("en", by_word[("bet", "tok")][1]) == "gambling"  # the English is in the catalogue
    assert "" in WORDS.initials and "ngh" in WORDS.initials and "nh" in WORDS.finals


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d["risky_tlds"].pop("provenance"), "no provenance note"),
        (lambda d: d["generic_parts"].update(items=[]), "has no items"),
        (lambda d: d["brand_suffixes"]["items"].append("Hỗtrợ"), "not lower-case ASCII"),
        (lambda d: d["finals"]["items"].append(d["finals"]["items"][0]), "twice"),
        (lambda d: d["keywords"]["groups"][0].update(weight=1.5), "not in"),
        (lambda d: d["keywords"]["groups"][0].update(mode="regex"), "mode sub|tok"),
        (lambda d: d["keywords"]["groups"][0].update(words=[]), "no words"),
        (lambda d: d["keywords"]["groups"][0].update(reason="cờ bạc / gambling"), "Vietnamese reason"),
        (lambda d: d["keywords"]["groups"][0].update(reason=" "), "Vietnamese reason"),
        (
            lambda d: d["keywords"]["groups"][2]["words"].append(d["keywords"]["groups"][0]["words"][0]),
            "twice",
        ),
        (lambda d: d.pop("keywords"), "'keywords' is missing"),
    ],
)
def test_malformed_files_are_refused(damage: Any, message: str) -> None:
    data = copy.deepcopy(_raw())
    damage(data)
    with pytest.raises(ValueError, match=message):
        parse(data)


def test_the_bundled_file_parses_to_the_loaded_lists() -> None:
    assert parse(_raw()) == WORDS
