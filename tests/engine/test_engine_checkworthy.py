"""Check-worthiness on hand-written Vietnamese sentences."""

from __future__ import annotations

import pytest

from kiemchung.engine.checkworthy import (
    F_ATTRIB,
    F_CALL,
    F_DATE,
    F_HASHTAG,
    F_MONEY,
    F_NUMBER,
    F_OPINION,
    F_PROMO,
    F_QUESTION,
    F_SHORT,
    extract_claims,
    score_sentence,
    top_claims,
)
from kiemchung.text import fold, normalise

CHECKABLE = [
    "Theo Bộ Y tế, ngày 3/4 Hà Nội ghi nhận thêm 27 ca mắc COVID-19, đều đã được cách ly.",
    "Giá xăng RON 95 tăng 1.200 đồng mỗi lít từ 15 giờ chiều nay, Bộ Công Thương cho biết.",
    "Ngân hàng Nhà nước khẳng định không phát hành tờ tiền mệnh giá 1 triệu đồng.",
    "theo bo y te, ngay 3/4 ha noi ghi nhan them 27 ca mac covid-19",  # typed without diacritics
]
NOT_CHECKABLE = [
    "Chia sẻ cho mọi người cùng biết nhé!",
    "Các bạn nghĩ sao về chuyện này?",
    "Buồn quá mọi người ơi!!!",
    "#covid19 #hanoi #tintuc",
    "Khuyến mãi giảm giá 50%, inbox ngay để đặt hàng, freeship toàn quốc!",
    "Thật!",
    "Tôi nghĩ ông ấy không xứng đáng làm lãnh đạo.",
]


@pytest.mark.parametrize("sentence", CHECKABLE)
def test_factual_sentences_score_high(sentence: str) -> None:
    c = score_sentence(normalise(sentence))
    assert c.score >= 0.6, c.features
    assert 0.0 <= c.score <= 1.0


@pytest.mark.parametrize("sentence", NOT_CHECKABLE)
def test_opinions_greetings_ads_questions_score_low(sentence: str) -> None:
    c = score_sentence(normalise(sentence))
    assert c.score < 0.4, c.features


def test_features_explain_the_score_in_vietnamese() -> None:
    c = score_sentence(normalise(CHECKABLE[1]))
    assert c.features[F_MONEY] > 0 and c.features[F_NUMBER] > 0 and c.features[F_DATE] > 0
    assert c.features[F_ATTRIB] > 0
    assert score_sentence("Các bạn nghĩ sao về chuyện này?").features[F_QUESTION] < 0
    assert score_sentence("Chia sẻ cho mọi người cùng biết nhé!").features[F_CALL] < 0
    assert score_sentence("Khuyến mãi giảm giá 50%, inbox ngay để đặt hàng!").features[F_PROMO] < 0
    assert score_sentence("#covid19 #hanoi #tintuc").features[F_HASHTAG] < 0
    assert score_sentence("Thật!").features[F_SHORT] < 0
    assert score_sentence("Tôi nghĩ ông ấy không xứng đáng làm lãnh đạo.").features[F_OPINION] < 0


def test_folded_ambiguity_is_resolved_with_diacritics() -> None:
    # "đang" (currently) folds like "đáng" (deserving), "qua" (past) like "quá" (too)
    c = score_sentence("Thời gian qua, Vietnam Airlines đang tái cơ cấu Jetstar Pacific.")
    assert F_OPINION not in c.features


def test_extract_keeps_order_and_picks_the_claim_of_a_post() -> None:
    post = (
        "NÓNG!!! Mọi người ơi chia sẻ gấp. Theo thông báo của Sở Y tế TP.HCM, sáng 12/3 quận 7 ghi nhận "
        "2 ca dương tính với COVID-19. Cầu mong mọi người bình an 🙏 #covid19"
    )
    cands = extract_claims(post)
    assert [c.position for c in cands] == list(range(len(cands)))
    best = top_claims(cands, threshold=0.5, limit=1)
    assert len(best) == 1 and "2 ca dương tính" in best[0].text


def test_folded_fast_path_gives_the_same_scores() -> None:
    post = normalise(" ".join(CHECKABLE + NOT_CHECKABLE))
    slow = extract_claims(post, normalised=True)
    fast = extract_claims(post, normalised=True, folded=fold(post))
    assert [(c.text, c.score, c.features) for c in slow] == [(c.text, c.score, c.features) for c in fast]


def test_long_sentences_are_trimmed_for_display() -> None:
    c = score_sentence("Bộ Y tế cho biết " + "rất nhiều chi tiết " * 60)
    assert len(c.text) <= 401 and c.text.endswith("…")


def test_classified_ads_and_shop_posts_are_not_claims() -> None:
    from kiemchung.engine.checkworthy import score_sentence

    for ad in (
        "Giảm giá 30% toàn bộ áo khoác mùa đông đến hết Chủ nhật, ghé cửa hàng nhé cả nhà.",
        "Cần tìm gia sư tiếng Anh cho bé lớp 5, khu vực Thanh Xuân, 2 buổi một tuần.",
    ):
        assert score_sentence(ad).score < 0.5, ad
    fact = "Cửa hàng xăng dầu tăng giá 5.000 đồng từ 15 giờ chiều nay theo thông báo của Bộ Công Thương."
    assert score_sentence(fact).score >= 0.5
