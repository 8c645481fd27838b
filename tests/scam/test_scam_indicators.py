from kiemchung.scam.indicators import defang, extract_indicators


def kv(text: str) -> list[tuple[str, str]]:
    return [(i.kind, i.value) for i in extract_indicators(text)]


def test_defanged_links_and_spans_point_into_the_original() -> None:
    text = "Truy cập hxxps://vietcombank-cskh[.]com/dang-nhap để nhận quà!!!"
    [ind] = extract_indicators(text)
    assert (ind.kind, ind.value) == ("url", "https://vietcombank-cskh.com/dang-nhap")
    assert text[ind.span[0] : ind.span[1]] == "hxxps://vietcombank-cskh[.]com/dang-nhap"


def test_obfuscated_domains() -> None:
    assert kv("web: shopee-vn . vip  hoặc momo-nhanthuong(.)xyz") == [
        ("domain", "shopee-vn.vip"),
        ("domain", "momo-nhanthuong.xyz"),
    ]
    assert kv("vao vietcombank dot com dot vn nhe") == [("domain", "vietcombank.com.vn")]
    assert kv("ten\u200bmien: abc\u200b.com") == [("domain", "abc.com")]
    assert kv("nạpthẻ。vn") == [("domain", "nạpthẻ.vn")]
    assert kv("http://xn--dmin-4q5a.vn") == [("url", "http://ạdmin.vn")]


def test_prose_is_not_a_domain() -> None:
    assert kv("Xong. Com lên đi, file main.py xong rồi, v.v.") == []


def test_phones_in_national_and_international_forms() -> None:
    assert kv("Gọi 0912.345.678 hoặc +84 912 345 678 hoặc 84912345678") == [("phone", "+84912345678")] * 3


def test_bank_accounts_with_bank_names() -> None:
    [ind] = extract_indicators("Chuyển khoản 0123456789 ngân hàng VCB gấp")
    assert (ind.kind, ind.value, ind.detail) == ("bank_account", "0123456789", "Vietcombank")
    [ind] = extract_indicators("chuyen 5.000.000đ vao STK: 1903 5678 9012 Techcombank, chu TK NGUYEN VAN A")
    assert (ind.kind, ind.value, ind.detail) == ("bank_account", "190356789012", "Techcombank")
    assert kv("tk 0123456789 agribank") == [("bank_account", "0123456789")]
    assert kv("Giá 5.000.000 đồng, giảm 1.200.000") == []


def test_ewallets_linked_to_phones() -> None:
    [ind] = extract_indicators("nạp vào ví ZaloPay: 0987.654.321 nhé")
    assert (ind.kind, ind.value, ind.detail) == ("ewallet", "+84987654321", "ZaloPay")
    assert extract_indicators("MoMo 0912345678 nhận tiền")[0].detail == "MoMo"


def test_email_domain_and_mixed_message() -> None:
    text = "Liên hệ hotro@vcb-support.com, STK 1234567890 MB, Zalo 0901 234 567"
    got = extract_indicators(text)
    assert [(i.kind, i.value) for i in got] == [
        ("domain", "vcb-support.com"),
        ("bank_account", "1234567890"),
        ("phone", "+84901234567"),
    ]
    assert got[0].detail == "email"


def test_never_raises_on_odd_input() -> None:
    for t in ["", " ", "\x00\x01", "。。。", "[.]" * 50, "http://", "@@@", "0" * 40]:
        extract_indicators(t)
    assert defang("a[.]b")[0] == "a.b"
