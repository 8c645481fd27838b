"""Generated Vietnamese-like posts for load tests and backfill benchmarks (no real post, no author).

Claims are made from templates with places, dates and numbers; about one post in four repeats an
earlier one (a repost with a prefix, a copy without diacritics, or word for word), and some posts
are chatter with nothing to check — the mix a monitored channel shows.

>>> posts = generate_posts(5, seed=1)
>>> len(posts), all(isinstance(p["text"], str) and p["text"] for p in posts)
(5, True)
>>> generate_posts(50, seed=3) == generate_posts(50, seed=3)
True
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from kiemchung.text import fold

PLACES = [
    "Hà Nội",
    "TP.HCM",
    "Đà Nẵng",
    "Hải Phòng",
    "Cần Thơ",
    "Huế",
    "Nghệ An",
    "Quảng Ninh",
    "Khánh Hòa",
    "Lâm Đồng",
    "Bình Dương",
    "Đồng Nai",
]
ORGS = ["Bộ Y tế", "Sở Giáo dục", "UBND phường", "Công an tỉnh", "Bộ Tài chính", "Sở Giao thông vận tải"]
TEMPLATES = [
    "{org} cho biết từ ngày {d}/{m} {place} sẽ cấm xe máy trong {n} tuyến phố trung tâm.",
    "Nghe nói {place} ghi nhận thêm {n} ca mắc sốt xuất huyết chỉ trong ngày {d}/{m}.",
    "Từ {d}/{m}, người dân {place} phải nộp {n}.000 đồng phí vệ sinh mỗi tháng theo quyết định của {org}.",
    "{org} thông báo học sinh {place} được nghỉ học {n} ngày vì nắng nóng kéo dài.",
    "Giá xăng tại {place} sẽ tăng {n}00 đồng mỗi lít từ chiều ngày {d}/{m}.",
    "Uống nước chanh ấm {n} lần mỗi ngày giúp diệt virus, theo chia sẻ của một bác sĩ ở {place}.",
    "{org} xác nhận {place} sẽ cắt điện toàn bộ {n} giờ vào ngày {d}/{m} để bảo trì lưới điện.",
    "Cảnh báo: tin nhắn mạo danh {org} yêu cầu chuyển {n} triệu đồng để nhận trợ cấp ở {place}.",
]
CHATTER = [
    "Buồn quá mọi người ơi!",
    "Hôm nay trời đẹp thật.",
    "Ai đi cà phê không?",
    "Chúc mọi người cuối tuần vui vẻ.",
    "Kẹt xe quá trời luôn.",
]
PREFIXES = ["Chia sẻ: ", "Nóng: ", "Mọi người cẩn thận nhé! ", "Tin mới: "]


def generate_posts(n: int, *, seed: int = 0, repost_rate: float = 0.25) -> list[dict[str, str]]:
    """``n`` posts as ``{"text": ...}``, the same for the same seed."""
    rng = random.Random(seed)
    posts: list[dict[str, str]] = []
    originals: list[str] = []
    for _ in range(n):
        roll = rng.random()
        if originals and roll < repost_rate:
            base = rng.choice(originals)
            kind = rng.randrange(3)
            text = base if kind == 0 else (rng.choice(PREFIXES) + base if kind == 1 else fold(base))
        elif roll < repost_rate + 0.1:
            text = rng.choice(CHATTER)
        else:
            text = rng.choice(TEMPLATES).format(
                org=rng.choice(ORGS),
                place=rng.choice(PLACES),
                d=rng.randint(1, 28),
                m=rng.randint(1, 12),
                n=rng.randint(2, 60),
            )
            if rng.random() < 0.3:
                text += " " + rng.choice(CHATTER)
            originals.append(text)
        posts.append({"text": text})
    return posts


def write_jsonl(path: Path, posts: list[dict[str, str]]) -> Path:
    """Write ``posts`` one JSON object a line (UTF-8)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for p in posts:
            fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    return path
