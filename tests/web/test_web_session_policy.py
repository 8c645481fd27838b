"""Web handlers never manage transactions themselves: the session dependency does (web/deps.py)."""

from __future__ import annotations

import re
from pathlib import Path

import kiemchung

SRC = Path(kiemchung.__file__).parent
# The modules that define routes, and the services the desk's routes call.
WEB_MODULES = [
    *sorted((SRC / "desk" / "routes").glob("*.py")),
    *(
        SRC / "desk" / f"{m}.py"
        for m in ("accounts", "auditlog", "claims", "documents", "indicators", "queue")
    ),
    *(SRC / "public" / f"{m}.py" for m in ("routes", "api", "feeds", "deps")),
    SRC / "scam" / "web.py",
    SRC / "intake" / "api.py",
    SRC / "analytics" / "web.py",
]
MANAGES_TRANSACTIONS = re.compile(r"\.commit\(\)|\.rollback\(\)|sessionmaker_for|Session\(")
# Background tasks run after the response, when the request's session is gone: they open their own.
BACKGROUND_SESSIONS: dict[str, int] = {}  # engine work is a job now (kiemchung.jobs), not a background task


def test_route_modules_leave_commit_and_rollback_to_the_dependency() -> None:
    offenders = [
        f"{p.relative_to(SRC)}:{n}: {line.strip()}"
        for p in WEB_MODULES
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if MANAGES_TRANSACTIONS.search(line)
    ]
    assert offenders == []


def test_only_background_tasks_open_a_session() -> None:
    opened = {
        str(p.relative_to(SRC)): len(re.findall(r"with session_scope\(", p.read_text(encoding="utf-8")))
        for p in WEB_MODULES
    }
    assert {k: v for k, v in opened.items() if v} == BACKGROUND_SESSIONS
