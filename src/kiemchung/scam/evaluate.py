"""Measure domain verdicts against a labelled set of {domain, label: scam|legit} lines.

    >>> m = evaluate([{"domain": "vietcombank-hotro.com", "label": "scam"}, {"domain": "vnexpress.net", "label": "legit"}])
    >>> m.detection, m.false_positive_rate
    (1.0, 0.0)

Detection counts ``scam`` and ``suspicious``. "Novel" scam domains are those whose registered domain
appears nowhere in the blocklist, so list look-ups cannot catch them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiemchung.scam.blocklist import Snapshot, get_snapshot
from kiemchung.scam.domains import clean_host, registered_domain
from kiemchung.scam.lookalike import Assessment, assess_domain
from kiemchung.scam.registry import Registry
from kiemchung.web.i18n import Message, translate_in

_CATEGORY = re.compile(r"\(([^)]+)\)")


@dataclass
class Metrics:
    n_scam: int = 0
    n_legit: int = 0
    detected: int = 0
    n_novel: int = 0
    novel_detected: int = 0
    false_positives: int = 0
    verdicts: dict[str, Counter[str]] = field(default_factory=dict)
    by_reason: dict[str, Counter[str]] = field(default_factory=dict)
    fp_examples: list[tuple[str, str]] = field(default_factory=list)
    missed_novel: list[str] = field(default_factory=list)

    @property
    def detection(self) -> float:
        return self.detected / self.n_scam if self.n_scam else 0.0

    @property
    def novel_detection(self) -> float:
        return self.novel_detected / self.n_novel if self.n_novel else 0.0

    @property
    def false_positive_rate(self) -> float:
        return self.false_positives / self.n_legit if self.n_legit else 0.0


def reason_key(reason: str, lang: str = "en") -> str:
    """The head of a reason in ``lang``, without the specifics (domains, counts), to count by.

    >>> from kiemchung.web.i18n import lazy_gettext
    >>> reason_key(lazy_gettext("Đuôi tên miền .%(tld)s thường bị dùng cho trang lừa đảo", tld="top"))
    'The .… ending is widely abused by scam sites'
    >>> reason_key(lazy_gettext("Tên miền chứa từ khóa lừa đảo thường gặp (%(label)s): %(words)s",
    ...     label=Message("cờ bạc"), words="'casino'"), "vi")
    'Tên miền chứa từ khóa lừa đảo thường gặp (cờ bạc)'
    """
    if isinstance(reason, Message) and reason.params:
        # the message's own text, its data parameters left out and its translated labels kept
        params = {
            k: translate_in(lang, v) if isinstance(v, Message) else "…" for k, v in reason.params.items()
        }
        return translate_in(lang, reason.msgid, **params).split(":")[0].strip()
    english = translate_in(lang, reason)
    key = re.split(r"[:'(]| by | \d", english)[0].strip()
    cat = _CATEGORY.search(english)
    return f"{key} ({cat.group(1)})" if cat and "keywords" in key else key


def read_labelled(path: str | Path) -> list[dict[str, Any]]:
    rows = []
    for line in Path(path).read_text("utf-8").splitlines():
        line = line.strip()
        if line:
            rows.append(json.loads(line))
    return rows


def evaluate(
    rows: Iterable[dict[str, Any]],
    snapshot: Snapshot | None = None,
    registry: Registry | None = None,
    lang: str = "en",
) -> Metrics:
    """The rates over ``rows``; ``by_reason`` counts by :func:`reason_key` in ``lang``."""
    snap = snapshot if snapshot is not None else get_snapshot(use_database=False)
    listed_regs = {registered_domain(u) for u in snap.units}
    m = Metrics()
    for row in rows:
        domain, label = str(row["domain"]), str(row["label"])
        a: Assessment = assess_domain(domain, snap, registry)
        flagged = a.verdict in ("scam", "suspicious")
        m.verdicts.setdefault(label, Counter())[a.verdict] += 1
        for r in a.reasons if flagged else []:
            m.by_reason.setdefault(reason_key(r, lang), Counter())[label] += 1
        if label == "scam":
            m.n_scam += 1
            m.detected += flagged
            if registered_domain(clean_host(domain)) not in listed_regs:
                m.n_novel += 1
                m.novel_detected += flagged
                if not flagged:
                    m.missed_novel.append(domain)
        else:
            m.n_legit += 1
            m.false_positives += flagged
            if flagged:
                m.fp_examples.append((domain, a.reasons[0]))
    return m
