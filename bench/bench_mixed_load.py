"""Mixed load: the scaled deployment against one SQLite process, in the same run.

    python bench/bench_mixed_load.py                       # 200 clients x 60 s on each set-up
    python bench/bench_mixed_load.py --clients 20 --duration 10   # a short smoke run

Each client loops over 80 % public pages (home, the fact-check list, one fact-check, a search),
15 % tips (``POST /api/v1/tips``) and 5 % scam look-ups (``/api/v1/scam/check``). Set-ups:

* baseline: ``kiemchung serve`` (one process) on SQLite;
* scaled: ``kiemchung serve --workers 2`` on a fresh PostgreSQL database (and Redis when the
  settings have a ``redis_url``: shared rate limits and the job queue).

Both load the demo data first, lift the rate limits (the load comes from one address) and get a
short warm-up (each process loads its index and model once), not counted. Printed:
errors, p95 and median latency, throughput, the throughput ratio scaled / baseline, and whether
every tip the server accepted (HTTP 200 with a ``tip_id``) is in the database afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
from sqlalchemy import create_engine, text

PG_ADMIN = os.environ.get("KIEMCHUNG_BENCH_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("KIEMCHUNG_BENCH_REDIS", "redis://127.0.0.1:6379/15")
SEARCHES = ["xăng", "điện", "vắc xin", "lừa đảo", "học phí", "nước chanh"]
LOOKUPS = [
    "vcb-hotro.com",
    "0912345678",
    "https://shopee-khuyenmai.vn/nhan-qua",
    "chinhphu.vn",
    "facebook.com",
]
TIPS = [
    "Nghe nói từ tháng sau phường {n} cắt nước {k} ngày, có đúng không?",
    "Có tin nhắn báo trúng thưởng {n} triệu, bảo bấm link nhận quà, thật không ạ?",
    "Người ta nói uống nước ấm {k} lần mỗi ngày diệt được virus, đúng không?",
    "Xăng tăng {n}00 đồng từ chiều nay phải không mọi người?",
]


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    tip_ids: list[int] = field(default_factory=list)
    seconds: float = 0.0


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


async def load(url: str, clients: int, seconds: float) -> Result:
    res = Result()
    async with httpx.AsyncClient(base_url=url, timeout=60) as c:
        slugs = [f["slug"] for f in (await c.get("/api/v1/fact-checks")).json().get("items", [])] or [""]
    stop = time.monotonic() + seconds
    t_start = time.perf_counter()

    async def client(seed: int) -> None:
        rng = random.Random(seed)
        limits = httpx.Limits(max_connections=1)
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as c:
            while time.monotonic() < stop:
                roll = rng.random()
                t0 = time.perf_counter()
                try:
                    if roll < 0.80:
                        kind = "page"
                        path = rng.choice(
                            [
                                "/",
                                "/kiem-chung",
                                f"/kiem-chung/{rng.choice(slugs)}",
                                f"/tim-kiem?q={rng.choice(SEARCHES)}",
                            ]
                        )
                        r = await c.get(path)
                    elif roll < 0.95:
                        kind = "tip"
                        msg = rng.choice(TIPS).format(n=rng.randint(1, 999), k=rng.randint(2, 9))
                        r = await c.post("/api/v1/tips", json={"text": msg, "channel": "bench"})
                    else:
                        kind = "lookup"
                        r = await c.get("/api/v1/scam/check", params={"q": rng.choice(LOOKUPS)})
                    dt = time.perf_counter() - t0
                    if r.status_code != 200:
                        res.errors += 1
                        res.statuses[f"{kind} http {r.status_code}"] += 1
                        continue
                    res.latencies.append(dt)
                    res.statuses[kind] += 1
                    if kind == "tip" and r.json().get("tip_id") is not None:
                        res.tip_ids.append(int(r.json()["tip_id"]))
                except httpx.HTTPError as exc:
                    res.errors += 1
                    res.statuses[type(exc).__name__] += 1

    await asyncio.gather(*(client(i) for i in range(clients)))
    res.seconds = time.perf_counter() - t_start
    return res


def tips_in_db(database_url: str, ids: list[int]) -> int:
    if not ids:
        return 0
    eng = create_engine(database_url)
    try:
        with eng.connect() as conn:
            found = 0
            for start in range(0, len(ids), 1000):
                chunk = ids[start : start + 1000]
                found += int(
                    conn.execute(
                        text("SELECT count(*) FROM tip WHERE id IN (" + ",".join(str(i) for i in chunk) + ")")
                    ).scalar()
                    or 0
                )
            return found
    finally:
        eng.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(workers: int, database_url: str | None, tmp: str) -> Iterator[tuple[str, str]]:
    env = dict(
        os.environ,
        KIEMCHUNG_DATA_DIR=tmp,
        KIEMCHUNG_RATE_LIMIT_PER_MINUTE="100000000",
        KIEMCHUNG_LOOKUP_RATE_LIMIT_PER_MINUTE="100000000",
        KIEMCHUNG_ACCESS_LOG="false",
    )
    env.pop("KIEMCHUNG_DATABASE_URL", None)
    if database_url:  # the scaled deployment: shared Redis, engine work only in `kiemchung worker`
        env["KIEMCHUNG_DATABASE_URL"] = database_url
        env["KIEMCHUNG_REDIS_URL"] = REDIS_URL
        env["KIEMCHUNG_ENGINE_IN_PROCESS"] = "false"
    exe = [sys.executable, "-m", "kiemchung.cli"]
    subprocess.run([*exe, "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL)
    port = _free_port()
    cmd = [*exe, "serve", "--port", str(port), "--workers", str(workers)]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    if database_url:  # the job consumers of the scaled deployment
        procs.append(
            subprocess.Popen([*exe, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise RuntimeError("server did not start")
        yield url, database_url or f"sqlite:///{tmp}/kiemchung.db"
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)


@contextlib.contextmanager
def pg_database() -> Iterator[str]:
    name = f"kc_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def report(name: str, r: Result, stored: int) -> None:
    lat = r.latencies or [float("nan")]
    print(
        f"{name}: requests={len(r.latencies)} errors={r.errors} throughput={len(r.latencies) / r.seconds:.1f}/s "
        f"median={statistics.median(lat) * 1000:.0f} ms p95={pct(lat, 0.95) * 1000:.0f} ms "
        f"tips accepted={len(r.tip_ids)} in database={stored} mix={dict(r.statuses)}",
        flush=True,
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("posts", nargs="?", help="ignored (run_all passes the posts file to every bench)")
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load per set-up")
    ap.add_argument("--workers", type=int, default=2, help="web processes of the scaled set-up")
    ap.add_argument("--warmup", type=float, default=15.0, help="seconds of light load first (not counted)")
    args = ap.parse_args()
    print(
        f"{args.clients} clients x {args.duration:.0f} s; 80 % pages, 15 % tips, 5 % scam look-ups",
        flush=True,
    )
    results = {}
    with tempfile.TemporaryDirectory(prefix="kc-load-") as tmp:
        with server(1, None, tmp + "/sqlite") as (url, db):
            asyncio.run(load(url, 4 * args.workers, args.warmup))  # each process loads its index once
            r = asyncio.run(load(url, args.clients, args.duration))
        stored = tips_in_db(db, r.tip_ids)
        report("SQLite, 1 process", r, stored)
        results["base"] = (r, stored)
        with pg_database() as pg:
            with server(args.workers, pg, tmp + "/pg") as (url, db):
                asyncio.run(load(url, 4 * args.workers, args.warmup))
                r = asyncio.run(load(url, args.clients, args.duration))
            stored = tips_in_db(db, r.tip_ids)
            report(f"PostgreSQL + Redis + worker, {args.workers} web processes", r, stored)
            results["scaled"] = (r, stored)
    base, scaled = results["base"][0], results["scaled"][0]
    ratio = (len(scaled.latencies) / scaled.seconds) / max(1e-9, len(base.latencies) / base.seconds)
    p95 = pct(scaled.latencies or [float("nan")], 0.95) / pct(base.latencies or [float("nan")], 0.95)
    lost = sum(len(r.tip_ids) - s for r, s in results.values())
    print(
        f"throughput ratio scaled/baseline = {ratio:.2f}x; p95 ratio = {p95:.2f}x; "
        f"errors scaled = {scaled.errors}; accepted tips missing from the database = {lost}"
    )
    if lost or scaled.errors:  # a lost acknowledged tip or a failed request is a failed run
        print("FAIL: the scaled set-up must answer every request and keep every accepted tip")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
