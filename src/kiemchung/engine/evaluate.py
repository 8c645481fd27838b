"""Evaluation harness for matching, and the fitting of the re-ranker / verifier coefficients.

    kiemchung eval matching --library L.jsonl --queries Q.jsonl --output OUT.jsonl [--top 10]

``L`` lines are ``{id, text}``, ``Q`` lines ``{qid, query, gold?}`` or ``{qid, image, gold?}`` where
``image`` is a picture's path relative to the queries file: it is read by OCR
(:mod:`kiemchung.media.ocr`) and the text goes through the same matching. Metrics (when ``gold`` is given;
an empty list marks a query that matches nothing):

- Recall@k, MRR over queries with a non-empty gold (any listed id counts);
- correct-answer rate: share of matching queries whose automatic answer is a gold id;
- false-answer rate: share of no-match queries that receive an automatic answer.

Fitting the models and cross-validating them is a development task, not part of the runtime
package: ``bench/matching_fit.py`` (run through ``python bench/eval_matching.py --cv|--fit``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kiemchung.engine.embed import Embedder, embed_cached
from kiemchung.engine.match import Matcher, MatchResult, Mode
from kiemchung.text import normalise
from kiemchung.web.i18n import _

MODES: tuple[Mode, ...] = ("hybrid", "lexical", "dense")


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-empty line; bad lines raise with their number."""
    with path.open(encoding="utf-8") as fh:
        for no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(
                    _("%(name)s:%(no)s: JSON không hợp lệ", name=path.name, no=no, msg=exc.msg)
                ) from exc
            if not isinstance(obj, dict):
                raise ValueError(_("%(name)s:%(no)s: cần một đối tượng JSON", name=path.name, no=no))
            yield no, obj


def load_library(path: Path) -> tuple[list[str], list[str]]:
    ids, texts = [], []
    for no, obj in read_jsonl(path):
        if "id" not in obj or not isinstance(obj.get("text"), str):
            raise ValueError(_("%(name)s:%(no)s: thiếu id/text", name=path.name, no=no))
        ids.append(str(obj["id"]))
        texts.append(obj["text"])
    return ids, texts


def load_queries(path: Path) -> list[dict[str, Any]]:
    """Query lines; image lines get ``query`` (OCR text) and ``ocr_confidence`` filled in."""
    out = []
    for no, obj in read_jsonl(path):
        if "qid" in obj and isinstance(obj.get("image"), str) and "query" not in obj:
            obj = {**obj, **image_query(path.parent / obj["image"], f"{path.name}:{no}")}
        if "qid" not in obj or not isinstance(obj.get("query"), str):
            raise ValueError(_("%(name)s:%(no)s: thiếu qid/query", name=path.name, no=no))
        out.append(obj)
    return out


def image_query(image: Path, where: str) -> dict[str, Any]:
    """OCR text and confidence of a query image, as a query line's ``query``/``ocr_confidence``."""
    from kiemchung.media.intake import ImageRejected, load_image
    from kiemchung.media.ocr import OcrUnavailable, read_text

    try:
        checked = load_image(image.read_bytes())
        res = read_text(checked.image)
    except FileNotFoundError as exc:
        raise ValueError(_("%(where)s: không thấy ảnh %(name)s", where=where, name=image.name)) from exc
    except (ImageRejected, OcrUnavailable) as exc:
        raise ValueError(f"{where}: {exc}") from exc
    return {"query": res.text, "ocr_confidence": res.confidence}


def build_matcher(
    ids: list[str],
    texts: list[str],
    embedder: Embedder | None,
    cache_dir: Path | None,
    progress: Callable[[int], None] | None = None,
) -> Matcher:
    """A matcher over the library, with passage vectors from the on-disk cache when possible."""
    m = Matcher(embedder)
    vectors = None
    if embedder is not None:
        vectors = embed_cached(embedder, [normalise(t) for t in texts], cache_dir, progress=progress)
    m.add(ids, texts, vectors)
    return m


@dataclass
class Metrics:
    n_match: int
    n_nomatch: int
    recall1: float
    recall5: float
    mrr: float
    correct_answer: float
    false_answer: float
    false_suggest: float


def metrics(results: list[MatchResult], golds: list[list[str]]) -> Metrics:
    r1 = r5 = rr = ca = fa = fs = 0.0
    n_m = n_n = 0
    for res, gold in zip(results, golds, strict=True):
        if not gold:
            n_n += 1
            fa += res.answer is not None
            fs += res.suggest is not None
            continue
        n_m += 1
        ranked = [c.id for c in res.results]
        for k, cid in enumerate(ranked):
            if cid in gold:
                rr += 1 / (k + 1)
                r1 += k == 0
                r5 += k < 5
                break
        ca += res.answer in gold
    return Metrics(
        n_m,
        n_n,
        r1 / max(n_m, 1),
        r5 / max(n_m, 1),
        rr / max(n_m, 1),
        ca / max(n_m, 1),
        fa / max(n_n, 1),
        fs / max(n_n, 1),
    )


