"""Verification features: numbers, names and coverage decide whether two texts state the same fact."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kiemchung.engine import slots as S
from kiemchung.engine import verify as V
from kiemchung.web.i18n import translate_in


def features(query: str, cand: str | V.TextView) -> dict[str, float]:
    view = cand if isinstance(cand, V.TextView) else V.TextView.of(cand)
    return V.pair_features(V.QueryView.of(query), view, {})


def test_entities_are_folded_capitalised_runs() -> None:
    ents = V.entities("Bộ trưởng Lê Văn Minh thăm Bệnh viện Sơn Hà và UBND TP Hòa Lâm")
    assert {"le van minh", "son ha", "ubnd"} <= ents
    # an all-capitals headline is not a list of names
    assert "thang cap bac ham" not in V.entities("THĂNG CẤP BẬC HÀM cho chiến sĩ")


def test_numbers_in_words_and_units_agree() -> None:
    f = features("Phạt tới 10 nghìn đồng với bảy người vi phạm", "Bảy người bị phạt 10.000 đồng")
    assert f["num_conflict"] == 0.0
    assert f["num_q_miss"] == 0.0
    assert f["num_c_hit"] == 1.0


def test_news_style_dates_and_compound_numbers_agree() -> None:
    # "15.6" / "19-5" after a time word are dates; "16 nghìn tỷ" = "16.000 tỉ"; "mười hai" = 12
    f = features(
        "Từ 15/6 gói 16 nghìn tỷ đồng, mười hai bị cáo",
        "Từ ngày 15.6, gói 16.000 tỉ đồng và 12 bị cáo",
    )
    assert f["num_conflict"] == 0.0 and f["num_q_miss"] == 0.0 and f["num_c_hit"] == 1.0
    assert V._number_set("chiều 19-5 ở Hà Nội") == {"19/5"}
    # a number inside a name is not a quantity; "một"/"1" (one, a) carries no number
    assert V._number_set("Một nhà thờ có ca COVID-19") == set()
    # "mười năm" is ten years, not fifteen
    assert V._number_set("mười năm trước") == {"10"}


def test_different_number_conflicts() -> None:
    f = features("Học phí 80 triệu một năm", "Học phí 60 triệu một năm")
    assert f["num_conflict"] == 1.0
    assert f["num_q_miss"] == 1.0


def test_swapped_place_is_flagged() -> None:
    same = features("Sơn lại Nhà văn hóa Sơn Hà", "Sơn lại toàn bộ Nhà văn hóa Sơn Hà tuần này")
    other = features("Sơn lại Nhà văn hóa Phú Lâm", "Sơn lại toàn bộ Nhà văn hóa Sơn Hà tuần này")
    assert same["ent_swap"] == 0.0 and same["ent_q_miss"] == 0.0
    assert other["ent_swap"] == 1.0 and other["ent_q_miss"] == 1.0
    assert other["cov_q"] < same["cov_q"]


def test_coverage_is_diacritic_insensitive() -> None:
    f = features("gia dien tang 8% tu 20/3", "Giá điện tăng 8% từ ngày 20/3")
    assert f["cov_q"] == 1.0
    assert f["num_conflict"] == 0.0


def test_reasons_read_in_vietnamese_and_translate_when_shown() -> None:
    q, c = (
        V.QueryView.of("Học phí 80 triệu ở Bách Khoa Hà Nội"),
        V.TextView.of("Đại học Bách Khoa Hà Nội thu 60 triệu"),
    )
    notes = V.reasons(V.pair_features(q, c, {}), c, q)
    assert any(n.startswith("Số liệu khác:") and "80.000.000" in n for n in notes)
    english = [translate_in("en", n) for n in notes]
    assert any(n.startswith("numbers differ:") and "80.000.000" in n for n in english)
    assert any("Bách Khoa Hà Nội" in n for n in notes)  # names as written


def test_shipped_models_are_consistent() -> None:
    assert V.RERANK.names == tuple(V.FEATURES)
    for mode in ("hybrid", "lexical", "dense"):
        model = V.VERIFY[mode]
        assert model.names == tuple(V.VERIFY_FEATURES)
        th = V.THRESHOLDS[mode]
        assert 0.0 < th["suggest"] <= th["answer"] < 1.0
        p = model.prob(np.vstack([np.asarray(model.mean), np.zeros(len(model.mean))]))
        assert p.shape == (2,) and np.all((p > 0) & (p < 1))


def test_model_file_is_checked_against_the_feature_lists() -> None:
    raw = V.model_json(V.RERANK, V.VERIFY, V.THRESHOLDS, "test")
    rerank, verify, thresholds = V.load_model(json.loads(json.dumps(raw)))
    assert rerank == V.RERANK and verify == V.VERIFY and thresholds == V.THRESHOLDS
    stale = json.loads(json.dumps(raw))
    stale["features"] = [*V.FEATURES, "a_feature_the_code_does_not_compute"]
    with pytest.raises(ValueError, match="feature lists differ"):
        V.load_model(stale)
    reordered = json.loads(json.dumps(raw))
    coef = reordered["rerank"]["coef"]
    reordered["rerank"]["coef"] = dict(reversed(list(coef.items())))
    with pytest.raises(ValueError, match="rerank features"):
        V.load_model(reordered)
    no_suggest = json.loads(json.dumps(raw))
    del no_suggest["thresholds"]["hybrid"]["suggest"]
    with pytest.raises(ValueError, match="thresholds"):
        V.load_model(no_suggest)


def test_veto_on_a_swapped_slot_or_an_added_number() -> None:
    fc = V.TextView.of("Phà Sao Mai ở Cà Mau ngừng chạy từ 20/8\nBài đăng nói phà ngừng chạy vì sửa bến.")
    same = features("phà sao mai ở cà mau ngừng chạy từ 20/8 hả", fc)
    place = features("Phà Sao Mai ở Bạc Liêu ngừng chạy từ 20/8", fc)
    number = features("Phà Sao Mai ở Cà Mau ngừng chạy từ 25/8", fc)
    added = features("Phà Sao Mai ở Cà Mau ngừng chạy 3 tháng từ 20/8", fc)
    assert not V.veto(same, long=False)
    assert V.veto(place, long=False) and V.veto(place, long=True)  # a slot is checked on long posts too
    assert V.veto(number, long=False) and V.veto(added, long=False)
    assert not V.veto(number, long=True)  # a long post's other sentences carry their own numbers
    notes = V.reasons(place, fc, V.QueryView.of("Phà Sao Mai ở Bạc Liêu ngừng chạy từ 20/8"))
    assert notes[0] == "Địa danh khác: Bạc Liêu ≠ Cà Mau"
    assert translate_in("en", notes[0]) == "place differs: Bạc Liêu ≠ Cà Mau"


def test_an_unrelated_tip_is_not_answered_by_the_only_fact_check() -> None:
    from kiemchung.engine.match import Matcher

    m = Matcher(None)  # a fresh install: one published fact-check
    m.add(["fc1"], ["Uống nước lá đu đủ chữa khỏi sốt xuất huyết trong 2 ngày"])
    unrelated = m.match(["Giá vé xe buýt ở thành phố tăng gấp đôi từ tháng sau"])[0]
    same = m.match(["uống nước lá đu đủ khỏi sốt xuất huyết trong 2 ngày hả"])[0]
    assert unrelated.answer is None and unrelated.suggest is None
    assert same.answer == "fc1"


def test_another_name_in_a_long_claim_vetoes_but_the_same_names_reworded_do_not() -> None:
    fc = V.TextView.of(
        "Sáng nay hơn 200 tình nguyện viên của Đại học Nông Lâm đã ra sân bay Liên Khương hỗ trợ "
        "hành khách làm thủ tục khai báo y tế"
    )
    other = V.QueryView.of("Hơn 200 tình nguyện viên Đại học Nông Lâm ra sân bay Phù Cát hỗ trợ hành khách")
    same = V.QueryView.of("Hơn 200 tình nguyện viên ĐH Nông Lâm ra sân bay Liên Khương giúp khai báo y tế")
    f_other, f_same = V.pair_features(other, fc, {}), V.pair_features(same, fc, {})
    assert f_other["name_swap"] == 1.0 and V.veto(f_other, long=False)
    assert f_same["name_swap"] == 0.0
    assert "Tên khác: “Phù Cát” thay cho “Liên Khương”" in V.reasons(f_other, fc, other)
    # a name the tip adds or leaves out is not another name
    assert V.name_swap("Sinh viên ra sân bay hỗ trợ hành khách ở Lâm Đồng", fc.text) is None


def test_the_opposite_verb_vetoes_but_a_question_naming_both_does_not() -> None:
    fc = V.TextView.of("Từ thứ Hai, bảo tàng tỉnh mở cửa đón khách trở lại sau ba tháng")
    closed = features("Bảo tàng tỉnh tạm dừng đón khách từ thứ Hai", fc)
    either = features("Bảo tàng tỉnh mở cửa hay tạm dừng đón khách từ thứ Hai?", fc)
    assert closed["opposite"] == 1.0 and V.veto(closed, long=False)
    assert either["opposite"] == 0.0
    # a compound that only looks like one side ("tăng cường" = step up) is masked
    assert S.opposite_sides("Tăng cường kiểm tra nồng độ cồn") == {}


def test_a_replaced_predicate_at_the_end_of_the_claim_vetoes_a_left_out_clause_does_not() -> None:
    claim = "Thẻ ATM không kích hoạt sau 6 tháng sẽ bị khóa vĩnh viễn, phải làm lại thẻ mới"
    assert V.substitution("Thẻ ATM không kích hoạt sau 6 tháng sẽ bị ngân hàng thu phí gấp đôi", claim)
    two_parts = "Chợ đêm phố cổ mở lại từ thứ Bảy: nhiều gian hàng hẹn tới cuối tháng mới bán"
    assert V.substitution("Chợ đêm phố cổ mở lại từ thứ Bảy tuần này à", two_parts) is None


def test_a_one_after_a_label_word_is_a_number() -> None:
    fc = V.TextView.of("Cuộc gọi báo khóa thuê bao, yêu cầu bấm phím 9 để gặp tổng đài viên")
    label = features("Cuộc gọi báo khóa thuê bao, yêu cầu bấm phím 1 để gặp tổng đài viên", fc)
    article = features("Có 1 cuộc gọi báo khóa thuê bao, bảo bấm phím 9 gặp tổng đài viên", fc)
    assert label["num_added"] == 1.0 and V.veto(label, long=False)
    assert article["num_added"] == 0.0


def test_another_code_of_the_same_series_vetoes() -> None:
    fc = V.TextView.of("Từ tối nay phim truyền hình Hoa nắng bị dừng phát sóng trên kênh VTV1")
    other = features("Phim Hoa nắng bị dừng phát sóng trên VTV3 từ tối nay", fc)
    same = features("Phim Hoa nắng bị dừng phát sóng trên VTV1 từ tối nay à", fc)
    assert other["name_swap"] == 1.0 and V.veto(other, long=False)
    assert same["name_swap"] == 0.0
    q = V.QueryView.of("Phim Hoa nắng bị dừng phát sóng trên VTV3 từ tối nay")
    assert "Tên khác: “VTV3” thay cho “VTV1”" in V.reasons(other, fc, q)


def test_a_short_text_in_lines_is_judged_whole_for_names_and_opposites() -> None:
    fc = V.TextView.of("Cầu phao Phong Châu tạm dừng cho xe qua từ tối nay để sửa chữa")
    card = "Tin nóng 📢\nCầu phao Tân Đệ tạm dừng cho xe qua từ tối nay để sửa chữa\nMọi người chia sẻ"
    q = V.QueryView.of(
        card, ["Cầu phao Tân Đệ tạm dừng cho xe qua từ tối nay để sửa chữa", "Mọi người chia sẻ"]
    )
    f = V.pair_features(q, fc, {}, unit=0)
    assert f["name_swap_all"] == 1.0 and V.veto(f, long=True)
    opened = "Tin nóng 📢\nCầu phao Phong Châu mở lại cho xe qua từ tối nay\nMọi người chia sẻ"
    q2 = V.QueryView.of(opened, ["Cầu phao Phong Châu mở lại cho xe qua từ tối nay", "Mọi người chia sẻ"])
    f2 = V.pair_features(q2, fc, {}, unit=0)
    assert f2["opposite_all"] == 1.0 and V.veto(f2, long=True)


# --- typed without diacritics -----------------------------------------------------------------------
# Many tipsters type plain letters. Folded words are ambiguous ("tang": tăng, tầng, tặng), so each
# check judges a bare tip only where it puts other words in the claim's own place.


def test_a_bare_tip_with_one_span_replaced_vetoes_a_bare_paraphrase_does_not() -> None:
    fc = V.TextView.of("Uống nước rau diếp cá mỗi sáng giúp hạ men gan trong một tuần")
    other = features("uong nuoc rau ngot moi sang giup ha men gan trong mot tuan", fc)
    same = features("uong nuoc rau diep ca moi sang ha men gan trong 1 tuan a", fc)
    assert other["substituted"] == 1.0 and V.veto(other, long=False)
    assert same["substituted"] == 0.0
    # verbs of a collision or a demand paraphrase each other, typed bare or not
    crash = "Ô tô khách va với xe bồn trên đèo Ví Dụ, hai người bị thương"
    assert V.substitution("o to khach dam xe bon tren deo Vi Du, hai nguoi bi thuong", crash) is None
    fine = "Tin nhắn báo nợ cước, yêu cầu nộp tiền qua mã QR trong ngày"
    assert V.substitution("tin nhan bao no cuoc bat nop tien qua ma qr trong ngay", fine) is None


def test_a_bare_tip_saying_the_other_side_in_the_claims_place_vetoes() -> None:
    fc = V.TextView.of("Vé xe buýt cho học sinh tăng 2.000 đồng từ đầu tháng, phụ huynh than trời")
    down = features("ve xe buyt cho hoc sinh giam 2.000 dong tu dau thang", fc)
    assert down["opposite"] == 1.0 and V.veto(down, long=False)
    assert "Nghĩa ngược: “giam” và “tăng”" in V.reasons(down, fc, V.QueryView.of("ve xe buyt giam 2.000"))
    # "giam" elsewhere (giám: a director) with the claim's own "tang" is no flip
    director = V.QueryView.of("giam doc so noi ve xe buyt cho hoc sinh tang 2.000 dong tu dau thang")
    assert V.pair_features(director, fc, {})["opposite"] == 0.0
    # "tang" typed bare next to nothing the claim says there (tầng: a floor) is no flip either
    assert V.opposites(V.TextView.of("nha 5 tang bi nut"), V.TextView.of("Nhà 5 tầng giảm giá")) == []


def test_a_bare_tip_naming_a_foreign_name_in_the_claims_place_vetoes() -> None:
    fc = V.TextView.of("Một hãng tin cho biết tổng thống Pháp sẽ thăm thành phố Ví Dụ vào tuần sau")
    q = V.QueryView.of("hang tin cho biet tong thong brazil se tham thanh pho vi du vao tuan sau")
    f = V.pair_features(q, fc, {})
    assert f["name_swap"] == 1.0 and V.veto(f, long=False)
    # a Vietnamese word in the name's place tells nothing typed bare: left to the slot lexicon
    q2 = V.QueryView.of("hang tin cho biet tong thong nuoc ban se tham thanh pho vi du vao tuan sau")
    assert V.pair_features(q2, fc, {})["name_swap"] == 0.0


def test_a_bare_place_that_is_also_an_everyday_phrase_counts_only_as_a_swap() -> None:
    # "bac bo" is Bắc Bộ, or bác bỏ (to reject): never a region the tip adds...
    fc = V.TextView.of("Bộ Y tế bác bỏ tin đồn đóng cửa trường học vì cúm")
    f = features("bo y te bac bo tin don dong cua truong hoc vi cum", fc)
    assert f["slot_conflict"] == 0.0 and not V.veto(f, long=False)
    # ...but still another region than the claim's
    south = V.TextView.of("Mưa lớn kéo dài ở Nam Bộ trong ba ngày tới")
    g = features("mua lon keo dai o bac bo trong ba ngay toi", south)
    assert g["slot_swap"] == 1.0


def test_a_bare_labelled_one_is_a_number() -> None:
    fc = V.TextView.of("Cuộc gọi báo khóa thuê bao, yêu cầu bấm phím 9 để gặp tổng đài viên")
    f = features("cuoc goi bao khoa thue bao, bam phim 1 de gap tong dai vien", fc)
    assert f["num_added"] == 1.0
    # "nhan 1" may be nhận một (receive one): an article, not a label
    assert V._says_one("nhan 1 phan qua") == "said"


def test_words_of_the_claim_moved_are_not_a_replaced_span() -> None:
    claim = "Sáng nay, tỉnh Ví Dụ tiếp tục ghi nhận 9 ca sốt xuất huyết mới"
    assert V.substitution("tỉnh Ví Dụ sáng nay ghi nhận 9 ca sốt xuất huyết mới à", claim) is None
    assert V.substitution("Sáng nay tỉnh Ví Dụ tiếp tục ghi nhận 9 ca tay chân miệng mới", claim)


def test_a_bare_tip_putting_vietnamese_words_in_a_names_place_between_kept_words_vetoes() -> None:
    fc = V.TextView.of("Sáng nay Bệnh viện Hòa An tạm ngừng tiếp nhận bệnh nhân vì quá tải")
    other = V.QueryView.of("sang nay benh vien thanh binh tam ngung tiep nhan benh nhan vi qua tai")
    f = V.pair_features(other, fc, {})
    assert f["name_swap"] == 1.0 and V.veto(f, long=False)
    same = V.QueryView.of("sang nay benh vien hoa an tam ngung nhan benh nhan do qua tai")
    assert V.pair_features(same, fc, {})["name_swap"] == 0.0


def test_a_provinces_department_is_not_another_department_nor_the_ministry() -> None:
    fc = V.TextView.of("Sở Xây dựng tỉnh Ví Dụ đề xuất thu phí xe vào trung tâm từ năm sau")
    other = features("Sở Tài chính tỉnh Ví Dụ đề xuất thu phí xe vào trung tâm", fc)
    ministry = features("Bộ Xây dựng đề xuất thu phí xe vào trung tâm từ năm sau", fc)
    assert V.veto(other, long=False) and V.veto(ministry, long=False)
    # a former department's name is the merged one's (Sở GTVT became part of Sở Xây dựng in 2025)
    same = features("Sở GTVT tỉnh Ví Dụ đề xuất thu phí xe vào trung tâm", fc)
    assert same["slot_conflict"] == 0.0


def test_a_bare_personal_name_may_fold_one_syllable_to_a_function_word() -> None:
    # "van" is Văn in a name, or vẫn: one such syllable of three still stands in for a name
    fc = V.TextView.of("Tòa tuyên án ông Lê Minh Khoa tại phiên xử sáng thứ Sáu")
    q = V.QueryView.of("toa tuyen an ong tran van binh tai phien xu sang thu sau")
    f = V.pair_features(q, fc, {})
    assert f["name_swap"] == 1.0 and V.veto(f, long=False)


def test_a_hospital_swapped_in_a_bare_tip_vetoes() -> None:
    fc = V.TextView.of("Bệnh viện Bạch Mai cách ly 40 người tiếp xúc gần với bệnh nhân 512")
    f = features("bv cho ray cach ly 40 nguoi tiep xuc gan voi benh nhan 512", fc)
    assert f["slot_conflict"] == 1.0 and V.veto(f, long=False)
    same = features("bv bach mai cach ly 40 nguoi tiep xuc gan voi BN512", fc)
    assert same["slot_conflict"] == 0.0 and not V.veto(same, long=False)


def test_names_count_as_present_abbreviated_or_as_two_names_side_by_side() -> None:
    fc = V.TextView.of("Việt Nam tặng 2 tấn gạo cho tỉnh Ví Dụ, Giám đốc Sở Lê Văn Minh cho biết")
    f = features("VN tặng 2 tấn gạo, Ví Dụ Lê Văn Minh cho biết", fc)
    assert f["ent_q_miss"] == 0.0


def test_a_question_sharing_only_a_name_is_not_answered() -> None:
    fc = V.TextView.of("Ca sĩ Lê Văn Minh qua đời ở tuổi 40 sau tai nạn giao thông trên cao tốc")
    f = features("Nghe đồn Lê Văn Minh sắp cưới vợ cuối năm nay, thật không mọi người", fc)
    assert max(f["cov_q"], f["cov_c"]) < V.SHARES_LITTLE and V.veto(f, long=False)


def test_the_same_number_of_another_unit_of_time_vetoes() -> None:
    fc = V.TextView.of("Tỉnh Ví Dụ cho công chức nghỉ 1 tuần hưởng nguyên lương từ thứ Hai")
    other = features("Tỉnh Ví Dụ cho công chức nghỉ 1 tháng hưởng nguyên lương", fc)
    same = features("tinh Vi Du cho cong chuc nghi 1 tuan huong nguyen luong", fc)
    assert other["unit_swap"] == 1.0 and V.veto(other, long=False)
    assert same["unit_swap"] == 0.0
    notes = V.reasons(other, fc, V.QueryView.of("nghỉ 1 tháng hưởng nguyên lương"))
    assert "Số liệu khác: 1 tháng ≠ 1 tuần" in notes


def test_another_kind_of_fire_and_the_other_sex_veto() -> None:
    fc = V.TextView.of("Cháy rừng ở xã Ví Dụ chiều qua, 3 người phụ nữ bị thương")
    fire = features("Cháy nhà máy ở xã Ví Dụ chiều qua, 3 người phụ nữ bị thương", fc)
    sex = features("Cháy rừng ở xã Ví Dụ chiều qua, 3 người đàn ông bị thương", fc)
    assert fire["slot_swap"] == 1.0 and V.veto(fire, long=False)
    assert sex["opposite"] == 1.0 and V.veto(sex, long=False)
    # a fire of no stated kind against a forest fire is not another claim
    vague = features("Vụ cháy ở xã Ví Dụ chiều qua, 3 người phụ nữ bị thương", fc)
    assert vague["slot_swap"] == 0.0 and vague["slot_conflict"] == 0.0


def test_another_name_next_to_the_kept_words_vetoes_though_the_words_after_it_are_reworded() -> None:
    fc = V.TextView.of("Tiền đạo của Sông Lam thi đấu rất hay, ghi 2 bàn vào lưới Hải Phòng tối qua")
    club = features("Tiền đạo của Hoàng Anh ghi 2 bàn vào lưới Hải Phòng tối qua", fc)
    assert club["name_swap"] == 1.0 and V.veto(club, long=False)
    # the subject opening both texts: a sentence's first word joins the name after it
    opening = V.TextView.of("Văn Toàn được HLV Kim khen sau khi ghi 2 bàn trong 2 trận")
    q = V.QueryView.of("Minh Tuấn ghi 2 bàn trong 2 trận, được HLV Kim khen")
    assert V.name_swapped(q, opening) == ("Minh Tuấn", "Văn Toàn")
    # the same name reworded, an acronym, a title written with a capital: no swap
    same = features("Tiền đạo của Sông Lam ghi 2 bàn vào lưới Hải Phòng tối qua", fc)
    assert same["name_swap"] == 0.0
    ubnd = V.TextView.of("Ủy ban nhân dân tỉnh Ví Dụ đã ban hành quyết định cấm thả diều")
    assert V.name_swap("UBND tỉnh Ví Dụ ra quyết định cấm thả diều", ubnd.text) is None
    bac = V.TextView.of("Chủ tịch Hồ Chí Minh viết thư gửi thiếu nhi năm 1946")
    assert V.name_swap("Bác viết thư gửi thiếu nhi năm 1946", bac.text) is None
    place = V.TextView.of("Hàng trăm người ở Sài Gòn xếp hàng mua vàng sáng nay")
    assert V.name_swap("Hàng trăm người ở TP HCM xếp hàng từ sáng để mua vàng", place.text) is None


def test_refusing_is_the_negation_of_the_claims_verb() -> None:
    fc = V.TextView.of("Công ty Ví Dụ sẽ bồi thường cho khách hàng bị mất dữ liệu")
    f = features("Công ty Ví Dụ từ chối bồi thường cho khách hàng bị mất dữ liệu", fc)
    assert f["polarity_flip"] == 1.0 and V.veto(f, long=False)
    both = features("Công ty Ví Dụ không bồi thường cho khách hàng mất dữ liệu", fc)
    assert both["polarity_flip"] == 1.0  # "không" and "từ chối" alike
    assert S.polarity("Công ty từ chối bồi thường") == S.polarity("Công ty không bồi thường")


def test_another_rank_or_specialty_vetoes() -> None:
    fc = V.TextView.of("Đại tá Ví Dụ được thăng hàm Thiếu tướng, theo quyết định ký hôm qua")
    rank = features("Đại tá Ví Dụ được thăng hàm Trung tướng", fc)
    assert rank["slot_swap"] == 1.0 and V.veto(rank, long=False)
    doctor = V.TextView.of("Bác sĩ chuyên khoa da liễu khuyên không đắp lá lên vết bỏng")
    other = features("Bác sĩ chuyên khoa nhi khuyên không đắp lá lên vết bỏng", doctor)
    assert other["slot_swap"] == 1.0 and V.veto(other, long=False)
    # naming the specialty of a doctor the claim leaves unsaid adds detail, not another claim
    plain = V.TextView.of("Bác sĩ khuyên không đắp lá lên vết bỏng")
    assert features("Bác sĩ da liễu khuyên không đắp lá lên vết bỏng", plain)["slot_swap"] == 0.0


def test_an_act_to_come_asked_against_one_done_vetoes() -> None:
    fc = V.TextView.of("Tỉnh Ví Dụ đã cấm xe tải qua cầu Mới từ hôm qua")
    f = features("Tỉnh Ví Dụ sắp cấm xe tải qua cầu Mới", fc)
    assert f["tense_flip"] == 1.0 and V.veto(f, long=False)
    notes = V.reasons(f, fc, V.QueryView.of("Tỉnh Ví Dụ sắp cấm xe tải qua cầu Mới"))
    assert "Thời điểm khác: “cấm xe” sắp xảy ra ≠ đã xảy ra" in notes
    # the same act, said as done by both, or with no marker at all: no flip
    same = features("Tỉnh Ví Dụ vừa cấm xe tải qua cầu Mới?", fc)
    plain = features("Tỉnh Ví Dụ cấm xe tải qua cầu Mới", fc)
    assert same["tense_flip"] == 0.0 and plain["tense_flip"] == 0.0


@pytest.mark.parametrize(
    ("claim", "query"),
    [
        ("Chợ Ví Dụ đông nghịt người mua sắm dịp Tết", "Chợ Ví Dụ vắng tanh người mua sắm dịp Tết"),
        ("Thẻ Ví Dụ hết hiệu lực từ tháng sau", "Thẻ Ví Dụ vẫn còn hiệu lực từ tháng sau"),
        ("Tiêm mũi nhắc lại là bắt buộc với học sinh", "Tiêm mũi nhắc lại là tự nguyện với học sinh"),
    ],
)
def test_crowded_and_empty_valid_and_expired_compulsory_and_voluntary_are_opposites(
    claim: str, query: str
) -> None:
    f = V.pair_features(V.QueryView.of(query), V.TextView.of(claim), {})
    assert f["opposite"] == 1.0 and V.veto(f, long=False)


def test_a_name_swapped_after_a_tipsters_opening_words_vetoes() -> None:
    fc = V.TextView.of("Văn Toàn được HLV Kim khen sau khi ghi 2 bàn trong 2 trận")
    q = V.QueryView.of("Anh em ơi. Minh Tuấn ghi 2 bàn trong 2 trận, được HLV Kim khen")
    assert V.name_swapped(q, fc) == ("Minh Tuấn", "Văn Toàn")
    assert (
        V.name_swapped(V.QueryView.of("Anh em ơi. Văn Toàn ghi 2 bàn trong 2 trận, được HLV Kim khen"), fc)
        is None
    )


def test_a_short_forwarded_message_is_judged_on_its_matched_sentence() -> None:
    fc = V.TextView.of("Công ty Ví Dụ đã bồi thường 5 triệu đồng cho mỗi khách hàng bị lộ dữ liệu")
    text = "Nghe bảo thế này. Công ty Ví Dụ sẽ bồi thường cho khách hàng bị lộ dữ liệu. Thật không mọi người?"
    q = V.QueryView.of(text, ["Công ty Ví Dụ sẽ bồi thường cho khách hàng bị lộ dữ liệu."])
    f = V.pair_features(q, fc, {}, unit=0)
    assert f["tense_flip"] == 1.0 and V.veto(f, long=True)
    # a negation reworded in a post ("không chịu bồi thường" / "không bồi thường") is not judged there
    neg = V.QueryView.of(
        text.replace("sẽ bồi", "không bồi"), ["Công ty Ví Dụ không bồi thường cho khách hàng."]
    )
    g = V.pair_features(neg, V.TextView.of("Công ty Ví Dụ không chịu bồi thường cho khách hàng"), {}, unit=0)
    assert g["polarity_flip"] == 1.0 and not V.veto(g, long=True)


def test_a_word_saying_what_the_name_is_is_passed_over_but_not_any_word() -> None:
    fc = V.TextView.of("Một phụ nữ ở tỉnh Hòa Lạc Đông được phát hiện ủ bệnh tới 40 ngày")
    q = V.QueryView.of("Một phụ nữ ở Vân Nam ủ bệnh tới 40 ngày")
    assert V.name_swapped(q, fc) == ("Vân Nam", "Hòa Lạc Đông")
    # "trên Zalo của ông chủ tịch" against "Hoàng Nam đăng Zalo": another role, not another name
    za = V.TextView.of("Ngày 5/9, trên Zalo của ông chủ tịch xã có bài khen đội bóng Ví Dụ")
    assert V.name_swapped(V.QueryView.of("Ngày 5/9 Hoàng Nam đăng Zalo khen đội bóng Ví Dụ"), za) is None


def test_a_number_the_claim_gives_rounded_or_a_year_left_unsaid_is_no_new_number() -> None:
    fc = V.TextView.of("Các bị cáo ở tỉnh Ví Dụ chiếm đoạt hơn 3 tỷ đồng tiền hỗ trợ, xử ngày 5/9/2024")
    precise = features("Các bị cáo ở tỉnh Ví Dụ chiếm đoạt 3,04 tỷ đồng tiền hỗ trợ", fc)
    assert precise["num_added"] == 0.0
    no_year = features("Bị cáo ở tỉnh Ví Dụ chiếm đoạt 3,04 tỷ đồng, xử ngày 5/9", fc)
    assert not V.number_swapped(no_year)
    # another amount, or another year, is still a number the claim does not state
    other = features("Các bị cáo ở tỉnh Ví Dụ chiếm đoạt 3,5 tỷ đồng tiền hỗ trợ", fc)
    assert other["num_added"] == 1.0 and V.veto(other, long=False)
    year = features("Bị cáo ở tỉnh Ví Dụ chiếm đoạt hơn 3 tỷ đồng, xử ngày 5/9/2023", fc)
    assert year["num_added"] == 1.0


def test_another_product_vetoes_a_product_the_claim_leaves_unsaid_does_not() -> None:
    fc = V.TextView.of("Nhiều người tố kem đánh răng của hãng Ví Dụ chứa chất gây ung thư")
    other = features("Nhiều người tố sữa tắm của hãng Ví Dụ chứa chất gây ung thư", fc)
    assert other["slot_swap"] == 1.0 and V.veto(other, long=False)
    vague = V.TextView.of("Nhiều người tố sản phẩm của hãng Ví Dụ chứa chất gây ung thư")
    added = features("Nhiều người tố sữa tắm của hãng Ví Dụ chứa chất gây ung thư", vague)
    assert added["slot_swap"] == 0.0 and added["slot_conflict"] == 0.0


def test_an_amount_said_in_words_is_a_number_like_one_in_digits() -> None:
    fc = V.TextView.of("Xã Ví Dụ phạt 4 triệu đồng người thả rông chó từ tháng sau")
    words = features("Xã Ví Dụ phạt sáu triệu đồng người thả rông chó từ tháng sau", fc)
    assert words["num_added"] == 1.0 and V.veto(words, long=False)
    same = features("Xã Ví Dụ phạt bốn triệu đồng người thả rông chó từ tháng sau", fc)
    assert same["num_added"] == 0.0 and not V.number_swapped(same)
    notes = V.reasons(words, fc, V.QueryView.of("Xã Ví Dụ phạt sáu triệu đồng người thả rông chó"))
    assert "Số liệu khác: 6.000.000 ≠ 4.000.000" in notes
    # a number word alone stays ambiguous ("hai" is also "hải" typed bare): not a number the tip adds
    assert V.amount_words("năm nay hai người") == set()


def test_a_headline_in_capitals_is_no_list_of_names() -> None:
    fc = V.TextView.of("XE KHÁCH LAO XUỐNG VỰC Ở ĐÈO VÍ DỤ Sáng nay, xe của hãng Minh Long chở 20 người")
    assert V.proper_words(fc.text) == frozenset({"minh", "long"})
    assert "xe" not in V.acronyms(fc.text)
    notes = V.reasons(features("Xe khách lao xuống vực ở đèo Ví Dụ", fc), fc, V.QueryView.of("Xe khách"))
    assert not any("KHÁCH" in str(n) for n in notes)
    # acronyms inside running text stay acronyms
    assert V.acronyms("UBND TP HCM họp với Sở Y tế") == frozenset({"ubnd", "tp", "hcm"})


def test_another_name_after_the_same_head_word_vetoes_in_a_reworded_tip() -> None:
    fc = V.TextView.of("Sau bữa trưa, 12 học sinh trường THCS Tân Tiến nhập viện vì ngộ độc")
    q = V.QueryView.of("Học sinh trường THCS Hòa Bình ngộ độc phải nhập viện sau bữa trưa")
    f = features(q.text, fc)
    assert f["name_swap"] == 1.0 and V.veto(f, long=False)
    same = features("Học sinh trường THCS Tân Tiến ngộ độc phải nhập viện sau bữa trưa", fc)
    assert same["name_swap"] == 0.0
    # a title before a name: "thầy Rossi" against "HLV Lê Minh Đức" is another person
    coach = V.TextView.of("Tiền đạo Ví Dụ gửi lời cảm ơn tới thầy Rossi sau 2 bàn thắng")
    g = features("Tiền đạo Ví Dụ gửi lời cảm ơn tới HLV Lê Minh Đức sau 2 bàn thắng", coach)
    assert g["name_swap"] == 1.0


def test_another_animal_another_app_and_a_countrys_navy_veto() -> None:
    fc = V.TextView.of("Cư dân mạng thương xót con voi bị bẫy chết ở rừng Ví Dụ")
    assert features("Cư dân mạng thương xót con hổ bị bẫy chết ở rừng Ví Dụ", fc)["slot_swap"] == 1.0
    app = V.TextView.of("Lỗ hổng bảo mật của ứng dụng Zoom khiến nhiều trường học cấm dùng")
    assert (
        features("Lỗ hổng bảo mật của ứng dụng Skype khiến nhiều trường học cấm dùng", app)["slot_swap"]
        == 1.0
    )
    navy = V.TextView.of("Sĩ quan hải quân Mỹ khen tàu hậu cần của Việt Nam")
    assert features("Sĩ quan hải quân Nhật khen tàu hậu cần của Việt Nam", navy)["slot_swap"] == 1.0
    # easy and hard to breathe are opposites
    mask = V.TextView.of("Bác sĩ Ví Dụ nói đeo mặt nạ chống giọt bắn cả ngày khiến trẻ khó thở")
    assert (
        features("Bác sĩ Ví Dụ nói đeo mặt nạ chống giọt bắn cả ngày khiến trẻ dễ thở", mask)["opposite"]
        == 1.0
    )


def test_a_street_the_claim_does_not_name_in_place_of_its_own_vetoes_a_finer_address_does_not() -> None:
    fc = V.TextView.of("Hàng chục cây xanh Phan Đình Giót bị chặt hạ trong đêm")
    f = features("Hàng chục cây xanh ở phố Hàng Gai bị chặt hạ trong đêm", fc)
    assert f["name_swap"] == 1.0 and V.veto(f, long=False)
    ward = V.TextView.of("Một nhân viên quê huyện Ví Dụ, tỉnh Hòa Lâm mắc bệnh")
    detail = features("Một nhân viên ở xã Tân Lập, huyện Ví Dụ, tỉnh Hòa Lâm mắc bệnh", ward)
    assert detail["name_swap"] == 0.0


def test_a_body_named_on_its_first_word_only_is_swapped_between_kept_words() -> None:
    fc = V.TextView.of("Sáng nay, Ủy ban Văn hóa của Hội đồng Ví Dụ họp về dự luật")
    f = features("Ủy ban Kinh tế của Hội đồng Ví Dụ họp về dự luật sáng nay", fc)
    assert f["name_swap"] == 1.0 and V.veto(f, long=False)
    # a title for a name ("Bác" for "Chủ tịch") and an acronym ("TW") are not judged here
    assert (
        V.name_swapped(
            V.QueryView.of("bệnh viện Nhi TW cơ sở 2 công bố"),
            V.TextView.of("bệnh viện Nhi Trung ương cơ sở 2 công bố"),
        )
        is None
    )


def test_another_district_after_the_same_place_word_and_a_veto_said_for_an_approval() -> None:
    fc = V.TextView.of("Một cây cổ thụ bật gốc ở Xuân Lộc, Hòa Lâm làm 3 người bị thương")
    f = features("Cây cổ thụ bật gốc tại Tân Phú, Hòa Lâm khiến 3 người bị thương", fc)
    assert f["name_swap"] == 1.0 and V.veto(f, long=False)
    assert features("Cây cổ thụ bật gốc tại Xuân Lộc làm 3 người bị thương", fc)["name_swap"] == 0.0
    law = V.TextView.of("Thống đốc bang Ví Dụ phê duyệt gói 2 tỷ USD cho trường học")
    assert features("Thống đốc bang Ví Dụ phủ quyết gói 2 tỷ USD cho trường học", law)["opposite"] == 1.0


def test_a_country_the_claim_writes_by_its_short_name_alone_is_named_by_it() -> None:
    fc = V.TextView.of("Viện Hàn lâm Pháp: loại nấm này chữa được ung thư")
    f = features("Viện Hàn lâm người Pháp nói loại nấm này chữa được ung thư", fc)
    assert f["slot_conflict"] == 0.0
    # a short name inside a longer one ("Tuấn Anh") names no country
    assert "country" not in V.TextView.of("Cầu thủ Tuấn Anh ghi bàn").short_slots
