"""The departments a feedback thread can be routed to: a data file (``KIEMCHUNG_FEEDBACK_DEPARTMENTS_FILE``
or the bundled example list), each with a slug, names in both languages and a contact e-mail.

>>> d = get("so-xay-dung")
>>> d.name_vi, d.email
('Sở Xây dựng', 'xaydung@example.gov.vn')
>>> get("khong-co") is None
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from kiemchung.settings import get_settings


@dataclass(frozen=True)
class Department:
    slug: str
    name_vi: str
    name_en: str
    email: str

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" else self.name_vi


def _load(path: str) -> list[Department]:
    text = (
        Path(path).read_text("utf-8")
        if path
        else files("kiemchung.feedback").joinpath("data/departments.json").read_text("utf-8")
    )
    rows = json.loads(text)["departments"]
    return [
        Department(r["slug"], r["name_vi"], r.get("name_en") or r["name_vi"], r.get("email", ""))
        for r in rows
    ]


_CACHE: dict[str, list[Department]] = {}


def all_departments() -> list[Department]:
    path = get_settings().feedback_departments_file
    if path not in _CACHE:
        _CACHE[path] = _load(path)
    return _CACHE[path]


def get(slug: str | None) -> Department | None:
    return next((d for d in all_departments() if d.slug == slug), None) if slug else None
