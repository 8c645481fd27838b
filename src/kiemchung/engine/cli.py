"""Engine commands: ``kiemchung eval matching``, ``kiemchung reindex`` and ``kiemchung tips audit``."""

from __future__ import annotations

from pathlib import Path

import typer

from kiemchung.clilang import new_app
from kiemchung.web.i18n import N_, _

eval_app = new_app(N_("Đánh giá"))


@eval_app.command(
    "matching",
    help=N_(
        "Khớp truy vấn với thư viện kiểm chứng.\n\n"
        "Ghi {qid, results: [{id, score}], answer} cho mỗi truy vấn; khi truy vấn có `gold`, in "
        "Recall@1/5, MRR, tỉ lệ trả lời đúng và sai của cả hệ thống và của hai mốc so sánh: chỉ từ "
        "vựng và chỉ vector."
    ),
)
def eval_matching(
    library: Path = typer.Option(
        ..., "--library", exists=True, dir_okay=False, help=N_("JSONL {id, text}: thư viện kiểm chứng.")
    ),
    queries: Path = typer.Option(
        ..., "--queries", exists=True, dir_okay=False, help=N_("JSONL {qid, query, gold?}: các truy vấn.")
    ),
    output: Path = typer.Option(
        ..., "--output", dir_okay=False, help=N_("JSONL kết quả: mỗi truy vấn một dòng.")
    ),
    top: int = typer.Option(10, "--top", min=1, help=N_("Số ứng viên cho mỗi truy vấn.")),
) -> None:
    """Match queries against a fact-check library (the help text above says what is written)."""
    from kiemchung.engine.evaluate import run_matching

    try:
        run_matching(library, queries, output, top)
    except ValueError as exc:
        typer.echo(_("Lỗi: %(exc)s", exc=exc), err=True)
        raise typer.Exit(2) from exc


def reindex(
    progress: bool = typer.Option(True, "--progress/--no-progress", help=N_("Thanh tiến trình")),
) -> None:
    """Rebuild the search index from the store."""
    from kiemchung.engine.index import reindex as rebuild
    from kiemchung.settings import get_settings
    from kiemchung.store import upgrade

    upgrade()
    stats = rebuild(progress=progress)
    typer.echo(
        _(
            "Đã dựng lại chỉ mục tại %(path)s: %(fact_checks)s bài kiểm chứng, %(passages)s đoạn, "
            "%(claims)s nhận định",
            path=get_settings().resolved_index_dir,
            fact_checks=stats["fact_checks"],
            passages=stats["passages"],
            claims=stats["claims"],
        )
    )


tips_app = new_app(N_("Tin báo của người dân"))


@tips_app.command(
    "audit",
    help=N_(
        "Kiểm tra không tin nào bị bỏ sót.\n\n"
        "Mỗi tin phải được trả lời (kèm bài kiểm chứng), được cảnh báo (kèm kết luận lừa đảo) hoặc "
        "gắn với một nhận định trong hàng đợi biên tập. Liệt kê từng tin chưa như vậy và thoát với "
        "mã 1 khi có."
    ),
)
def tips_audit(
    grace_minutes: float = typer.Option(
        10.0,
        "--grace-minutes",
        min=0,
        help=N_("Tin mới hơn chưa tới lượt xử lý"),
    ),
    repair: bool = typer.Option(False, "--repair", help=N_("Chạy một lượt xử lý trước khi kiểm tra")),
) -> None:
    """Check that no tip is lost: each one answered, warned or linked to a claim in the desk queue."""
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
        typer.echo(
            _(
                "%(mark)s tin #%(tip)s [%(status)s]: %(problem)s",
                mark=mark,
                tip=p.tip_id,
                status=p.status,
                problem=p.problem,
            )
        )

    def n(x: int) -> str:
        return f"{x:,}".replace(",", ".")  # Vietnamese thousands separator

    typer.echo(
        _(
            "%(total)s tin, %(broken)s vi phạm, %(pending)s đang chờ",
            total=n(total),
            broken=n(len(failing)),
            pending=n(len(problems) - len(failing)),
        )
    )
    if failing:
        raise typer.Exit(1)


def backfill(
    path: Path | None = typer.Argument(
        None, exists=True, dir_okay=False, help=N_("JSONL (mỗi dòng {text, title?}) hoặc Parquet (cột text).")
    ),
    from_db: bool = typer.Option(False, "--from-db", help=N_("Bài đang chờ trong kho")),
    out: Path | None = typer.Option(
        None,
        "--out",
        file_okay=False,
        help=N_("Thư mục kết quả"),
    ),
    ray_address: str | None = typer.Option(
        None,
        "--ray-address",
        help=N_("Địa chỉ cụm Ray; 'local' khởi động một cụm tại đây. Không đặt: chạy trong tiến trình này."),
    ),
    workers: int = typer.Option(2, "--workers", min=1, help=N_("Số tiến trình Ray chuẩn bị các khối.")),
    block: int = typer.Option(500, "--block", min=1, help=N_("Bài mỗi khối")),
) -> None:
    """Backfill old posts: dedup, claims, embeddings (resumable)."""
    from kiemchung.engine import backfill as bf
    from kiemchung.settings import get_settings

    if (path is None) == (not from_db):
        typer.echo(_("Lỗi: cần đúng một trong PATH hoặc --from-db"), err=True)
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
            typer.echo(_("Kết quả: %(target)s", target=target))
    except (ValueError, RuntimeError) as exc:
        typer.echo(_("Lỗi: %(exc)s", exc=exc), err=True)
        raise typer.Exit(2) from exc
    for r in report.rejected[:20]:
        typer.echo(_("dòng %(line)s: %(reason)s", line=r.line, reason=r.reason), err=True)
    typer.echo(
        _(
            "%(runner)s: %(posts)s bài, %(duplicates)s trùng, %(claims)s nhận định mới, %(blocks)s khối "
            "(+%(skipped)s đã xong), %(rejected)s bị loại, %(seconds)s s",
            runner=report.runner,
            posts=report.posts,
            duplicates=report.duplicates,
            claims=report.claims,
            blocks=report.blocks,
            skipped=report.blocks_skipped,
            rejected=len(report.rejected),
            seconds=f"{report.seconds:.1f}",
        )
    )
