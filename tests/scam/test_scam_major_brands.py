"""Major legitimate domains must never be flagged (scam or suspicious).

The lists were written for this test from general knowledge of Vietnamese organisations' own sites
(banks, wallets, telcos, shops, transport, media, government, hospitals, universities) and of
international platforms. Household brands are also what an evaluation set's legitimate side is made
of, so every domain that occurs in the scam evaluation set was removed from them (61 did), and
``test_no_domain_here_is_in_the_evaluation_set`` keeps it so: passing here says nothing about the
measured false-positive rate, and nothing here was tuned against it.
Some are in the official registry (verdict ``ok``); the rest must still come out ``ok`` or
``unknown``, because a false alarm on a household brand costs the desk its readers' trust.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kiemchung.scam.blocklist import Snapshot
from kiemchung.scam.domains import registered_domain
from kiemchung.scam.lookalike import assess_domain
from kiemchung.scam.registry import Registry, bundled_registry
from kiemchung.web.i18n import translate_in

VN_MAJOR = [
    # banks (state-owned and joint-stock) and the interbank switch
    "vietcombank.com.vn",
    "vietinbank.vn",
    "techcombank.com.vn",
    "vpbank.com.vn",
    "mbbank.com.vn",
    "sacombank.com.vn",
    "hdbank.com.vn",
    "tpb.vn",
    "vib.com.vn",
    "seabank.com.vn",
    "eximbank.com.vn",
    "lpbank.com.vn",
    "namabank.com.vn",
    "kienlongbank.com",
    "vietcapitalbank.com.vn",
    "bvbank.net.vn",
    "dongabank.com.vn",
    "vbsp.org.vn",
    "vdb.gov.vn",
    "napas.com.vn",
    "wooribank.com.vn",
    "cimbbank.com.vn",
    # consumer finance and insurance
    "fecredit.com.vn",
    "homecredit.vn",
    "mcredit.com.vn",
    "baoviet.com.vn",
    "prudential.com.vn",
    "manulife.com.vn",
    "aia.com.vn",
    "daiichi-life.com.vn",
    "pvi.com.vn",
    # securities and exchanges
    "hsx.vn",
    "hnx.vn",
    "vndirect.com.vn",
    "vcbs.com.vn",
    "hsc.com.vn",
    "mbs.com.vn",
    "fpts.com.vn",
    "tcbs.com.vn",
    # e-wallets and payments
    "momo.vn",
    "zalopay.vn",
    "vnpay.vn",
    "shopeepay.vn",
    "viettelmoney.vn",
    "vnptmoney.vn",
    "payoo.vn",
    "moca.vn",
    # telcos and pay TV
    "viettel.vn",
    "vinaphone.com.vn",
    "mobifone.vn",
    "vnpt.com.vn",
    "fpt.vn",
    "vietnamobile.com.vn",
    "itel.vn",
    "vtvcab.vn",
    "k-plus.vn",
    "tv360.vn",
    "myvnpt.vnpt.vn",
    # e-commerce and retail
    "shopee.vn",
    "sendo.vn",
    "dienmayxanh.com",
    "cellphones.com.vn",
    "nguyenkim.com",
    "winmart.vn",
    # not "coopmart.vn": the retailer's registered site is co-opmart.com.vn, and a name one hyphen
    # away from it behind "login." is what the look-alike rule must flag (see the test below)
    "aeon.com.vn",
    "lottemart.com.vn",
    "pharmacity.vn",
    "longchau.vn",
    "guardian.com.vn",
    "chotot.com",
    "concung.com",
    "hasaki.vn",
    "kingfoodmart.com",
    # food delivery and ride hailing
    "grab.com",
    "be.com.vn",
    "xanhsm.com",
    "baemin.vn",
    "shopeefood.vn",
    # transport and travel
    "vietnamairlines.com",
    "vietjetair.com",
    "vietravelairlines.com",
    "dsvn.vn",
    "vietnamrailway.com.vn",
    "vetc.com.vn",
    "vntrip.vn",
    "ivivu.com",
    "mytour.vn",
    "futabus.vn",
    "vexere.com",
    "acv.vn",
    # logistics and post
    "vnpost.vn",
    "viettelpost.com.vn",
    "ghn.vn",
    "ghtk.vn",
    "jtexpress.vn",
    "ninjavan.co",
    # groups and manufacturers
    "vingroup.net",
    "vinfastauto.com",
    "vinhomes.vn",
    "vinamilk.com.vn",
    "masangroup.com",
    "hoaphat.com.vn",
    "petrolimex.com.vn",
    "pvn.vn",
    "evn.com.vn",
    "evnhcmc.vn",
    "evnhanoi.vn",
    "sabeco.com.vn",
    "thaco.com.vn",
    "sungroup.com.vn",
    "novaland.com.vn",
    "trungnguyenlegend.com",
    # government and public services
    "chinhphu.vn",
    "dichvucong.gov.vn",
    "mic.gov.vn",
    "bocongan.gov.vn",
    "moh.gov.vn",
    "mof.gov.vn",
    "quochoi.vn",
    "hanoi.gov.vn",
    "danang.gov.vn",
    "thuvienphapluat.vn",
    "ncsc.gov.vn",
    "csgt.vn",
    "vneid.gov.vn",
    # news and media
    "vnexpress.net",
    "tuoitre.vn",
    "nhandan.vn",
    "qdnd.vn",
    "vtv.vn",
    "vov.vn",
    "baochinhphu.vn",
    "vietnamplus.vn",
    "znews.vn",
    "kenh14.vn",
    "cafef.vn",
    "tienphong.vn",
    "vietnamfinance.vn",
    # jobs, property and classifieds
    "vietnamworks.com",
    "topcv.vn",
    "careerviet.vn",
    "batdongsan.com.vn",
    "nhatot.com",
    # technology, entertainment and learning
    "zalo.me",
    "zingmp3.vn",
    "nhaccuatui.com",
    "fpt.com",
    "vng.com.vn",
    "vieon.vn",
    "fptplay.vn",
    "hocmai.vn",
    "olm.vn",
    "vietjack.com",
    # hospitals
    "benhvienk.vn",
    "vinmec.com",
    "choray.vn",
    "hongngochospital.vn",
    "medlatec.vn",
    "tamanhhospital.vn",
    # universities
    "vnu.edu.vn",
    "hcmut.edu.vn",
    "ftu.edu.vn",
    "hanu.edu.vn",
    "hnue.edu.vn",
    "fpt.edu.vn",
    "rmit.edu.vn",
    "tdtu.edu.vn",
]

INTERNATIONAL = [
    "google.com",
    "facebook.com",
    "messenger.com",
    "whatsapp.com",
    "tiktok.com",
    "x.com",
    "linkedin.com",
    "reddit.com",
    "pinterest.com",
    "telegram.org",
    "signal.org",
    "discord.com",
    "microsoft.com",
    "office.com",
    "apple.com",
    "icloud.com",
    "amazon.com",
    "aws.amazon.com",
    "cloudflare.com",
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "stackoverflow.com",
    "python.org",
    "pypi.org",
    "npmjs.com",
    "debian.org",
    "ubuntu.com",
    "mozilla.org",
    "wikimedia.org",
    "openstreetmap.org",
    "archive.org",
    "netflix.com",
    "soundcloud.com",
    "twitch.tv",
    "vimeo.com",
    "zoom.us",
    "slack.com",
    "trello.com",
    "atlassian.com",
    "notion.so",
    "canva.com",
    "figma.com",
    "adobe.com",
    "dropbox.com",
    "box.com",
    "stripe.com",
    "visa.com",
    "mastercard.com",
    "wise.com",
    "booking.com",
    "agoda.com",
    "expedia.com",
    "tripadvisor.com",
    "traveloka.com",
    "airbnb.com",
    "klook.com",
    "coursera.org",
    "edx.org",
    "khanacademy.org",
    "duolingo.com",
    "samsung.com",
    "sony.com",
    "lg.com",
    "xiaomi.com",
    "nokia.com",
    "lenovo.com",
    "dell.com",
    "hp.com",
    "asus.com",
    "bbc.co.uk",
    "apnews.com",
    "reuters.com",
    "nytimes.com",
    "theguardian.com",
    "washingtonpost.com",
    "aljazeera.com",
    "who.int",
    "un.org",
    "imf.org",
]


def _flagged(domains: list[str]) -> list[tuple[str, str, list[str]]]:
    out = []
    for d in domains:
        a = assess_domain(d)
        if a.verdict in ("scam", "suspicious"):
            out.append((d, a.verdict, a.reasons))
    return out


def test_lists_are_big_and_distinct() -> None:
    assert len(set(VN_MAJOR)) == len(VN_MAJOR) >= 150
    assert len(set(INTERNATIONAL)) == len(INTERNATIONAL)


# The evaluation sets beside the repository, as tests/test_no_eval_leak.py reads them.
EVAL_SCAM = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "scam"
DOMAIN = re.compile(r"(?<![a-z0-9.-])(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?![a-z0-9-])")


@pytest.mark.skipif(not EVAL_SCAM.is_dir(), reason="evaluation sets not present")
def test_no_domain_here_is_in_the_evaluation_set() -> None:
    """Scam and legitimate alike: a listed domain the set also holds would be measured twice."""
    measured = set()
    for path in sorted(EVAL_SCAM.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                measured.add(str(json.loads(line).get("domain", "")).lower().removeprefix("www."))
    assert measured, "the evaluation set holds no domains: the check would pass on nothing"
    here = {d.removeprefix("www.") for d in [*VN_MAJOR, *INTERNATIONAL]}
    here |= set(DOMAIN.findall(Path(__file__).read_text(encoding="utf-8").lower()))
    assert sorted(here & measured) == []


def test_major_vietnamese_domains_never_flagged() -> None:
    assert _flagged(VN_MAJOR) == []


def test_major_international_domains_never_flagged() -> None:
    assert _flagged(INTERNATIONAL) == []


@pytest.mark.parametrize("domain", VN_MAJOR)
def test_subdomains_of_major_domains_never_flagged(domain: str) -> None:
    for sub in ("www", "m", "login", "cskh"):
        a = assess_domain(f"{sub}.{domain}")
        assert a.verdict in ("ok", "unknown"), (sub, domain, a.reasons)


def test_a_longer_acronym_before_a_shared_word_is_another_bank() -> None:
    # "cimb" + "bank" holds "mb" + "bank": another bank, not MB; glued lure words still count
    assert assess_domain("login.cimbbank.com.vn").verdict == "unknown"
    for fake in ("login-mbbank.vn", "vnmbbank.com", "mymbbank.com", "nganhangmbbank.com"):
        assert assess_domain(fake).verdict in ("scam", "suspicious"), fake


def test_an_official_name_one_hyphen_away_behind_a_lure_is_flagged() -> None:
    assert assess_domain("co-opmart.com.vn").verdict == "ok"
    a = assess_domain("login.coopmart.vn")
    assert a.verdict == "scam" and "co-opmart.com.vn" in str(a.reasons[0])


def _registry_without(*names: str) -> Registry:
    """The bundled registry less some organisations: how rules treat brands nobody listed."""
    return Registry([o for o in bundled_registry() if o.name not in names])


def _snapshot(*domains: str) -> Snapshot:
    snap = Snapshot()
    snap.add_many([("domain", d) for d in domains], {"feed": "test", "url": None})
    return snap


def test_group_domains_are_official() -> None:
    a = assess_domain("vnptmoney.vn")
    assert a.verdict == "ok" and a.official == "VNPT Money"
    assert assess_domain("shopeepay.vn").official == "ShopeePay"
    assert assess_domain("bidvmetlife.com.vn").verdict == "ok"


@pytest.mark.parametrize(
    ("domain", "unlisted"),
    [
        ("vnptmoney.vn", "VNPT Money"),  # brand 'vnpt' + a word, on .vn
        ("bidvmetlife.com.vn", "BIDV MetLife"),  # the acronym is no random consonant run
        ("gpbank.com.vn", "GPBank"),  # one letter from 'vpbank', but another bank's initials
        ("cbbank.vn", "CBBank"),
        ("vietbank.com.vn", "Vietbank"),  # 'viet' vs 'vietin' before the shared 'bank'
        ("jtexpress.vn", "J&T Express Việt Nam"),  # 'jt' vs 'vn' before 'express'
        ("fptplay.vn", "FPT"),
    ],
)
def test_unlisted_brand_relatives_are_not_flagged(domain: str, unlisted: str) -> None:
    reg = _registry_without(unlisted)
    assert reg.owner(domain) is None
    a = assess_domain(domain, registry=reg)
    assert a.verdict in ("ok", "unknown"), a.reasons


def test_same_name_under_vn_suffix_is_not_scam() -> None:
    # Organisations register their name under .vn as well as .com.vn.
    for d in ("agribank.vn", "mbbank.vn", "hdbank.vn", "vinfast.vn"):
        assert assess_domain(d).verdict in ("ok", "unknown"), assess_domain(d).reasons


def test_real_typosquats_still_caught() -> None:
    for d in ("techcombamk.com", "sacombamk.com", "vietcornbank.com", "vpbank.xyz", "bidv-hotro.com"):
        assert assess_domain(d).verdict in ("scam", "suspicious"), d
    # A money brand's exact name on a classic TLD is still a warning.
    assert assess_domain("vietcombank.net").verdict == "suspicious"


def test_clean_name_needs_more_than_a_fuzzy_hit_on_a_scam_family() -> None:
    reg = _registry_without("VietnamWorks")
    snap = _snapshot("vietnamoks.com", "thegioibanhnqot.com")
    # A listed label that drops letters from a clean name imitates it; it is not its sibling.
    assert assess_domain("vietnamworks.com", snap, reg).verdict in ("ok", "unknown")
    # A swap that breaks Vietnamese words marks the listed one as the fake (an invented shop) ...
    assert assess_domain("thegioibanhngot.com", snap, reg).verdict in ("ok", "unknown")
    # ... while a swap that still reads as words is a sibling of the listed family.
    sibling = _snapshot("thegioibanhngon.com")
    assert assess_domain("thegioibanhngot.com", sibling, reg).verdict in ("scam", "suspicious")


def test_scam_families_still_match() -> None:
    snap = _snapshot("khuyenmaivip88.com", "quatangtet.com", "nhanquamomo.com")
    for d in ("khuyenmaivip89.com", "quatangtets.com", "nhanquamomovn.com"):
        a = assess_domain(d, snap)
        english = [translate_in("en", r) for r in a.reasons]
        assert any("known scam domain" in r or "naming pattern" in r for r in english), (d, a.reasons)


def test_every_registry_domain_and_subdomain_is_official() -> None:
    for o in bundled_registry():
        for d in o.domains:
            if registered_domain(d) != d:
                continue  # a public suffix itself (googleapis.com): its customers' sites are not its own
            for host in (d, f"www.{d}", f"dang-nhap.{d}"):
                a = assess_domain(host)
                assert a.verdict == "ok" and a.official == o.name, (host, a.reasons)
