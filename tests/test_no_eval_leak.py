"""No evaluation item is quoted in the project: development sets are for measuring only.

Reads the evaluation sets beside the repository (``../shared/eval``) and fails when a scam-set domain
(as a whole domain token) or a matching query (its whitespace-normalised opening, as a substring)
appears in any text file under src/, tests/, docs/, bench/ or README.md. The rules are those of the
shared ``eval-leak`` tool (scam domains of 8+ characters, queries of 40+ characters compared on their
first 60), plus one it lacks: a query retyped with small edits still leaks, so any run of
``RUN`` consecutive words of a query, compared without diacritics, counts too (shorter runs hit
stock phrases such as an agency's full name); the verdict set's claims are checked the same way.
Library claims and raw posts are not needles: the demo corpus may tell the same public stories. Skipped when the evaluation sets are absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kiemchung.text import fold

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval"
SCANNED = ("src", "tests", "docs", "bench", "README.md")
BINARY = {".npy", ".png", ".jpg", ".jpeg", ".gz", ".lance", ".pdf", ".pyc", ".ico", ".woff", ".woff2"}
# The bundled upstream blocklist is a published feed, not something we wrote.
UPSTREAM = {"blocklist-domains.txt"}
WORD = re.compile(r"[a-z0-9]+")
RUN = 8
DOMAIN = re.compile(r"(?<![a-z0-9.-])(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?![a-z0-9-])")

pytestmark = pytest.mark.skipif(not EVAL.is_dir(), reason="evaluation sets not present")


def _jsonl(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def scam_domains() -> set[str]:
    out = set()
    for o in _jsonl(EVAL / "scam" / "dev.jsonl"):
        d = str(o.get("domain", "")).lower().removeprefix("www.")
        if o.get("label") == "scam" and len(d) >= 8:
            out.add(d)
    return out


def query_openings() -> set[str]:
    out = set()
    for name in ("dev.jsonl", "posts-dev.jsonl"):
        for o in _jsonl(EVAL / "matching" / name):
            q = " ".join(str(o.get("query", "")).split())
            if len(q) >= 40:
                out.add(q[:60].lower())
    return out


def query_runs() -> set[str]:
    """Runs of ``RUN`` folded words of the matching queries and of the verdict set's claims."""
    texts = [
        str(o.get("query", ""))
        for name in ("dev.jsonl", "posts-dev.jsonl")
        for o in _jsonl(EVAL / "matching" / name)
    ]
    texts += [str(o.get("claim", "")) for o in _jsonl(EVAL / "verdict" / "vihallu-dev.jsonl")]
    out = set()
    for text in texts:
        words = WORD.findall(fold(text).lower())
        out.update(" ".join(words[i : i + RUN]) for i in range(len(words) - RUN + 1))
    return out


def _files() -> list[Path]:
    out = []
    for sub in SCANNED:
        base = REPO / sub
        found = [base] if base.is_file() else sorted(base.rglob("*")) if base.is_dir() else []
        out.extend(
            f
            for f in found
            if f.is_file()
            and f.suffix not in BINARY
            and f.name not in UPSTREAM
            and "__pycache__" not in f.parts
        )
    return out


def leaks(files: list[Path]) -> list[str]:
    domains, queries, runs = scam_domains(), query_openings(), query_runs()
    hits = []
    for f in files:
        try:
            raw = f.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        text = " ".join(raw.lower().split())
        where = f.relative_to(REPO) if f.is_relative_to(REPO) else f
        for d in sorted(set(DOMAIN.findall(text)) & domains):
            hits.append(f"{where}: scam-set domain {d!r}")
        for q in sorted(q for q in queries if q in text):
            hits.append(f"{where}: matching query {q[:40]!r}...")
        words = WORD.findall(fold(raw).lower())
        for r in sorted({" ".join(words[i : i + RUN]) for i in range(len(words) - RUN + 1)} & runs):
            hits.append(f"{where}: {RUN} words of a matching query or verdict claim {r!r}")
    return hits


def test_the_sets_are_read() -> None:
    # An empty needle set would make the next test pass vacuously.
    assert len(scam_domains()) > 1000
    assert len(query_openings()) > 100
    assert len(query_runs()) > 10_000


def test_no_evaluation_item_is_quoted() -> None:
    assert leaks(list(_files())) == []


def test_a_retyped_query_is_caught(tmp_path: Path) -> None:
    # Build the probe from the data at run time, so this file quotes nothing itself.
    first = next(o for o in _jsonl(EVAL / "matching" / "dev.jsonl") if len(str(o["query"]).split()) > RUN + 2)
    words = str(first["query"]).split()
    probe = tmp_path / "probe.md"
    probe.write_text("Ví dụ: " + fold(" ".join(words[1 : RUN + 2])).upper() + " ...", encoding="utf-8")
    assert leaks([probe]) and "words of a matching query" in leaks([probe])[0]
