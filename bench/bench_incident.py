"""Public incident page under load vs the plain fact-check page: 100 concurrent readers for 30 s each.

    python bench/bench_incident.py [--clients 100] [--duration 30] [--workers 1] [--url URL]

Without ``--url`` it loads the demo data (lexical matching only, to start fast) into a temporary
directory and starts its own ``kiemchung serve`` (a real uvicorn server). Figures: requests/s,
median and p95 latency, errors, for GET /su-kien/{slug} (served from the incident cache), its Atom
feed, and GET /kiem-chung/{slug} (a published fact-check, no page cache) as the baseline; then
the ratios incident/fact-check. The exit code is 1 when any page had an error (a non-200 answer or
a dropped connection): the goal is 0 errors at 100 readers, for the incident page and for the plain
fact-check page alike.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys

import httpx

from bench_tipline import own_server, pct, report, run


def failures(errors: dict[str, int]) -> list[str]:
    """The pages that had errors, as ``name: n errors`` lines (empty: the run passed).

    >>> failures({"incident page": 0, "fact-check page": 3})
    ['fact-check page: 3 errors']
    """
    return [f"{name}: {n} errors" for name, n in errors.items() if n]


async def measure(args: argparse.Namespace) -> dict[str, int]:
    """Run the readers against each page; returns the errors per page."""
    async with httpx.AsyncClient(base_url=args.url, timeout=60) as c:
        incidents = (await c.get("/api/v1/incidents")).json()
        open_ = next(i for i in incidents if i["status"] == "open")
        fc = (await c.get("/api/v1/fact-checks", params={"per_page": 1})).json()["items"][0]
        pages = {
            "incident page": f"/su-kien/{open_['slug']}",
            "incident Atom": f"/su-kien/{open_['slug']}/atom.xml",
            "fact-check page": f"/kiem-chung/{fc['slug']}",
        }
        for path in pages.values():  # warm-up
            (await c.get(path)).raise_for_status()
    print(f"server {args.url}, {args.clients} concurrent readers, {args.duration:.0f} s per page")
    results = {}
    errors: dict[str, int] = {}
    for name, path in pages.items():
        lat, statuses, errors[name] = await run(args.url, args.clients, args.duration, None, "GET", path)
        report(f"GET {path} ({name})", lat, statuses, errors[name], args.duration)
        results[name] = lat
    inc, base = results["incident page"], results["fact-check page"]
    if inc and base:
        print(
            f"ratio incident/fact-check page: throughput x{len(inc) / len(base):.2f}, "
            f"median x{statistics.median(inc) / statistics.median(base):.2f}, "
            f"p95 x{pct(inc, 0.95) / pct(base, 0.95):.2f}"
        )
    return errors


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default=None, help="a running server (default: start one on demo data)")
    ap.add_argument("--workers", type=int, default=1, help="server processes when starting our own")
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--duration", type=float, default=30.0)
    args = ap.parse_args()
    if args.url is None:
        os.environ.setdefault("KIEMCHUNG_EMBEDDER", "none")
        with own_server(args.workers) as url:
            args.url = url
            errors = await measure(args)
    else:
        errors = await measure(args)
    failed = failures(errors)
    if failed:
        print("FAIL (goal: 0 errors): " + "; ".join(failed))
        return 1
    print("OK: 0 errors on every page")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
