"""Web handlers never manage transactions themselves: the session dependency does (web/deps.py).

The modules checked are found, not listed: every module that defines an ``APIRouter(``, every
request dependency module (``deps.py``) but the policy's own, and the desk's services (what the
desk's routers call). A module that must break the rule is named below with its reason.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import kiemchung

SRC = Path(kiemchung.__file__).parent
POLICY = SRC / "web" / "deps.py"  # commits and rolls back: it is the policy
NOT_REQUEST_CODE = {
    SRC / "desk" / "cli.py": "the command line opens its own sessions, like every command",
}


def _defines_router(path: Path) -> bool:
    return "APIRouter(" in path.read_text(encoding="utf-8")


ROUTER_MODULES = sorted(p for p in SRC.rglob("*.py") if _defines_router(p))
DEPS_MODULES = sorted(p for p in SRC.rglob("deps.py") if p != POLICY)
DESK_SERVICES = sorted(p for p in (SRC / "desk").glob("*.py") if p.name != "__init__.py")
WEB_MODULES = sorted(
    {*ROUTER_MODULES, *DEPS_MODULES, *DESK_SERVICES} - NOT_REQUEST_CODE.keys(), key=lambda p: str(p)
)

MANAGES_TRANSACTIONS = re.compile(r"\.commit\(\)|\.rollback\(\)|sessionmaker_for|Session\(")

# Deliberate exceptions, by module, with the exact lines allowed and why.
ALLOWED_LINES: dict[str, tuple[Counter[str], str]] = {
    "channels/web.py": (
        Counter({"db.commit()": 1}),
        "the chat webhook commits the accepted events inside the SQLite writer queue (writing(ack=True)), "
        "so the platform is acknowledged only once they are stored; the dependency's commit is a no-op",
    ),
    "desk/factchecks.py": (
        Counter({"session.rollback()": 1}),
        "reload_after_conflict: a flush that lost an optimistic-lock race leaves the session unusable "
        "until rolled back, and the conflict page is rendered from the winner's version in the same request",
    ),
    "desk/replies.py": (
        Counter({"session.commit()": 5}),
        "the reply outbox is delivered by the worker and by run_replies after the response; each row is "
        "committed on its own, so its lease is visible to other workers before the mail goes out",
    ),
}
# Background tasks run after the response, when the request's session is gone: they open their own.
BACKGROUND_SESSIONS: dict[str, int] = {
    "desk/replies.py": 1,  # run_replies: a worker round, or a background task after a desk action
    # sweep_sla: the minute job's part; desk_alerts: the nav's counts, cached a minute per process
    # and drawn on pages whose request session may already be closed
    "desk/incidents.py": 2,
}
# Modules being rewritten elsewhere at the moment; exempted whole until that work lands. TEMPORARY:
# empty it (and let the checks above speak) as soon as it is merged.
TEMPORARY: set[str] = set()


def _name(path: Path) -> str:
    return str(path.relative_to(SRC))


def test_the_scan_finds_the_routers_and_the_desk_services() -> None:
    names = {_name(p) for p in WEB_MODULES}
    # one of each kind, so a change to the scan that finds nothing cannot pass unnoticed
    assert {"desk/routes/claims.py", "channels/web.py", "public/deps.py", "desk/claims.py"} <= names
    assert "web/deps.py" not in names and "desk/cli.py" not in names
    assert names >= TEMPORARY


def test_route_modules_leave_commit_and_rollback_to_the_dependency() -> None:
    found: dict[str, Counter[str]] = {}
    for p in WEB_MODULES:
        if _name(p) in TEMPORARY:
            continue
        for line in p.read_text(encoding="utf-8").splitlines():
            if MANAGES_TRANSACTIONS.search(line):
                found.setdefault(_name(p), Counter())[line.strip()] += 1
    # exact: a new commit in an allowed module fails too, and so does an exception no longer needed
    assert found == {name: lines for name, (lines, _why) in ALLOWED_LINES.items()}


def test_only_background_tasks_open_a_session() -> None:
    opened = {
        _name(p): len(re.findall(r"with session_scope\(", p.read_text(encoding="utf-8")))
        for p in WEB_MODULES
        if _name(p) not in TEMPORARY
    }
    assert {k: v for k, v in opened.items() if v} == BACKGROUND_SESSIONS
