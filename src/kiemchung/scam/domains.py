"""Host-name helpers shared by extraction, blocklists and lookalike detection.

    >>> clean_host("HTTPS://Ibanking.VietcomBank.com.vn:443/login")
    'ibanking.vietcombank.com.vn'
    >>> registered_domain("ibanking.vietcombank.com.vn")
    'vietcombank.com.vn'
    >>> clean_host("xn--dmin-4q5a.vn")
    'ạdmin.vn'

tldextract runs on its bundled Public Suffix List snapshot only (``suffix_list_urls=()``), so
nothing is fetched at run time.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from functools import lru_cache

import idna
import tldextract

# Private PSL suffixes (github.io, blogspot.com ...) count as public suffixes: a scam on
# abc.github.io is not a verdict on github.io.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), include_psl_private_domains=True, cache_dir=None)

# Shared hosting / site builders missing from the PSL: each customer's site is its own unit.
SHARED_HOSTS = frozenset(
    {
        "weebly.com",
        "weeblysite.com",
        "wixsite.com",
        "wix.com",
        "000webhostapp.com",
        "google.com",
        "blogspot.com",
        "wordpress.com",
        "tumblr.com",
        "firebaseapp.com",
        "web.app",
        "netlify.app",
        "vercel.app",
        "herokuapp.com",
        "glitch.me",
        "square.site",
        "webflow.io",
        "godaddysites.com",
        "azurewebsites.net",
        "cloudfront.net",
        "appspot.com",
        "pages.dev",
        "workers.dev",
        "r2.dev",
        "ngrok.io",
        "ngrok-free.app",
        "mystrikingly.com",
        "strikingly.com",
        "yolasite.com",
        "jimdosite.com",
        "business.site",
        "myshopify.com",
        "notion.site",
        "gitbook.io",
        "linktr.ee",
        "forms.gle",
        "bit.ly",
        "tinyurl.com",
        "cutt.ly",
        "shorturl.at",
        "rebrand.ly",
        "t.ly",
        "s.id",
        "is.gd",
        "ow.ly",
    }
)

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_LABEL_OK = re.compile(r"^[\w-]+$")
_DOTS = str.maketrans({"。": ".", "．": ".", "｡": "."})


@lru_cache(maxsize=200_000)
def clean_host(value: str) -> str:
    """Lower-case host of a URL or domain; punycode decoded to Unicode; '' when it is not a host name."""
    s = value.strip().translate(_DOTS)
    s = _SCHEME.sub("", s)
    s = re.split(r"[/?#\\]", s, maxsplit=1)[0]
    s = s.rsplit("@", 1)[-1]
    s = re.sub(r":\d*$", "", s)
    s = s.strip(".").lower()
    s = "".join(c for c in s if unicodedata.category(c) != "Cf")
    if not s or len(s) > 253 or "." not in s:
        return ""
    labels = s.split(".")
    out = []
    for label in labels:
        if not label or not _LABEL_OK.match(label):
            return ""
        if label.startswith("xn--"):
            with contextlib.suppress(idna.IDNAError, UnicodeError):
                label = idna.decode(label)
        out.append(unicodedata.normalize("NFC", label))
    return ".".join(out)


@lru_cache(maxsize=200_000)
def split_host(host: str) -> tuple[str, str, str]:
    """(subdomain, registrable label, public suffix) of a clean host."""
    e = _EXTRACT(host)
    return e.subdomain, e.domain, e.suffix


def registered_domain(host: str) -> str:
    """The registrable domain (label + public suffix), or '' for hosts with no known suffix."""
    _sub, label, suffix = split_host(host)
    return f"{label}.{suffix}" if label and suffix else ""


def site_unit(host: str) -> str:
    """The unit an owner controls: the registered domain, or one level deeper on shared hosting.

    >>> site_unit("www.abc.weebly.com"), site_unit("www.abc.com")
    ('abc.weebly.com', 'abc.com')
    """
    reg = registered_domain(host)
    if reg in SHARED_HOSTS:
        sub = split_host(host)[0]
        last = sub.rsplit(".", 1)[-1] if sub else ""
        return f"{last}.{reg}" if last and last != "www" else reg
    return reg


def parents(host: str) -> list[str]:
    """The host and each parent domain down to (not below) the public suffix.

    >>> parents("a.b.example.com")
    ['a.b.example.com', 'b.example.com', 'example.com']
    """
    _sub, label, suffix = split_host(host)
    if not label or not suffix:
        return [host] if host else []
    labels = host.split(".")
    keep = len(suffix.split(".")) + 1
    return [".".join(labels[i:]) for i in range(0, len(labels) - keep + 1)]


def is_ip(host: str) -> bool:
    return bool(re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", host))
