"""Crash probes: ``kill -9`` during an ingest, during a publication and during a tip flood, then
report what survived. Everything runs as real subprocesses (the CLI, a uvicorn server) against a
fresh data directory on 127.0.0.1; traffic goes to the loopback only and every loop is bounded.

    python bench/fault_probe.py [--posts=20000] [--tips=120] [--runs=3]
    python bench/fault_probe.py --database-url=postgresql+psycopg://postgres@127.0.0.1:5432/kc_probe

With ``--database-url`` the probes run on that (empty, throw-away) database instead of SQLite.
Each probe prints one line per run and a verdict: SURVIVED when nothing acknowledged was lost and
the data is consistent, LOST otherwise. After each publish kill a server is started on the same
data, without a job consumer, and asked through ``POST /api/v1/match``: a published fact-check must
be answered at once (its start-up index sync), an unpublished one never.
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
sys.path.insert(0, str(SRC))

from _common import option  # noqa: E402


def _arg(name: str, default: str) -> str:
    return next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith(f"--{name}=")), default)


class Probe:
    def __init__(self, data_dir: Path, database_url: str) -> None:
        self.data_dir = data_dir
        self.url = database_url or f"sqlite:///{(data_dir / 'kiemchung.db').as_posix()}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("KIEMCHUNG_")}
        self.env.update(
            KIEMCHUNG_ENV="development",
            KIEMCHUNG_DATA_DIR=str(data_dir),
            KIEMCHUNG_DATABASE_URL=self.url,
            KIEMCHUNG_EMBEDDER=os.environ.get("KIEMCHUNG_EMBEDDER", "none"),
            KIEMCHUNG_SECRET_KEY="probe-" + "x" * 40,
            KIEMCHUNG_RATE_LIMIT_PER_MINUTE="100000",
            PYTHONPATH=str(SRC),
        )

    # helpers ------------------------------------------------------------------------------
    def cli(self, *args: str, **kw: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "kiemchung.cli", *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            **kw,
        )

    def py(self, code: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-c", code], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )

    def query(self, code: str) -> Any:
        """Run ``code`` (which sets ``out``) in a fresh process against the store; its ``out``."""
        script = (
            "import orjson\nfrom sqlalchemy import select, func, text\nfrom kiemchung.store import session_scope\n"
            "from kiemchung.store import models as m\nout = None\n"
            + code
            + "\nprint(orjson.dumps(out).decode())"
        )
        r = subprocess.run(
            [sys.executable, "-c", script], env=self.env, capture_output=True, timeout=300, check=False
        )
        if r.returncode:
            raise RuntimeError(r.stderr.decode()[-1500:])
        return orjson.loads(r.stdout.strip().splitlines()[-1])

    def integrity(self) -> str:
        if not self.url.startswith("sqlite"):
            return "n/a (PostgreSQL)"
        return str(
            self.query(
                "from kiemchung.store.db import get_engine\n"
                "with get_engine().connect() as c:\n"
                "    out = c.exec_driver_sql('PRAGMA integrity_check').scalar()"
            )
        )

    def serve(self, **env: str) -> tuple[subprocess.Popen[bytes], str] | None:
        """``kiemchung serve`` on a free loopback port, once ``/healthz`` answers; None if it did not start."""
        import httpx

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = subprocess.Popen(
            [sys.executable, "-m", "kiemchung.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=self.env | env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    return server, base
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.kill(server)
        return None

    def answered(self, fc_id: int, text: str) -> tuple[bool, bool] | None:
        """Start a server on this data (no job consumer: only its start-up index sync can bring a
        publication the crash left out of the index) and ask ``POST /api/v1/match``:
        ``(among the results, the answer)``, or None if the server did not start."""
        import httpx

        started = self.serve(KIEMCHUNG_ENGINE_IN_PROCESS="false")
        if started is None:
            return None
        server, base = started
        try:
            got: tuple[bool, bool] = (False, False)
            deadline = time.monotonic() + 30  # the sync runs beside start-up; the first match waits for it
            while time.monotonic() < deadline:
                r = httpx.post(base + "/api/v1/match", json={"text": text}, timeout=60)
                if r.status_code == 200:
                    body = r.json()
                    got = (fc_id in [c["id"] for c in body["results"]], body["answer"] == fc_id)
                    if got[0]:
                        break
                time.sleep(0.5)
            return got
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill(server)

    @staticmethod
    def kill(proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    # probes -------------------------------------------------------------------------------
    def ingest(self, posts: int, runs: int) -> bool:
        path = self.data_dir / "probe-posts.jsonl"
        with path.open("wb") as fh:
            for i in range(posts):
                text = f"Tin thử {i}: phường {i % 40} thông báo đổi giờ thu gom rác từ thứ {i % 6 + 2}."
                fh.write(orjson.dumps({"text": text, "id": f"bai-{i}", "shares": i % 30}) + b"\n")
        ok = True
        for run in range(runs):
            proc = self.cli("ingest", str(path), "--source", "probe", "--no-progress")
            delay = random.uniform(0.5, 4.0)
            time.sleep(delay)
            self.kill(proc)
            at_kill = self.query(
                "with session_scope() as s:\n"
                "    out = [s.scalar(select(func.count(m.Item.id))),"
                " s.scalar(select(func.count(m.Item.id)).where(m.Item.processed.is_(False)))]"
            )
            check = self.integrity()
            done = self.cli("ingest", str(path), "--source", "probe", "--no-progress")
            _out, err = done.communicate(timeout=1800)
            final = self.query(
                "with session_scope() as s:\n"
                "    out = [s.scalar(select(func.count(m.Item.id))),"
                " s.scalar(select(func.count(m.Item.id)).where(m.Item.processed.is_(False)))]"
            )
            good = done.returncode == 0 and final[0] == posts and check in ("ok", "n/a (PostgreSQL)")
            ok &= good
            print(
                f"  ingest run {run + 1}: killed after {delay:.1f} s with {at_kill[0]:,} items stored "
                f"({at_kill[1]:,} not yet through the engine); "
                f"integrity {check}; re-run exit {done.returncode}: {final[0]:,}/{posts:,} items, "
                f"{final[1]:,} pending -> {'ok' if good else 'LOST'}"
            )
            if done.returncode:
                print("    " + err.decode()[-400:].replace("\n", "\n    "))
        return ok

    def publish(self, runs: int) -> bool:
        ok = True
        duration = 1.0
        for run in range(runs + 1):  # run 0 is not killed: it measures how long a publication takes
            fc_id = self.query(
                "from kiemchung.desk.auth import hash_password\n"
                f"with session_scope() as s:\n"
                f"    rv = s.scalar(select(m.User).where(m.User.email == 'probe-reviewer@kc.test'))\n"
                f"    if rv is None:\n"
                f"        rv = m.User(email='probe-reviewer@kc.test', display_name='R', role=m.Role.reviewer,"
                f" password_hash=hash_password('probe-password-1'))\n"
                f"        s.add(rv)\n"
                f"        s.add(m.User(email='probe-author@kc.test', display_name='A', role=m.Role.editor,"
                f" password_hash=rv.password_hash))\n"
                f"        s.flush()\n"
                f"    au = s.scalar(select(m.User).where(m.User.email == 'probe-author@kc.test'))\n"
                f"    fc = m.FactCheck(slug='probe-{run}-{random.randrange(10**9)}',"
                f" claim_reviewed='Nước máy phường {run} nhiễm độc', verdict=m.Verdict.false,"
                f" status=m.FactCheckStatus.approved, summary='Không đúng.', author_id=au.id)\n"
                f"    s.add(fc)\n"
                f"    s.flush()\n"
                f"    out = fc.id"
            )
            proc = self.py(
                "from kiemchung.store import session_scope\nfrom kiemchung.store import models as m\n"
                "from kiemchung.desk import factchecks\nfrom sqlalchemy import select\n"
                "with session_scope() as s:\n"
                "    u = s.scalar(select(m.User).where(m.User.email == 'probe-reviewer@kc.test'))\n"
                "    print('start', flush=True)\n"
                f"    factchecks.run_workflow(s, {fc_id}, 'publish', u, version=None)\n"
            )
            assert proc.stdout is not None
            proc.stdout.readline()  # imports done, the publication is starting
            t0 = time.monotonic()
            if run == 0:
                proc.wait(timeout=600)
                duration = time.monotonic() - t0
                print(f"  publish (not killed) took {duration:.2f} s")
                continue
            delay = random.uniform(0.1, 1.1) * duration
            time.sleep(delay)
            finished = proc.poll() is not None
            self.kill(proc)
            if finished and proc.returncode:
                assert proc.stderr is not None
                print("    publish failed: " + proc.stderr.read().decode()[-300:].replace("\n", " "))
            state = self.query(
                f"with session_scope() as s:\n    fc = s.get(m.FactCheck, {fc_id})\n"
                "    out = [fc.status.value, fc.published_at is not None]"
            )
            indexed = self.query(
                "from kiemchung.engine.index import SearchIndex\nfrom kiemchung.settings import get_settings\n"
                "idx = SearchIndex(get_settings().resolved_index_dir, None)\n"
                f"out = idx.load() and '{fc_id}' in idx.fc_stamps"
            )
            check = self.integrity()
            consistent = (state[0] == "published") == state[1] and state[0] in ("approved", "published")
            # end to end: a server started after the crash answers a published fact-check at once
            # (and never an unpublished one), whether or not the index job had run
            asked = self.answered(fc_id, f"Nước máy phường {run} nhiễm độc")
            served = asked is not None and asked[0] == (state[0] == "published")
            good = consistent and served and check in ("ok", "n/a (PostgreSQL)")
            ok &= good
            answer = (
                "server did not start"
                if asked is None
                else f"{'answered' if asked[1] else 'among the matches' if asked[0] else 'not answered'}"
            )
            print(
                f"  publish run {run}: killed after {delay:.1f} s ({'had finished' if finished else 'mid-run'}); "
                f"status {state[0]}, in the persisted index: {bool(indexed)}; integrity {check}; "
                f"a new server: {answer} -> {'ok' if good else 'INCONSISTENT' if not consistent else 'LOST'}"
            )
        return ok

    @staticmethod
    def _send(
        base: str, tag: str, n: int, stop: threading.Event, acked: list[str], errors: list[str]
    ) -> None:
        import httpx

        with httpx.Client(base_url=base, timeout=30) as c:
            try:
                token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/gui-tin").text)
            except httpx.HTTPError:
                return
            if not token:
                return
            for i in range(n):
                if stop.is_set():
                    return
                text = f"Tin báo thử {tag}-{i}: có tin nhắn mạo danh ngân hàng đòi mã OTP"
                try:
                    r = c.post("/gui-tin", data={"csrf_token": token.group(1), "text": text})
                except httpx.HTTPError:
                    return  # the server is gone: this tip was never acknowledged
                # the form answers "post, redirect, get": a 303 to the tip's status page is the
                # acknowledgement (its token is the tipster's receipt)
                where = r.headers.get("location", "")
                if r.status_code == 303 and where.startswith("/gui-tin/trang-thai/") and len(where) > 20:
                    acked.append(text)
                else:
                    errors.append(str(r.status_code))

    def tip_flood(self, tips: int, runs: int) -> bool:
        ok = True
        for run in range(runs):
            started = self.serve()
            if started is None:
                print("  tip flood: the server did not start")
                return False
            server, base = started
            acked: list[str] = []
            errors: list[str] = []
            stop = threading.Event()

            senders = [
                threading.Thread(target=self._send, args=(base, f"{run}-{k}", tips // 4, stop, acked, errors))
                for k in range(4)
            ]
            for t in senders:
                t.start()
            t0 = time.monotonic()
            while len(acked) < 8 and time.monotonic() - t0 < 60:  # the flood is flowing
                time.sleep(0.05)
            delay = random.uniform(0.2, 2.0)
            time.sleep(delay)
            self.kill(server)
            stop.set()
            for t in senders:
                t.join(timeout=60)
            stored = set(
                self.query(
                    "with session_scope() as s:\n"
                    f"    out = list(s.scalars(select(m.Tip.text).where(m.Tip.text.like('Tin báo thử {run}-%'))))"
                )
            )
            lost = [t for t in acked if t not in stored]
            check = self.integrity()
            good = not lost and check in ("ok", "n/a (PostgreSQL)")
            ok &= good
            print(
                f"  tip flood run {run + 1}: server killed {delay:.1f} s into the flood; {len(acked)} tips acknowledged, "
                f"{len(acked) - len(lost)} durable, {len(errors)} refused ({', '.join(sorted(set(errors))) or '-'}); "
                f"integrity {check} -> {'ok' if good else 'LOST'}"
            )
        return ok


def main() -> int:
    posts = option("posts", 20_000)
    tips = option("tips", 120)
    runs = option("runs", 3)
    url = _arg("database-url", "")
    with tempfile.TemporaryDirectory(prefix="kc-fault-") as tmp:
        probe = Probe(Path(tmp), url)
        up = probe.cli("db", "upgrade")
        _, err = up.communicate(timeout=300)
        if up.returncode:
            print("SKIP: cannot prepare the database: " + err.decode()[-300:])
            return 0
        print(f"fault probes on {'PostgreSQL' if url else 'SQLite'} ({runs} runs each)")
        results = {
            "kill -9 during ingest": probe.ingest(posts, runs),
            "kill -9 during publish": probe.publish(runs),
            "kill -9 during a tip flood": probe.tip_flood(tips, runs),
        }
    for name, ok in results.items():
        print(f"{name}: {'SURVIVED' if ok else 'LOST'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
