"""Major legitimate domains must never be flagged (scam or suspicious).

The lists are written from public knowledge of Vietnamese organisations' own sites: banks, wallets,
telcos, shops, transport, media, government, hospitals and schools, plus international platforms.
Some are in the official registry (verdict ``ok``); the rest must still come out ``ok`` or
``unknown``, because a false alarm on a household brand costs the desk its readers' trust.
"""

from __future__ import annotations

import pytest

from kiemchung.scam.blocklist import Snapshot
from kiemchung.scam.domains import registered_domain
from kiemchung.scam.lookalike import assess_domain
from kiemchung.scam.registry import Registry, bundled_registry

VN_MAJOR = [
    # banks
    "vietcombank.com.vn",
    "techcombank.com.vn",
    "bidv.com.vn",
    "agribank.com.vn",
    "vietinbank.vn",
    "mbbank.com.vn",
    "acb.com.vn",
    "tpb.vn",
    "vpbank.com.vn",
    "sacombank.com.vn",
    "hdbank.com.vn",
    "shb.com.vn",
    "vib.com.vn",
    "seabank.com.vn",
    "msb.com.vn",
    "eximbank.com.vn",
    "lpbank.com.vn",
    "pvcombank.com.vn",
    "kienlongbank.com",
    "abbank.vn",
    "ncb-bank.vn",
    "baca-bank.vn",
    "vietabank.com.vn",
    "namabank.com.vn",
    "baovietbank.vn",
    "pgbank.com.vn",
    "gpbank.com.vn",
    "oceanbank.vn",
    "cbbank.vn",
    "vietbank.com.vn",
    "shinhan.com.vn",
    "uob.com.vn",
    "bvbank.net.vn",
    "vbsp.org.vn",
    "cake.vn",
    "timo.vn",
    "napas.com.vn",
    # consumer finance
    "fecredit.com.vn",
    "homecredit.vn",
    "hdsaison.com.vn",
    "mcredit.com.vn",
    "mafc.com.vn",
    # securities and exchanges
    "ssi.com.vn",
    "vndirect.com.vn",
    "tcbs.com.vn",
    "vps.com.vn",
    "hsc.com.vn",
    "masvn.com",
    "vcbs.com.vn",
    "mbs.com.vn",
    "fpts.com.vn",
    "vietcap.com.vn",
    "hsx.vn",
    "hnx.vn",
    # insurers
    "baoviet.com.vn",
    "prudential.com.vn",
    "manulife.com.vn",
    "aia.com.vn",
    "pvi.com.vn",
    "baominh.com.vn",
    "bidvmetlife.com.vn",
    "fwd.com.vn",
    "pjico.com.vn",
    # e-wallets and payments
    "momo.vn",
    "zalopay.vn",
    "shopeepay.vn",
    "vnptmoney.vn",
    "viettelmoney.vn",
    "vnpay.vn",
    "moca.vn",
    "payoo.vn",
    "onepay.vn",
    "nganluong.vn",
    "baokim.vn",
    # telcos and pay TV
    "viettel.com.vn",
    "viettel.vn",
    "vietteltelecom.vn",
    "vnpt.com.vn",
    "vnpt.vn",
    "vinaphone.com.vn",
    "mobifone.vn",
    "fpt.vn",
    "vietnamobile.com.vn",
    "gmobile.vn",
    "itel.vn",
    "mytv.com.vn",
    "vtvcab.vn",
    # e-commerce and retail
    "shopee.vn",
    "lazada.vn",
    "tiki.vn",
    "sendo.vn",
    "thegioididong.com",
    "dienmayxanh.com",
    "fptshop.com.vn",
    "cellphones.com.vn",
    "bachhoaxanh.com",
    "hasaki.vn",
    "nhathuoclongchau.com.vn",
    "pharmacity.vn",
    "co-opmart.com.vn",
    "winmart.vn",
    "guardian.com.vn",
    "nguyenkim.com",
    "mediamart.vn",
    "hoanghamobile.com",
    "viettelstore.vn",
    "didongviet.vn",
    "phongvu.vn",
    "concung.com",
    "fahasa.com",
    "aeon.com.vn",
    "canifa.com",
    "highlandscoffee.com.vn",
    "thecoffeehouse.com",
    "phuclong.com.vn",
    "kfcvietnam.com.vn",
    "lotteria.vn",
    "jollibee.com.vn",
    # transport and travel
    "vietnamairlines.com",
    "vietjetair.com",
    "bambooairways.com",
    "vietravelairlines.com",
    "grab.com",
    "be.com.vn",
    "xanhsm.com",
    "vexere.com",
    "futabus.vn",
    "dsvn.vn",
    "vetc.com.vn",
    "vietravel.com",
    "ivivu.com",
    "mytour.vn",
    # logistics
    "vnpost.vn",
    "viettelpost.com.vn",
    "ghn.vn",
    "ghtk.vn",
    "jtexpress.vn",
    "ninjavan.co",
    "ahamove.com",
    "spx.vn",
    # groups and manufacturers
    "vingroup.net",
    "vinfastauto.com",
    "vinhomes.vn",
    "vinpearl.com",
    "vinmec.com",
    "masangroup.com",
    "hoaphat.com.vn",
    "vinamilk.com.vn",
    "sabeco.com.vn",
    "habeco.com.vn",
    "pnj.com.vn",
    "sjc.com.vn",
    "doji.vn",
    "petrolimex.com.vn",
    "pvoil.com.vn",
    "evn.com.vn",
    "evnhanoi.vn",
    "evnhcmc.vn",
    "thaco.com.vn",
    "novaland.com.vn",
    "sungroup.com.vn",
    "mwg.vn",
    # government and public services
    "chinhphu.vn",
    "baochinhphu.vn",
    "dichvucong.gov.vn",
    "vneid.gov.vn",
    "thuedientu.gdt.gov.vn",
    "csgt.vn",
    "quochoi.vn",
    "dangcongsan.vn",
    "vnnic.vn",
    "tinnhiemmang.vn",
    "thuvienphapluat.vn",
    "luatvietnam.vn",
    # news and media
    "vnexpress.net",
    "tuoitre.vn",
    "thanhnien.vn",
    "dantri.com.vn",
    "vietnamnet.vn",
    "znews.vn",
    "zingnews.vn",
    "kenh14.vn",
    "24h.com.vn",
    "laodong.vn",
    "tienphong.vn",
    "cafef.vn",
    "cafebiz.vn",
    "vtv.vn",
    "vov.vn",
    "nhandan.vn",
    "baomoi.com",
    "nld.com.vn",
    "vietnamplus.vn",
    "qdnd.vn",
    "cand.com.vn",
    "plo.vn",
    "soha.vn",
    "genk.vn",
    "afamily.vn",
    "eva.vn",
    "danviet.vn",
    "baodautu.vn",
    "thesaigontimes.vn",
    "vtc.vn",
    "htv.com.vn",
    "vietstock.vn",
    "tinhte.vn",
    "voz.vn",
    "bongda.com.vn",
    "thethao247.vn",
    "suckhoedoisong.vn",
    "baogiaothong.vn",
    "kinhtedothi.vn",
    # jobs, property and classifieds
    "vietnamworks.com",
    "topcv.vn",
    "chotot.com",
    "batdongsan.com.vn",
    "careerviet.vn",
    "timviec365.vn",
    "vieclam24h.vn",
    "itviec.com",
    "muaban.net",
    "homedy.com",
    "bonbanh.com",
    # technology, entertainment and learning
    "fpt.com",
    "fpt.com.vn",
    "bkav.com.vn",
    "misa.vn",
    "zalo.me",
    "zingmp3.vn",
    "nhaccuatui.com",
    "fptplay.vn",
    "tv360.vn",
    "vieon.vn",
    "galaxyplay.vn",
    "vtvgo.vn",
    "vng.com.vn",
    "garena.vn",
    "coccoc.com",
    "base.vn",
    "kiotviet.vn",
    "sapo.vn",
    "haravan.com",
    "matbao.net",
    "pavietnam.vn",
    "nhanhoa.com",
    "hocmai.vn",
    "vietjack.com",
    "violet.vn",
    # hospitals
    "bachmai.gov.vn",
    "benhvien108.vn",
    "choray.vn",
    "medlatec.vn",
    "tamanhhospital.vn",
    "hongngochospital.vn",
    "fvhospital.com",
    "benhvienk.vn",
    "benhvienthucuc.vn",
    # universities
    "vnu.edu.vn",
    "hust.edu.vn",
    "neu.edu.vn",
    "ftu.edu.vn",
    "hcmut.edu.vn",
    "ueh.edu.vn",
    "fpt.edu.vn",
    "rmit.edu.vn",
    "tdtu.edu.vn",
    "ptit.edu.vn",
    "vinuni.edu.vn",
]

