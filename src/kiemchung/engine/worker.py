"""Background mode: a loop that runs the claim pipeline on pending items.

    KIEMCHUNG_ENGINE_IN_PROCESS=false kiemchung serve &   # web/ingest only store items
    kiemchung worker --interval 10                        # this process does the engine work

Each round is one ``process_pending`` committed in chunks of 100 items (the write lock is held
briefly; it also settles waiting tips onto claims), then the replies owed to tipsters are delivered
and expired contact details purged (``desk.replies.run_replies``); a failing round is logged and
retried on the next tick (its committed chunks stay done), so one bad batch never stops the worker.
SIGINT/SIGTERM finish the current round first.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

from kiemchung.web.i18n import N_, _

if TYPE_CHECKING:  # the engine loads numpy/LanceDB: keep `kiemchung --help` fast
    from kiemchung.engine.pipeline import PipelineStats

log = logging.getLogger(__name__)


def run_once(progress: bool = False) -> PipelineStats:
    """One round in its own transaction, then replies owed to tipsters (and the contact purge)."""
    from kiemchung.engine.pipeline import process_pending
    from kiemchung.store import session_scope

    with session_scope() as session:
        # Small transactions: the live site keeps writing while a long backlog is processed.
        stats = process_pending(session, progress=progress, commit_every=100)
    try:
        from kiemchung.desk.replies import run_replies

        run_replies()
    except Exception:  # a mail outage must not stop the claim engine; the outbox retries
        log.exception("reply delivery round failed")
    return stats


def run_loop(
    interval: float = 10.0,
    *,
    stop: threading.Event | None = None,
    max_rounds: int | None = None,
    on_round: Callable[[PipelineStats], None] | None = None,
) -> int:
    """Run rounds until ``stop`` is set (or ``max_rounds``); returns the number of items processed."""
    from kiemchung.engine.pipeline import save_dedup

    stop = stop or threading.Event()
    total = 0
    rounds = 0
    while not stop.is_set():
        try:
            stats = run_once()
        except Exception:  # keep serving; the next round retries the same pending items
            log.exception("pipeline round failed")
        else:
            total += stats.items
            if on_round:
                on_round(stats)
        rounds += 1
        if max_rounds is not None and rounds >= max_rounds:
            break
        stop.wait(interval)
    save_dedup(force=True)
    return total


def worker(
    interval: float = typer.Option(10.0, min=0.5, help=N_("Giây giữa hai lượt")),
    once: bool = typer.Option(False, "--once", help=N_("Chạy một lượt rồi thoát")),
) -> None:
    """Xử lý tin chờ trong nền / process pending items in the background (claim engine worker)."""
    from kiemchung.engine.pipeline import save_dedup
    from kiemchung.settings import get_settings
    from kiemchung.store import upgrade

    logging.basicConfig(
        level=get_settings().log_level.upper(), format="%(asctime)s %(levelname)s %(message)s"
    )
    upgrade()
    if once:
        stats = run_once(progress=True)
        save_dedup(force=True)
        typer.echo(_summary(stats))
        return
    stop = threading.Event()

    def _stop(_sig: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    typer.echo(_("Đang chạy, mỗi %(interval)s giây một lượt (Ctrl+C để dừng)", interval=f"{interval:g}"))

    def _report(s: PipelineStats) -> None:
        if s.items:
            typer.echo(_summary(s))

    total = run_loop(interval, stop=stop, on_round=_report)
    typer.echo(_("Đã dừng; đã xử lý %(total)s tin", total=f"{total:,}").replace(",", "."))


def _summary(s: PipelineStats) -> str:
    return (
        f"{s.items} tin/items, {s.duplicates} trùng/duplicates, {s.claims_new} nhận định mới/new claims, "
        f"{s.claims_updated} cập nhật/updated, {s.matched_answer + s.matched_suggest} khớp/matched "
        f"({str(s.seconds).replace('.', ',')} s)"
    )
