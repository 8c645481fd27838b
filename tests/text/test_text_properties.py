"""Property and example tests for the text layer (normalise, fold, content_hash, sentences)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kiemchung.text import content_hash, fold, normalise, sentences, syllables, words

# Every code point, surrogates and controls included.
ANY_TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()))
VI_LETTERS = "aăâeêioôơuưyAĂÂEÊIOÔƠUƯYđĐbcdghklmnpqrstvx"
TONES = "\u0300\u0301\u0303\u0309\u0323"
# Vietnamese-looking text: letters, combining tone marks in odd places, spaces, punctuation, zero-widths.
VI_TEXT = st.text(
    alphabet=st.sampled_from([*VI_LETTERS, *TONES, " ", "\n", ".", ",", "\u200b", "\u00ad", "\t"])
)


@settings(max_examples=400, deadline=None)
@given(ANY_TEXT)
@example("\ud800")
@example("a\u0301\u0301")
@example("\x00\x1f\x7f\u200b")
def test_normalise_never_raises_and_is_idempotent(s: str) -> None:
    once = normalise(s)
    assert normalise(once) == once


@settings(max_examples=400, deadline=None)
@given(VI_TEXT)
def test_normalise_idempotent_on_vietnamese_like_text(s: str) -> None:
    once = normalise(s)
    assert normalise(once) == once
    assert unicodedata.is_normalized("NFC", once) or any(0xD800 <= ord(c) <= 0xDFFF for c in once)


@settings(max_examples=400, deadline=None)
@given(st.one_of(ANY_TEXT, VI_TEXT))
def test_fold_is_stable(s: str) -> None:
    folded = fold(normalise(s))
    assert fold(folded) == folded
    again = fold(normalise(folded))
    assert fold(normalise(again)) == again


@settings(max_examples=300, deadline=None)
@given(VI_TEXT)
def test_fold_removes_vietnamese_diacritics(s: str) -> None:
    folded = fold(normalise(s))
    assert "đ" not in folded and "Đ" not in folded
    assert not any(c in TONES for c in unicodedata.normalize("NFD", folded))
    assert folded == folded.lower()


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_content_hash_ignores_form(s: str) -> None:
    assert content_hash(s) == content_hash(normalise(s)) == content_hash("  " + s + "\u200b \n")


@settings(max_examples=300, deadline=None)
@given(VI_TEXT)
def test_content_hash_ignores_case_and_diacritics_of_vietnamese(s: str) -> None:
    assert content_hash(s) == content_hash(s.upper()) == content_hash(fold(normalise(s)))


@settings(max_examples=300, deadline=None)
@given(st.one_of(ANY_TEXT, VI_TEXT))
def test_sentences_keep_every_character(s: str) -> None:
    parts = sentences(s)
    assert all(p == p.strip() and p for p in parts)
    assert "".join("".join(parts).split()) == "".join(s.split())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("hoà", "hòa"),
        ("Hoà Bình", "Hòa Bình"),
        ("thuỷ", "thủy"),
        ("Thuỷ Nguyên", "Thủy Nguyên"),
        ("khoẻ", "khỏe"),
        ("toà án", "tòa án"),
        ("hoá đơn", "hóa đơn"),
        ("quý", "quý"),  # qu + y: the tone stays on y
        ("giữ", "giữ"),
        ("người", "người"),
        ("hoàng", "hoàng"),  # closed syllable: tone on the last vowel
        ("tin\u200b giả", "tin giả"),
        ("tin\u200c\u200d\ufeff giả\u00ad", "tin giả"),
        ("a\u0300", "à"),  # decomposed -> NFC
        ("  nhiều   khoảng\t trắng  ", "nhiều khoảng trắng"),
        ("dòng 1\r\n\r\n\r\n\r\ndòng 2", "dòng 1\n\ndòng 2"),
        ("\x07chuông", "chuông"),
    ],
)
def test_normalise_examples(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Đà Nẵng", "da nang"),
        ("đường", "duong"),
        ("HOÀ BÌNH", "hoa binh"),
        ("Nghệ An, Quảng Trị", "nghe an, quang tri"),
        ("ĐỒNG THÁP", "dong thap"),
    ],
)
def test_fold_examples(raw: str, expected: str) -> None:
    assert fold(normalise(raw)) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("hoà bình", "hòa bình"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("Hà Nội", "ha noi"),
        ("tin\u200bgiả", "tingiả"),
    ],
)
def test_content_hash_equal_for_same_text_in_other_forms(a: str, b: str) -> None:
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash(a + " khác")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Công an TP. Đà Nẵng nhận tin. Sau đó truy bắt.",
            ["Công an TP. Đà Nẵng nhận tin.", "Sau đó truy bắt."],
        ),
        ("Tp. HCM mưa! Hà Nội nắng?", ["Tp. HCM mưa!", "Hà Nội nắng?"]),
        (
            "PGS. TS. Nguyễn Văn A phát biểu. Ông nói thêm.",
            ["PGS. TS. Nguyễn Văn A phát biểu.", "Ông nói thêm."],
        ),
        ("ThS. BS. Lê B khám. St. Paul ở Pháp.", ["ThS. BS. Lê B khám.", "St. Paul ở Pháp."]),
        ("Mua gạo, muối v.v. Sau đó về nhà.", ["Mua gạo, muối v.v. Sau đó về nhà."]),
        ("Giá tăng 3.000 đồng mỗi lít. Từ 15h.", ["Giá tăng 3.000 đồng mỗi lít.", "Từ 15h."]),
        ("Có 1.234,5 tỷ đồng. 3.000 người nhận.", ["Có 1.234,5 tỷ đồng.", "3.000 người nhận."]),
        ('Ông nói: "Tôi đi." Rồi ông đi.', ['Ông nói: "Tôi đi."', "Rồi ông đi."]),
        ("Dòng một\nDòng hai", ["Dòng một", "Dòng hai"]),
        ("Trời mưa. trời vẫn mưa", ["Trời mưa. trời vẫn mưa"]),  # no capital: not a new sentence
        ("", []),
        ("   ", []),
    ],
)
def test_sentence_splitter(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_words_and_syllables() -> None:
    assert syllables("Giá xăng: 23.000đ/lít!") == ["giá", "xăng", "23.000đ/lít"]
    assert words("Hà Nội mùa thu", fast=True) == ["Hà", "Nội", "mùa", "thu"]
    assert words("") == [] and sentences("\n\n") == []


@settings(max_examples=300, deadline=None)
@given(st.one_of(ANY_TEXT, VI_TEXT))
def test_content_hash_of_already_normalised_text_is_the_same(s: str) -> None:
    assert content_hash(normalise(s), normalised=True) == content_hash(s)
