"""Administrative units: provinces and wards found in free text (chat feedback, incident texts)."""

from __future__ import annotations

from kiemchung import areas


def test_a_ward_is_found_with_its_kind_within_the_province_named() -> None:
    assert areas.find_ward("Cây đổ ở phường Hoàn Kiếm, Hà Nội", 1) == (1, 70)
    assert areas.find_ward("Cây đổ ở P.Hoàn Kiếm") == (1, 70)  # the usual abbreviation
    # a bare name is not a ward (streets, people and wards share names), nor a ward elsewhere
    assert areas.find_ward("Cây đổ trên phố Hoàn Kiếm", 1) is None
    assert areas.find_ward("Cây đổ ở phường Hoàn Kiếm", 79) is None


def test_a_ward_name_that_recurs_across_provinces_needs_its_province() -> None:
    # many communes are called Tân Thạnh: without the province there is no telling which
    assert areas.find_ward("Ngập ở xã Tân Thạnh") is None
    codes = [p for p, _ in areas.provinces() if any(n == "Xã Tân Thạnh" for _, n in areas.wards(p))]
    assert len(codes) > 1
    found = areas.find_ward("Ngập ở xã Tân Thạnh", codes[0])
    assert found is not None and areas.ward_name(codes[0], found[1]) == "Xã Tân Thạnh"
