import pytest

from kiemchung.scam.lookalike import assess_domain, skeleton
from kiemchung.web.i18n import translate_in


@pytest.mark.parametrize(
    "domain",
    [
        "vietcombank.com.vn",
        "ibanking.vietcombank.com.vn",
        "https://vcbdigibank.vietcombank.com.vn/login",
        "shopee.vn",
        "momo.vn",
        "chinhphu.vn",
        "vnexpress.net",
    ],
)
def test_official_domains_never_flagged(domain: str) -> None:
    a = assess_domain(domain)
    assert a.verdict == "ok" and a.official


@pytest.mark.parametrize(
    "domain",
    [
        "google.com",
        "facebook.com",
        "mail.google.com",
        "dichvucong.gov.vn",
        "sotaichinh.hanoi.gov.vn",
        "hcmut.edu.vn",
        "thptchuyenlequydon.edu.vn",
        "wikipedia.org",
    ],
)
def test_major_legit_domains_are_ok_or_unknown(domain: str) -> None:
    assert assess_domain(domain).verdict in ("ok", "unknown")


@pytest.mark.parametrize(
    "domain",
    [
        "vietcombank-hotro.com",
        "shopee-vn.vip",
        "momo-nhanthuong.xyz",
        "techcombank-xacminh.online",
        "vietcombank.com.vn.dang-nhap.xyz",
        "vietcornbank.com",
        "vi\u0435tcombank.com",
    ],
)
def test_brand_lookalikes_are_scam(domain: str) -> None:
    assert assess_domain(domain).verdict == "scam", assess_domain(domain).reasons


@pytest.mark.parametrize(
    ("domain", "why"),
    [
        ("nhacaiuytin88.com", "gambling"),
        ("vaytiennhanh24h.top", "loan"),
        ("kiemtienonline.site", "get-rich"),
        ("583917.com", "Number-heavy"),
        ("pxrotwdkal.com", "random-looking"),
    ],
)
def test_gambling_loan_getrich_and_mass_registered_patterns(domain: str, why: str) -> None:
    a = assess_domain(domain)
    assert a.verdict in ("scam", "suspicious")
    assert any(why in translate_in("en", r) for r in a.reasons), a.reasons


def test_vietnamese_diacritics_fold_before_confusables() -> None:
    assert skeleton("ạdmin") == "admin"
    assert skeleton("vіetcombank") == "vietcombank"  # Cyrillic і
    a = assess_domain("vietcombạnk.com")
    assert a.verdict == "scam"
    assert "vietcombank.com.vn" in a.reasons[0]
    fresh = assess_domain("ạdmịn-hotro.vn")
    assert fresh.verdict in ("scam", "suspicious")
    assert any("đọc như" in r for r in fresh.reasons)


def test_reason_names_the_imitated_official_domain() -> None:
    a = assess_domain("vietcombank.xyz")
    assert a.verdict == "scam"
    assert any("vietcombank.com.vn" in r and "không phải tên miền chính thức" in r for r in a.reasons)


def test_blocklist_parent_and_sibling_hits() -> None:
    listed = assess_domain("0000a.net")
    assert listed.verdict == "scam" and listed.provenance[0]["feed"] == "chongluadao"
    child = assess_domain("login.0000a.net")
    assert child.verdict == "scam" and "0000a.net" in child.reasons[0]


def test_unknown_plain_domain() -> None:
    a = assess_domain("quanphohanoi.com")
    assert a.verdict == "unknown" and a.score < 0.5
    assert assess_domain("not a domain").verdict == "unknown"


def test_scores_are_bounded() -> None:
    for d in ["a.xyz", "casino-nhacai-taixiu-nohu-vaytien.xyz", "1.2.3.4"]:
        assert 0.0 <= assess_domain(d).score <= 1.0


@pytest.mark.parametrize(
    ("domain", "copied"),
    [
        ("vietcornbank.com.vn", "vietcombank.com.vn"),  # "rn" for "m", under the bank's own suffix
        ("vletcombank.com.vn", "vietcombank.com.vn"),  # "l" for "i"
        ("techcornbank.com.vn", "techcombank.com.vn"),
    ],
)
def test_a_deliberate_copy_of_a_registered_brand_is_never_unknown(domain: str, copied: str) -> None:
    a = assess_domain(domain)
    assert a.verdict in ("suspicious", "scam"), (a.verdict, a.score, a.reasons)
    assert copied in a.reasons[0]
    # the copy is the reason: a misspelt brand is not also "a random string"
    assert not any("ngẫu nhiên" in r for r in a.reasons)


def test_a_different_bank_with_a_similar_name_is_not_a_copy() -> None:
    assert assess_domain("vietbank.com.vn").verdict == "ok"