def result_line(qid: Any, res: MatchResult, ocr_confidence: float | None = None) -> dict[str, Any]:
    line: dict[str, Any] = {
        "qid": qid,
        "results": [{"id": c.id, "score": round(c.score, 6)} for c in res.results],
        "answer": res.answer,
    }
    if ocr_confidence is not None:
        line["ocr_confidence"] = ocr_confidence
    return line


# -- the `kiemchung eval matching` command -----------------------------------------------------


def _fmt(x: float) -> str:
    return f"{x:.3f}".replace(".", ",")


def metrics_table(title: str, rows: dict[str, Metrics]) -> Any:
    """A rich table: one row per system (hybrid / lexical / dense)."""
    from rich.table import Table

    names = {
        "hybrid": _("Đầy đủ"),
        "lexical": _("Từ vựng"),
        "dense": _("Ngữ nghĩa"),
    }
    t = Table(title=title)
    for col in (
        _("Hệ thống"),
        "Recall@1",
        "Recall@5",
        "MRR",
        _("Trả lời đúng"),
        _("Trả lời sai"),
    ):
        t.add_column(col, justify="left" if col.startswith("Hệ") else "right")
    for mode, m in rows.items():
        t.add_row(
            names.get(mode, mode),
            _fmt(m.recall1),
            _fmt(m.recall5),
            _fmt(m.mrr),
            _fmt(m.correct_answer),
            _fmt(m.false_answer),
        )
    return t


class CachedQueryEmbedder:
    """Wraps an embedder so repeated evaluation runs re-use query vectors from the disk cache."""

    def __init__(self, inner: Embedder, cache_dir: Path | None) -> None:
        self.inner, self.cache_dir = inner, cache_dir
        self.dim = inner.dim
        self.name = str(getattr(inner, "name", type(inner).__name__))

    def query(self, texts: list[str]) -> np.ndarray:
        return embed_cached(self.inner, texts, self.cache_dir, kind="query")

    def passage(self, texts: list[str]) -> np.ndarray:
        return self.inner.passage(texts)


def run_matching(
    library: Path, queries: Path, output: Path, top: int = 10, *, console: Any = None
) -> dict[str, Metrics]:
    """Match ``queries`` against ``library``, write ``output``, print metrics when gold is given."""
    from rich.console import Console
    from rich.progress import Progress

    from kiemchung.engine.embed import get_embedder
    from kiemchung.settings import get_settings

    console = console or Console()
    ids, texts = load_library(library)
    qs = load_queries(queries)
    cache_dir = get_settings().data_dir / "cache"
    embedder = get_embedder()
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(_("Nhúng thư viện"), total=len(texts))
        matcher = build_matcher(
            ids,
            texts,
            CachedQueryEmbedder(embedder, cache_dir) if embedder else None,
            cache_dir,
            progress=lambda n: bar.advance(task, n),
        )
    modes: tuple[Mode, ...] = MODES if embedder is not None else ("lexical",)
    texts_q = [q["query"] for q in qs]
    per_mode: dict[str, list[MatchResult]] = {}
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(_("Khớp truy vấn"), total=len(qs) * len(modes))
        for mode in modes:
            res: list[MatchResult] = []
            for start in range(0, len(texts_q), 64):
                res.extend(matcher.match(texts_q[start : start + 64], top=top, mode=mode))
                bar.advance(task, min(64, len(texts_q) - start))
            per_mode[mode] = res
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as fh:
        for q, r in zip(qs, per_mode[modes[0]], strict=True):
            line = result_line(q["qid"], r, q.get("ocr_confidence"))
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    console.print(_("Đã ghi %(n)s dòng → %(output)s", n=len(qs), output=output))
    if not any("gold" in q for q in qs):
        return {}
    golds = [list(q.get("gold") or []) for q in qs]
    rows: dict[str, Metrics] = {mode: metrics(per_mode[mode], golds) for mode in modes}
    n_m, n_n = rows[modes[0]].n_match, rows[modes[0]].n_nomatch
    console.print(
        metrics_table(
            _(
                "%(name)s: %(n_m)s truy vấn có đáp án, %(n_n)s không",
                name=queries.name,
                n_m=n_m,
                n_n=n_n,
            ),
            rows,
        )
    )
    return rows
