"""Engine commands: ``kiemchung eval matching``, ``kiemchung reindex`` and ``kiemchung tips audit``."""

from __future__ import annotations

from pathlib import Path

import typer

eval_app = typer.Typer(help="Đánh giá / evaluation harness.", no_args_is_help=True)


@eval_app.command("matching")
def eval_matching(
    library: Path = typer.Option(..., "--library", exists=True, dir_okay=False, help="JSONL {id, text}."),
    queries: Path = typer.Option(
        ..., "--queries", exists=True, dir_okay=False, help="JSONL {qid, query, gold?}."
    ),
    output: Path = typer.Option(..., "--output", dir_okay=False, help="JSONL written: one line per query."),
    top: int = typer.Option(10, "--top", min=1, help="Candidates per query."),
) -> None:
    """Khớp truy vấn với thư viện kiểm chứng / match queries against a fact-check library.

    Writes {qid, results: [{id, score}], answer} per query; with `gold` in the queries, prints
    Recall@1/5, MRR, correct- and false-answer rates for the full system and the lexical-only and
    dense-only baselines.
    """
    from kiemchung.engine.evaluate import run_matching

    try:
        run_matching(library, queries, output, top)
    except ValueError as exc:
        typer.echo(f"Lỗi / error: {exc}", err=True)
        raise typer.Exit(2) from exc


def reindex(
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Thanh tiến trình / progress bar."),
) -> None:
    """Dựng lại chỉ mục tìm kiếm từ kho dữ liệu / rebuild the search index from the store."""
    from kiemchung.engine.index import reindex as rebuild
    from kiemchung.settings import get_settings
    from kiemchung.store import upgrade

    upgrade()
    stats = rebuild(progress=progress)
    typer.echo(
        f"Đã dựng lại chỉ mục tại {get_settings().resolved_index_dir} / index rebuilt: "
        f"{stats['fact_checks']} kiểm chứng/fact-checks, {stats['passages']} đoạn/passages, "
        f"{stats['claims']} nhận định/claims"
    )


tips_app = typer.Typer(help="Tin báo của người dân / citizens' tips.", no_args_is_help=True)


@tips_app.command("audit")
def tips_audit(
    grace_minutes: float = typer.Option(
        10.0,
        "--grace-minutes",
        min=0,
        help="Tin mới hơn chưa tới lượt xử lý / newer tips may still be pending.",
    ),
    repair: bool = typer.Option(
        False, "--repair", help="Chạy một lượt xử lý trước khi kiểm tra / run an engine pass first."
    ),
) -> None:
    """Kiểm tra không tin nào bị bỏ sót / check that no tip is lost.

    Every tip must be answered (with its fact-check), warned (with its scam verdict) or linked to
    a claim in the desk queue. Lists each tip that is not, and exits with 1 when there is any.
    """
    from datetime import timedelta

    from sqlalchemy import func, select

    from kiemchung.engine import tips
    from kiemchung.store import session_scope, upgrade
    from kiemchung.store.models import Tip

    upgrade()
    if repair:
        from kiemchung.engine.pipeline import process_pending, save_dedup

        with session_scope() as session:
            process_pending(session)
        save_dedup(force=True)
    with session_scope() as session:
        problems = tips.audit(session, grace=timedelta(minutes=grace_minutes))
        total = int(session.scalar(select(func.count(Tip.id))) or 0)
    failing = [p for p in problems if not p.pending]
    for p in problems:
        mark = "…" if p.pending else "✗"
        typer.echo(f"{mark} tin/tip #{p.tip_id} [{p.status}]: {p.problem}")

    def n(x: int) -> str:
        return f"{x:,}".replace(",", ".")  # Vietnamese thousands separator

    typer.echo(
        f"{n(total)} tin/tips, {n(len(failing))} vi phạm/broken, {n(len(problems) - len(failing))} đang chờ/pending"
    )
    if failing:
        raise typer.Exit(1)


def backfill(
    path: Path | None = typer.Argument(
        None, exists=True, dir_okay=False, help="JSONL ({text, title?} a line) or Parquet (text column)."
    ),
    from_db: bool = typer.Option(
        False, "--from-db", help="Bài đang chờ trong kho / the store's pending posts."
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        file_okay=False,
        help="Thư mục kết quả / output directory (files; default <data_dir>/backfill/<name>).",
    ),
    ray_address: str | None = typer.Option(
        None,
        "--ray-address",
        help="Cụm Ray / Ray cluster address; 'local' starts one here. Unset: in-process.",
    ),
    workers: int = typer.Option(2, "--workers", min=1, help="Ray workers (actors) preparing blocks."),
    block: int = typer.Option(500, "--block", min=1, help="Bài mỗi khối / posts per block (unit of resume)."),
) -> None:
    """Xử lý hàng loạt bài cũ / backfill old posts: dedup, claims, embeddings (resumable).

    Rerun the same command after a crash: finished blocks are kept, the rest is done.
    """
    from kiemchung.engine import backfill as bf
    from kiemchung.settings import get_settings

    if (path is None) == (not from_db):
        typer.echo("Lỗi / error: give a PATH or --from-db (one of them)", err=True)
        raise typer.Exit(2)
    try:
        if from_db:
            from kiemchung.store import upgrade

            upgrade()
            report = bf.backfill_store(ray_address=ray_address, workers=workers, block=block)
        else:
            assert path is not None
            target = out or get_settings().data_dir / "backfill" / path.stem
            report = bf.backfill_file(path, target, ray_address=ray_address, workers=workers, block=block)
            typer.echo(f"Kết quả / results: {target}")
    except (ValueError, RuntimeError) as exc:
        typer.echo(f"Lỗi / error: {exc}", err=True)
        raise typer.Exit(2) from exc
    for r in report.rejected[:20]:
        typer.echo(f"  dòng / line {r.line}: {r.reason}", err=True)
    typer.echo(
        f"{report.runner}: {report.posts} bài / posts, {report.duplicates} trùng / duplicates, "
        f"{report.claims} nhận định mới / new claims, {report.blocks} khối / blocks "
        f"(+{report.blocks_skipped} đã xong / already done), {len(report.rejected)} bị loại / rejected, "
        f"{report.seconds:.1f} s"
    )
