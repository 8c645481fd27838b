"""Topic tags: stored as URL slugs ("y-te"), shown with their Vietnamese/English names.

>>> topic_label("y-te"), topic_label("y-te", "en")
('Y tế', 'Health')
>>> topic_label("an-ninh-mang")      # an unknown slug still reads as words
'An ninh mang'
"""

from __future__ import annotations

from kiemchung.web.i18n import N_, _, translate_in

TOPICS: dict[str, str] = {
    "y-te": N_("Y tế"),
    "thuc-pham": N_("An toàn thực phẩm"),
    "lua-dao": N_("Lừa đảo"),
    "ngan-hang": N_("Ngân hàng"),
    "chinh-sach": N_("Chính sách"),
    "kinh-te": N_("Kinh tế"),
    "gia-ca": N_("Giá cả"),
    "dien": N_("Điện"),
    "giao-thong": N_("Giao thông"),
    "giao-duc": N_("Giáo dục"),
    "thoi-tiet": N_("Thời tiết"),
    "thien-tai": N_("Thiên tai"),
    "cong-nghe": N_("Công nghệ"),
    "viec-lam": N_("Việc làm"),
    "moi-truong": N_("Môi trường"),
    "phap-luat": N_("Pháp luật"),
    "xa-hoi": N_("Xã hội"),
    "the-thao": N_("Thể thao"),
    "quoc-te": N_("Quốc tế"),
}


def topic_label(slug: str | None, lang: str | None = None) -> str:
    """Display name of a topic tag in ``lang`` (vi or en; by default the current request's)."""
    if not slug:
        return ""
    name = TOPICS.get(slug)
    if name is not None:
        return _(name) if lang is None else translate_in(lang, name)
    words = slug.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]
