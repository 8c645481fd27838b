"""Chat webhooks under load: R events/s for D seconds across Zalo, Messenger and Telegram.

    python bench/bench_channels.py [--rate=200] [--duration=30] [--tips=10] [--fail-every=50]

One kiemchung process (uvicorn, SQLite in a temporary directory, ``KIEMCHUNG_EMBEDDER=none``)
receives signed webhook events from an async load generator in this process; the platforms'
send APIs are the local fake used by the tests, in a third process (every ``--fail-every``-th send answers 429 with Retry-After: 1).
``--tips`` percent of events are questions going through the whole tipline (claim engine
included), the rest menu and button traffic; 5 % of events are sent twice, as platforms retry.
After the load, the outbox is drained the way ``kiemchung worker`` does (``run_replies``).

Reports acknowledgement latency (p50/p99/max, and how many exceeded 2 s: Zalo's and Telegram's
patience; Messenger allows 20 s), then replies per event in the fake's log: lost (0 replies) and
duplicated (more than 1).
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "channels"))

from fake_platform import free_port  # noqa: E402
from payloads import ENV, api_env, messenger, telegram, zalo  # noqa: E402

QUESTIONS = [
    "Nghe nói phường Bến Nghé sắp cấm đỗ xe máy trên vỉa hè cả ngày, có thật không?",
    "Có tin bảo hiểm y tế học sinh năm nay tăng gấp đôi, đúng không ạ?",
    "Người ta chia sẻ rằng uống nước đá sau khi ăn gây ung thư dạ dày.",
    "Tin nhắn báo tài khoản của tôi bị khóa, bảo bấm vào link để mở khóa.",
]


def option(name: str, default: int) -> int:
    for a in sys.argv[1:]:
        if a.startswith(f"--{name}="):
            return int(a.split("=", 1)[1])
    return default


def event(n: int, tips: int) -> tuple[str, tuple[str, bytes, dict[str, str]]]:
    platform = ("zalo", "messenger", "telegram")[n % 3]
    rng = random.Random(n)
    kind = "tip" if rng.randrange(100) < tips else rng.choice(["hello", "#check", "#link", "#recent"])
    text = f"{rng.choice(QUESTIONS)} (#{n})" if kind == "tip" else ("xin chào" if kind == "hello" else "")
    payload = kind if kind.startswith("#") else ""
    user = str(500_000_000 + n)  # one person per event: each must get exactly one reply
    if platform == "zalo":
        return user, zalo(user, f"zm{n}", text=payload or text)
    if platform == "messenger":
        return user, messenger(user, f"m_{n}", text=text, payload=payload, postback=bool(payload))
    return user, telegram(user, n, text=text, callback=payload)


async def load(base: str, rate: int, duration: int, tips: int) -> tuple[list[float], Counter[int], list[str]]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    users: list[str] = []
    sem = asyncio.Semaphore(400)
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=base, timeout=30.0, limits=limits) as client:

        async def one(req: tuple[str, bytes, dict[str, str]]) -> None:
            async with sem:
                t0 = time.perf_counter()
                try:
                    r = await client.post(req[0], content=req[1], headers=req[2])
                    statuses[r.status_code] += 1
                except httpx.HTTPError:
                    statuses[0] += 1
                latencies.append(time.perf_counter() - t0)

        tasks = []
        start = time.perf_counter()
        for n in range(rate * duration):
            due = start + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            user, req = event(n, tips)
            users.append(user)
            tasks.append(asyncio.create_task(one(req)))
            if n % 20 == 0:  # the platform retries this one: must still be answered once
                tasks.append(asyncio.create_task(one(req)))
        await asyncio.gather(*tasks)
    return latencies, statuses, users


def _wait(url: str) -> None:
    for _ in range(300):
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"not up: {url}")


def main() -> int:
    rate, duration = option("rate", 200), option("duration", 30)
    tips, fail_every = option("tips", 10), option("fail-every", 50)
    tmp = Path(tempfile.mkdtemp(prefix="kc-bench-channels-"))
    fake_port, port = free_port(), free_port()
    fake_base = f"http://127.0.0.1:{fake_port}"
    env = dict(os.environ) | ENV | api_env(fake_base)
    env.update(
        KIEMCHUNG_ENV="test",
        KIEMCHUNG_DATA_DIR=str(tmp),
        KIEMCHUNG_EMBEDDER="none",
        KIEMCHUNG_LOG_LEVEL="WARNING",
        KIEMCHUNG_CHANNEL_EVENT_MAX_AGE="600",
        PYTHONPATH=str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", ""),
    )
    os.environ.update(env)
    from kiemchung.desk.replies import run_replies
    from kiemchung.store import db as store_db
    from kiemchung.store import session_scope
    from kiemchung.store.models import ChannelEvent, Outbox, OutboxStatus

    store_db.upgrade(f"sqlite:///{tmp / 'kiemchung.db'}")
    fake = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "tests" / "channels" / "fake_platform.py"),
            str(fake_port),
            str(fail_every),
        ],
        env=env,
    )
    app = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "kiemchung.web.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    try:
        _wait(f"{fake_base}/_calls")
        _wait(f"http://127.0.0.1:{port}/healthz")
        return _run(
            rate,
            duration,
            tips,
            fail_every,
            port,
            fake_base,
            run_replies,
            session_scope,
            ChannelEvent,
            Outbox,
            OutboxStatus,
        )
    finally:
        app.terminate()
        fake.terminate()
        app.wait(10)
        fake.wait(10)


def _run(
    rate,
    duration,
    tips,
    fail_every,
    port,
    fake_base,
    run_replies,
    session_scope,
    ChannelEvent,
    Outbox,
    OutboxStatus,
) -> int:  # type: ignore[no-untyped-def]
    print(
        f"load: {rate} events/s × {duration} s, {tips} % tips, 5 % sent twice, every {fail_every}th send 429"
    )
    t0 = time.perf_counter()
    latencies, statuses, users = asyncio.run(load(f"http://127.0.0.1:{port}", rate, duration, tips))
    sent_for = time.perf_counter() - t0
    print(f"sent {len(latencies)} requests in {sent_for:.1f} s; statuses {dict(statuses)}")
    lat = sorted(latencies)
    p = lambda q: lat[min(int(q * len(lat)), len(lat) - 1)]  # noqa: E731
    print(
        f"ack latency: p50 {p(0.5) * 1000:.0f} ms, p99 {p(0.99) * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms; "
        f"> 2 s: {sum(x > 2 for x in lat)}, > 20 s: {sum(x > 20 for x in lat)}"
    )
    # drain what is left, as the worker would (429s wait for their Retry-After)
    deadline = time.perf_counter() + 600
    while time.perf_counter() < deadline:
        run_replies()
        with session_scope() as s:
            waiting = s.query(ChannelEvent).filter(ChannelEvent.status != "done").count()
            pending = s.query(Outbox).filter(Outbox.status == OutboxStatus.pending).count()
        if not waiting and not pending:
            break
        time.sleep(0.5)
    drained = time.perf_counter() - t0
    calls = httpx.get(f"{fake_base}/_calls", timeout=60).json()
    got: Counter[str] = Counter()
    for _platform, _path, status, body in calls:
        if status != 200 or "oauth" in _path or _path.endswith("/answerCallbackQuery"):
            continue
        rcpt = body.get("recipient", {})
        got[str(rcpt.get("user_id") or rcpt.get("id") or body.get("chat_id"))] += 1
    expected = set(users)
    lost = [u for u in expected if got[u] == 0]
    dup = [u for u in expected if got[u] > 1]
    with session_scope() as s:
        failed = s.query(Outbox).filter(Outbox.status == OutboxStatus.failed).count()
    retried = sum(1 for c in calls if c[2] == 429)
    print(
        f"replies: {sum(got.values())} for {len(expected)} events; lost {len(lost)}, duplicated {len(dup)}; "
        f"429s answered by the fake {retried}, dead-lettered {failed}; all replied {drained:.1f} s after start"
    )
    ok = not lost and not dup and statuses.get(200, 0) == len(latencies)
    print("OK" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
