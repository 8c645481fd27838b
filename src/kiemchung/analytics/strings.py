"""Labels of the analytics page and report: message ids of the shared gettext catalogues.

>>> from kiemchung.web.i18n import use_lang
>>> with use_lang("en"):
...     status_label("new"), outcome_label("warned"), topic_label("")
('New', 'Scam warning', 'No topic')
"""

from __future__ import annotations

from kiemchung.store.models import CLAIM_STATUS_LABELS, ClaimStatus
from kiemchung.topics import topic_label as named_topic
from kiemchung.web.i18n import N_, _, translate_in

OUTCOME_LABELS = {
    "answered": N_("Trả lời tự động"),
    "warned": N_("Cảnh báo lừa đảo"),
    "received": N_("Đã nhận"),
}


def status_label(status: ClaimStatus | str, lang: str | None = None) -> str:
    text = CLAIM_STATUS_LABELS[ClaimStatus(status)]
    return _(text) if lang is None else translate_in(lang, text)


def outcome_label(outcome: str) -> str:
    return _(OUTCOME_LABELS[outcome]) if outcome in OUTCOME_LABELS else outcome


def topic_label(topic: str, lang: str | None = None) -> str:
    if topic:
        return named_topic(topic, lang)
    return _("Chưa phân chủ đề") if lang is None else translate_in(lang, "Chưa phân chủ đề")
