from kiemchung.scam.impersonation import check_page, page_key


def test_page_key() -> None:
    assert page_key("https://m.facebook.com/vietcombank/?ref=x") == "facebook.com/vietcombank"
    assert page_key("facebook.com/vietcombank.cskh.247") == "facebook.com/vietcombank.cskh.247"


def test_official_page_is_ok() -> None:
    w = check_page("Vietcombank", "https://www.facebook.com/vietcombank")
    assert w.verdict == "ok" and w.official == "Vietcombank"


def test_impostor_page_with_lure_words() -> None:
    w = check_page("Vietcombank CSKH", "facebook.com/vietcombank.cskh.247")
    assert w.verdict == "scam" and w.official == "Vietcombank"
    assert any("cskh" in r for r in w.reasons)
    assert any("không thuộc danh sách trang chính thức" in r for r in w.reasons)


def test_full_legal_name_and_no_diacritics() -> None:
    w = check_page(
        "Ngan hang TMCP Ngoai thuong Viet Nam - Ho tro", "https://fb.com/nganhangngoaithuong.hotro"
    )
    assert w.verdict in ("scam", "suspicious") and w.official == "Vietcombank"


def test_without_link_is_at_most_suspicious_and_unrelated_is_unknown() -> None:
    w = check_page("Techcombank Hỗ Trợ Khách Hàng")
    assert w.verdict == "suspicious" and w.official == "Techcombank"
    assert check_page("Quán phở Hà Nội", "facebook.com/phohanoi").verdict == "unknown"
