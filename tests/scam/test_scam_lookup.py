"""The one lookup used by the page, the API, the tipline and the CLI."""


def test_link_to_an_impostor_page_on_a_genuine_platform_is_not_ok() -> None:
    from kiemchung.scam.lookup import check

    fake = check("Trang Vietcombank CSKH facebook.com/vietcombank.cskh.247 nhắn tin bảo cập nhật thông tin")
    assert fake.verdict == "scam" and "Vietcombank" in fake.reasons[0]
    assert check("https://www.facebook.com/vietcombank").verdict == "ok"
    # an ordinary page is not vouched for just because facebook.com is genuine
    other = check("facebook.com/trang.ban.hang.123")
    assert other.verdict == "unknown" and "facebook.com" in other.reasons[0]
    # platform links that are not pages keep the platform's own verdict
    assert check("https://www.youtube.com/watch?v=abc").verdict == "ok"