INTERNATIONAL = [
    "google.com",
    "youtube.com",
    "microsoft.com",
    "apple.com",
    "github.com",
    "wikipedia.org",
    "amazon.com",
    "cloudflare.com",
    "gmail.com",
    "outlook.com",
    "tiktok.com",
    "instagram.com",
    "netflix.com",
    "spotify.com",
    "zoom.us",
    "canva.com",
    "openai.com",
    "chatgpt.com",
    "linkedin.com",
    "x.com",
    "twitter.com",
    "reddit.com",
    "yahoo.com",
    "bing.com",
    "wordpress.org",
    "mozilla.org",
    "python.org",
    "stackoverflow.com",
    "dropbox.com",
    "adobe.com",
    "paypal.com",
    "visa.com",
    "mastercard.com",
    "booking.com",
    "agoda.com",
    "traveloka.com",
    "airbnb.com",
    "coursera.org",
    "udemy.com",
    "duolingo.com",
    "samsung.com",
    "xiaomi.com",
    "oppo.com",
    "huawei.com",
    "whatsapp.com",
    "telegram.org",
    "discord.com",
    "twitch.tv",
    "pinterest.com",
    "quora.com",
    "medium.com",
    "notion.so",
    "slack.com",
    "figma.com",
    "steampowered.com",
    "epicgames.com",
    "roblox.com",
    "nvidia.com",
    "intel.com",
    "ibm.com",
    "oracle.com",
    "shopify.com",
    "aliexpress.com",
    "alibaba.com",
    "temu.com",
    "shein.com",
    "ebay.com",
    "bbc.com",
    "cnn.com",
    "nytimes.com",
    "reuters.com",
    "theguardian.com",
    "archive.org",
    "gitlab.com",
    "pypi.org",
    "docker.com",
    "wikimedia.org",
    "imdb.com",
    "icloud.com",
    "threads.net",
    "binance.com",
    "coinbase.com",
    "lalamove.com",
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


def test_major_vietnamese_domains_never_flagged() -> None:
    assert _flagged(VN_MAJOR) == []


def test_major_international_domains_never_flagged() -> None:
    assert _flagged(INTERNATIONAL) == []


@pytest.mark.parametrize("domain", VN_MAJOR[::7])
def test_subdomains_of_major_domains_never_flagged(domain: str) -> None:
    for sub in ("www", "m", "login", "cskh"):
        a = assess_domain(f"{sub}.{domain}")
        assert a.verdict in ("ok", "unknown"), (sub, domain, a.reasons)


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
    for d in ("techcombamk.com", "vinacombank.com", "vietcornbank.com", "vpbank.xyz", "bidv-hotro.com"):
        assert assess_domain(d).verdict in ("scam", "suspicious"), d
    # A money brand's exact name on a classic TLD is still a warning.
    assert assess_domain("vietcombank.net").verdict == "suspicious"


def test_clean_name_needs_more_than_a_fuzzy_hit_on_a_scam_family() -> None:
    reg = _registry_without("VietnamWorks")
    snap = _snapshot("vietnamoks.com", "thegioididonq.com")
    # A listed label that drops letters from a clean name imitates it; it is not its sibling.
    assert assess_domain("vietnamworks.com", snap, reg).verdict in ("ok", "unknown")
    # A swap that breaks Vietnamese words marks the listed one as the fake.
    reg2 = _registry_without("Thế Giới Di Động")
    assert assess_domain("thegioididong.com", snap, reg2).verdict in ("ok", "unknown")


def test_scam_families_still_match() -> None:
    snap = _snapshot("khuyenmaivip88.com", "quatangtet.com", "sukienff.com")
    for d in ("khuyenmaivip89.com", "quatangtets.com", "sukienffvn.com"):
        a = assess_domain(d, snap)
        assert any("known scam domain" in r or "naming pattern" in r for r in a.reasons), (d, a.reasons)


def test_every_registry_domain_and_subdomain_is_official() -> None:
    for o in bundled_registry():
        for d in o.domains:
            if registered_domain(d) != d:
                continue  # a public suffix itself (googleapis.com): its customers' sites are not its own
            for host in (d, f"www.{d}", f"dang-nhap.{d}"):
                a = assess_domain(host)
                assert a.verdict == "ok" and a.official == o.name, (host, a.reasons)
