"""Tipline latency under load: N concurrent clients POST /api/v1/tips for D seconds.

    python bench/bench_tipline.py --clients 50 --duration 30 [--workers 2]

Without ``--url`` it loads the demo data into a temporary directory and starts its own server
(``kiemchung serve`` with the rate limit lifted); with ``--url`` it loads an already running one.

The message mix is drawn from the server's own published fact-checks (claims as readers would
paste them, so most are answered at once), scam messages (warned) and new statements (queued for
the desk, which runs the claim engine in the request). A baseline of GET /healthz with the same
concurrency runs first, in the same process, so the tip figures can be read as a ratio of it.
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
from collections import Counter
from collections.abc import Iterator

import httpx

SCAMS = [
    "Tài khoản của bạn bị khóa, đăng nhập ngay vietcombank-hotro.com để xác minh",
    "Chúc mừng bạn trúng thưởng iPhone, nhận quà tại shopee-vn.vip và chuyển phí 200k vào STK 0123456789",
    "Cục thuế thông báo hoàn thuế, truy cập http://hoanthue-gdt.top nhập mã OTP để nhận tiền",
]
NEW = [
    "Nghe nói từ tháng sau xe đạp điện phải đăng ký biển số ở {n} tỉnh",
    "Có tin trường học ở quận {n} sẽ cho học sinh nghỉ cả tuần vì nắng nóng",
    "Giá vé xe buýt ở thành phố sẽ tăng lên {n} nghìn đồng từ đầu năm",
]


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


async def claims(client: httpx.AsyncClient) -> list[str]:
    r = await client.get("/api/v1/fact-checks", params={"per_page": 100})
    r.raise_for_status()
    return [i["claim_reviewed"] for i in r.json()["items"]]


def message(known: list[str], rng: random.Random, n: int) -> str:
    roll = rng.random()
    if roll < 0.6 and known:
        return rng.choice(known)
    if roll < 0.8:
        return rng.choice(SCAMS)
    return rng.choice(NEW).format(n=n)


async def run(
    url: str, clients: int, seconds: float, make: object, method: str, path: str
) -> tuple[list[float], Counter[str], int]:
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    errors = 0
    stop = time.monotonic() + seconds
    counter = 0

    async def worker(seed: int) -> None:
        nonlocal errors, counter
        rng = random.Random(seed)
        async with httpx.AsyncClient(base_url=url, timeout=60) as c:
            while time.monotonic() < stop:
                counter += 1
                t0 = time.perf_counter()
                try:
                    if method == "GET":
                        r = await c.get(path)
                    else:
                        r = await c.post(path, json={"text": make(rng, counter), "channel": "bench"})  # type: ignore[operator]
                    dt = time.perf_counter() - t0
                    if r.status_code != 200:
                        errors += 1
                        statuses[f"http {r.status_code}"] += 1
                        continue
                    latencies.append(dt)
                    statuses[r.json().get("status", "ok") if method == "POST" else "ok"] += 1
                except httpx.HTTPError as exc:
                    errors += 1
                    statuses[type(exc).__name__] += 1

    await asyncio.gather(*(worker(i) for i in range(clients)))
    return latencies, statuses, errors


def report(name: str, lat: list[float], statuses: Counter[str], errors: int, seconds: float) -> None:
    if not lat:
        print(f"{name}: no successful requests; errors={errors} {dict(statuses)}")
        return
    print(
        f"{name}: n={len(lat)} errors={errors} throughput={len(lat) / seconds:.1f}/s "
        f"median={statistics.median(lat) * 1000:.0f} ms p95={pct(lat, 0.95) * 1000:.0f} ms "
        f"max={max(lat) * 1000:.0f} ms statuses={dict(statuses)}"
    )


@contextlib.contextmanager
def own_server(workers: int) -> Iterator[str]:
    """A demo-loaded ``kiemchung serve`` on a free port, in a temporary data directory."""
    with tempfile.TemporaryDirectory(prefix="kc-bench-") as tmp:
        env = dict(os.environ, KIEMCHUNG_DATA_DIR=tmp, KIEMCHUNG_RATE_LIMIT_PER_MINUTE="1000000")
        env.pop("KIEMCHUNG_DATABASE_URL", None)
        exe = [sys.executable, "-m", "kiemchung.cli"]
        subprocess.run([*exe, "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        cmd = [*exe, "serve", "--port", str(port), "--workers", str(workers)]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(120):
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.5)
            else:
                raise RuntimeError("server did not start")
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default=None, help="a running server (default: start one on demo data)")
    ap.add_argument("--workers", type=int, default=1, help="server processes when starting our own")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--baseline-duration", type=float, default=5.0)
    args = ap.parse_args()
    if args.url is None:
        with own_server(args.workers) as url:
            args.url = url
            await measure(args)
    else:
        await measure(args)


async def measure(args: argparse.Namespace) -> None:
    print(f"server {args.url}, {args.clients} clients, {args.duration:.0f} s")
    async with httpx.AsyncClient(base_url=args.url, timeout=60) as c:
        known = await claims(c)
        await c.post(
            "/api/v1/tips", json={"text": known[0] if known else "khởi động", "channel": "bench"}
        )  # warm-up
    base, bst, berr = await run(args.url, args.clients, args.baseline_duration, None, "GET", "/healthz")
    report("baseline GET /healthz", base, bst, berr, args.baseline_duration)
    lat, st, err = await run(
        args.url, args.clients, args.duration, lambda rng, n: message(known, rng, n), "POST", "/api/v1/tips"
    )
    report("POST /api/v1/tips", lat, st, err, args.duration)
    if base and lat:
        print(
            f"ratio tip/baseline: median x{statistics.median(lat) / statistics.median(base):.1f}, "
            f"p95 x{pct(lat, 0.95) / pct(base, 0.95):.1f}"
        )


if __name__ == "__main__":
    asyncio.run(main())
