"""Named slots (places, countries, diseases, remedies, organisations, goods) and their conflicts."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from kiemchung.engine import slots as S


def test_lexicon_loads_with_provenance_and_labels() -> None:
    raw = json.loads(resources.files("kiemchung.engine").joinpath("data/slots.json").read_text("utf-8"))
    assert raw["_provenance"]
    assert set(raw["types"]) == set(S.KIND_LABELS)
    assert all(spec["note"] for spec in raw["types"].values())
    assert len(S.lexicon()) > 400


@pytest.mark.parametrize(
    ("text", "kind", "values"),
    [
        ("Bão số 5 đổ bộ Quảng Trị", "place", {"Quảng Trị"}),
        ("bao so 5 do bo quang tri", "place", {"Quảng Trị"}),  # typed without diacritics
        ("Sài Gòn mưa to, TP.HCM ngập", "place", {"TP Hồ Chí Minh"}),  # synonyms, one value
        ("Đi Lào Cai chứ không sang Lào", "place", {"Lào Cai"}),  # longest match first
        ("Đi Lào Cai chứ không sang Lào", "country", {"Lào"}),
        ("Uống nước gừng chữa đái tháo đường", "disease", {"tiểu đường"}),
        ("Giá vàng miếng và đô la Mỹ tăng", "commodity", {"vàng", "đô la"}),
        ("Cấm xe hơi và xe gắn máy vào phố cổ", "vehicle", {"ô tô", "xe máy"}),
        ("Chợ đầu mối ở Thượng Hải và quận Cầu Giấy", "place", {"Thượng Hải", "Cầu Giấy"}),
        ("Trang trại điện gió ngoài khơi", "energy", {"điện gió"}),
        ("Mức đóng BHYT học sinh tăng", "insurance", {"bảo hiểm y tế"}),
        ("Vụ cháy làm 3 người thiệt mạng, 5 người bị thương", "outcome", {"tử vong", "bị thương"}),
        ("Du học sinh và công chức được hỗ trợ", "group", {"sinh viên", "công chức"}),  # not "học sinh"
        ("Không dùng ibuprofen khi sốt", "remedy", {"ibuprofen"}),
        ("bv cho ray tiep nhan 2 ca", "organisation", {"Bệnh viện Chợ Rẫy"}),  # a hospital, typed bare
        ("Bệnh viện Hữu nghị Việt Đức mổ cấp cứu", "organisation", {"Bệnh viện Việt Đức"}),
        # a name never runs across a comma: the street "Lê Văn Tấn", then the district Bình Tân
        ("Cháy nhà trên đường Lê Văn Tấn, Bình Tân", "place", {"Bình Tân"}),
        # a run of names: the later one is the larger place ("Đồng Thượng" hamlet, then Hải Phòng)
        ("Phát lộ cọc gỗ ở Đồng Thượng Hải Phòng", "place", {"Hải Phòng"}),
        ("Đặc sản Thượng Hải, Hải Phòng và Huế", "place", {"Thượng Hải", "Hải Phòng", "Huế"}),
        # "bằng lái xe" is a licence, but not when its "xe" starts the vehicle it is for
        ("Làm giả bằng lái xe máy", "vehicle", {"xe máy"}),
        ("Làm giả bằng lái xe máy", "document", {"bằng lái"}),
        ("Sang Nhật du học", "country", {"Nhật Bản"}),
        ("Hàng Tàu giá rẻ tràn về", "country", {"Trung Quốc"}),  # colloquial, with its capital
        ("Cháy chợ đêm qua", "fire", {"cháy chợ"}),
    ],
)
def test_slots_found(text: str, kind: str, values: set[str]) -> None:
    assert S.slots(text).get(kind) == frozenset(values)


@pytest.mark.parametrize(
    "text",
    [
        "Cả nhà tôi đi chợ chủ nhật, cập nhật tin tức",  # tôi / nhật are not garlic / Japan
        "Mong thế giới hòa bình, không còn chiến tranh",  # a common noun, not the province
        "Cấm đỗ xe vào nội thành giờ cao điểm",  # "cam" (orange) only with its diacritics
        "Hợp tác Việt Đức về đào tạo nghề",  # Vietnam-Germany, not the hospital
        "Lên tàu ra đảo chiều nay",  # a boat, not China
    ],
)
def test_everyday_words_are_not_slots(text: str) -> None:
    assert S.slots(text) == {}


def test_conflicts_swap_added_and_open_slots() -> None:
    fc = S.slots("Phà Sao Mai ở Cà Mau ngừng chạy")
    assert S.conflicts(S.slots("Phà Sao Mai ở Bạc Liêu ngừng chạy"), fc) == [
        ("place", ("Bạc Liêu",), ("Cà Mau",))
    ]
    assert S.conflicts(S.slots("Phà Sao Mai ngừng chạy à"), fc) == []  # the query leaves the place open
    assert S.conflicts(S.slots("Phà Sao Mai ở Cà Mau và Bạc Liêu ngừng chạy"), fc)  # one more place
    # Việt Nam is the default setting: naming it adds nothing
    assert S.conflicts(S.slots("Phà Sao Mai ở Cà Mau, Việt Nam ngừng chạy"), fc) == []


def test_swap_against_the_headline_not_the_body() -> None:
    body = S.slots("Không dùng ibuprofen khi sốt xuất huyết\nChỉ dùng paracetamol, không dùng ibuprofen.")
    head = S.slots("Không dùng ibuprofen khi sốt xuất huyết")
    query = S.slots("Không dùng paracetamol khi sốt xuất huyết à")
    assert S.conflicts(query, body) == []  # named in the body ...
    assert S.conflicts(query, body, head) == [("remedy", ("paracetamol",), ("ibuprofen", "paracetamol"))]


@pytest.mark.parametrize(
    ("query", "claim", "flipped"),
    [
        ("Vắc xin sởi không gây tự kỷ đúng không", "Vắc xin sởi gây bệnh tự kỷ ở trẻ nhỏ", True),
        ("vac xin soi ko gay tu ky a", "Vắc xin sởi gây bệnh tự kỷ ở trẻ nhỏ", True),
        ("Bán hàng online vẫn phải nộp thuế à", "Bán hàng online thì không phải nộp thuế", True),
        ("Hàng giả không có bán ở chợ đâu", "Hàng giả đang được bán ở chợ", True),
        ("Vắc xin sởi có gây tự kỷ không?", "Vắc xin sởi gây bệnh tự kỷ ở trẻ nhỏ", False),
        ("Chưa tiêm vắc xin thì không được đi học", "Chưa tiêm vắc xin thì không được đi học", False),
        ("Uống nước lá ổi chữa sốt xuất huyết", "Nước lá ổi chữa được sốt xuất huyết", False),
    ],
)
def test_polarity_flips(query: str, claim: str, flipped: bool) -> None:
    """A tip that negates the claim (or asserts what it negates) is the opposite claim."""
    assert bool(S.polarity_flips(S.polarity(query), S.polarity(claim))) is flipped


def test_loose_slots_only_for_text_without_diacritics() -> None:
    assert S.slots("chuyen bay tu uc ve", loose=True)["country"] == frozenset({"Úc"})
    assert "country" not in S.slots("chuyen bay tu uc ve")


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Một du học sinh người Anh bị cách ly", {"Anh"}),
        ("Đại sứ quán Pháp khuyến cáo công dân", {"Pháp"}),
        ("Bộ Ngoại giao Mỹ nối lại hoạt động", {"Hoa Kỳ"}),  # the country, not only the ministry
        ("người anh trai của tôi ở quê", None),  # an elder brother: a cased form needs its capital
        ("pháp luật quy định rõ, người Việt phải khai báo", None),
    ],
)
def test_cased_forms_name_a_country_only_with_their_capital(text: str, country: set[str] | None) -> None:
    assert S.slots(text).get("country") == (frozenset(country) if country else None)


def test_a_swaps_only_kind_conflicts_on_another_value_not_on_an_added_one() -> None:
    claim = S.slots("Quả bóng Vàng 2019 thuộc về tiền vệ số 8")
    assert S.conflicts(S.slots("Quả bóng Vàng 2019 của bóng đá thuộc về tiền vệ số 8"), claim) == []
    ncaa = S.slots("Giải bóng rổ sinh viên bị hủy vì dịch")
    assert S.conflicts(S.slots("Giải bóng chuyền sinh viên bị hủy vì dịch"), ncaa) == [
        ("sport", ("bóng chuyền",), ("bóng rổ",))
    ]


def test_a_cased_form_of_an_unknown_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = json.loads(json.dumps(S._data()))
    raw["types"]["country"]["cased"] = {"Atlantis": ["người Atlantis"]}
    monkeypatch.setattr(S, "_data", lambda: raw)
    S.lexicon.cache_clear()
    try:
        with pytest.raises(ValueError, match="unknown country"):
            S.lexicon()
    finally:
        S.lexicon.cache_clear()


def test_another_outcome_of_a_count_is_a_swap() -> None:
    claim = S.slots("Tỉnh báo cáo số ca tử vong do sốt xuất huyết cao nhất cả nước")
    assert S.conflicts(S.slots("Tỉnh có số ca mắc sốt xuất huyết cao nhất cả nước"), claim) == [
        ("outcome", ("nhiễm",), ("tử vong",))
    ]
    # naming what the claim leaves unsaid is not judged
    assert (
        S.conflicts(S.slots("Sốt xuất huyết: tỉnh có người chết"), S.slots("Sốt xuất huyết tăng ở tỉnh"))
        == []
    )


def test_vinh_is_a_place_only_with_its_capital_after_a_placing_word() -> None:
    assert S.slots("Hai người ở Vinh bị cách ly") == {"place": frozenset({"Vinh"})}
    assert S.slots("Hai người được vinh danh") == {}
    assert S.slots("Vinh quang thuộc về đội tuyển") == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Khách tắm biển Mỹ Khê chiều qua rất đông", {}),
        ("Hai người ở Mỹ Tho bị thương", {"place": {"Mỹ Tho"}, "outcome": {"bị thương"}}),
        ("Lời Đức Phật dạy được in trên lịch", {}),
        ("Căng thẳng Mỹ Trung lại leo thang", {"country": {"Hoa Kỳ"}}),
        ("Tổng thống Mỹ Biden nói chuyện với báo chí", {"country": {"Hoa Kỳ"}}),
        ("Du học sinh về từ Anh Quốc phải cách ly", {"country": {"Anh"}, "group": {"sinh viên"}}),
    ],
)
def test_a_one_syllable_country_before_a_capitalised_word_may_be_part_of_another_name(
    text: str, expected: dict[str, set[str]]
) -> None:
    assert {k: set(v) for k, v in S.slots(text).items()} == expected
