"""Topic tags: stored as URL slugs ("y-te"), shown with their Vietnamese/English names.

>>> topic_label("y-te"), topic_label("y-te", "en")
('Y tế', 'Health')
>>> topic_label("an-ninh-mang")      # an unknown slug still reads as words
'An ninh mang'
"""

from __future__ import annotations

TOPICS: dict[str, tuple[str, str]] = {
    "y-te": ("Y tế", "Health"),
    "thuc-pham": ("An toàn thực phẩm", "Food safety"),
    "lua-dao": ("Lừa đảo", "Scams"),
    "ngan-hang": ("Ngân hàng", "Banking"),
    "chinh-sach": ("Chính sách", "Policy"),
    "kinh-te": ("Kinh tế", "Economy"),
    "gia-ca": ("Giá cả", "Prices"),
    "dien": ("Điện", "Electricity"),
    "giao-thong": ("Giao thông", "Transport"),
    "giao-duc": ("Giáo dục", "Education"),
    "thoi-tiet": ("Thời tiết", "Weather"),
    "thien-tai": ("Thiên tai", "Disasters"),
    "cong-nghe": ("Công nghệ", "Technology"),
    "viec-lam": ("Việc làm", "Jobs"),
    "moi-truong": ("Môi trường", "Environment"),
    "phap-luat": ("Pháp luật", "Law"),
    "xa-hoi": ("Xã hội", "Society"),
    "the-thao": ("Thể thao", "Sport"),
    "quoc-te": ("Quốc tế", "World"),
}


def topic_label(slug: str | None, lang: str = "vi") -> str:
    """Display name of a topic tag in ``lang`` (vi or en)."""
    if not slug:
        return ""
    pair = TOPICS.get(slug)
    if pair is not None:
        return pair[1] if lang == "en" else pair[0]
    words = slug.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]
