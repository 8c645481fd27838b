"""Engine commands: ``kiemchung eval matching`` and ``kiemchung reindex``."""

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
