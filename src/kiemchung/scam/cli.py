"""Scam desk commands.

kiemchung scam check "vietcombank-hotro.com"
kiemchung scam classify --input domains.txt --output verdicts.jsonl
kiemchung scam evaluate --dev labelled.jsonl
kiemchung scam seed
kiemchung scam update --feed chongluadao --url https://example.org/list.txt --licence CC0-1.0
kiemchung scam feeds
kiemchung scam add domain vcb-hotro.com --reason "Tin báo ngày 24/11"
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from kiemchung.clilang import new_app
from kiemchung.web.i18n import N_, _, current_lang, label

scam_app = new_app(N_("Lừa đảo: tra cứu, danh sách chặn, nguồn cấp."))


def _fail(msg: str) -> None:
    typer.echo(msg, err=True)
    raise typer.Exit(1)


def _n(x: int) -> str:
    """Vietnamese thousands separator: 24.059."""
    return f"{x:,}".replace(",", ".")


def _fmt_pct(x: float) -> str:
    return f"{x * 100:.1f}".replace(".", ",") + " %"


@scam_app.command(help=N_("Tra cứu một nội dung và in kết quả dạng JSON."))
def check(
    q: str = typer.Argument(..., help=N_("Liên kết, tên miền, số điện thoại, số tài khoản hoặc tin nhắn.")),
) -> None:
    """Check one input and print the JSON result."""
    from kiemchung.scam.lookup import check as do_check

    typer.echo(json.dumps(do_check(q).to_dict(), ensure_ascii=False, indent=2))


@scam_app.command(
    help=N_("Phân loại hàng loạt tên miền hoặc URL, mỗi dòng một mục (không cần cơ sở dữ liệu).")
)
def classify(
    input: Path = typer.Option(..., "--input", help=N_("Mỗi dòng một tên miền hoặc URL.")),
    output: Path = typer.Option(..., "--output", help=N_("JSONL: input, verdict, score, reasons.")),
) -> None:
    """Classify domains or URLs, one per line (works without a database)."""
    from kiemchung.scam.blocklist import get_snapshot
    from kiemchung.scam.lookup import check as do_check

    try:
        lines = input.read_text("utf-8", errors="replace").splitlines()
    except OSError as exc:
        _fail(_("Không đọc được tệp: %(input)s (%(exc)s)", input=input, exc=exc))
    snap = get_snapshot()
    n = 0
    with output.open("w", encoding="utf-8") as out:
        for line in lines:
            q = line.strip()
            if not q:
                continue
            r = do_check(q, snapshot=snap)
            out.write(
                json.dumps(
                    {"input": q, "verdict": r.verdict, "score": r.score, "reasons": r.reasons},
                    ensure_ascii=False,
                )
                + "\n"
            )
            n += 1
    typer.echo(_("Đã phân loại %(n)s dòng", n=_n(n), output=output), err=True)


@scam_app.command(help=N_("Đo tỉ lệ phát hiện và tỉ lệ báo nhầm, tổng thể và theo từng lý do."))
def evaluate(
    dev: Path = typer.Option(..., "--dev", help=N_('JSONL gồm {"domain": ..., "label": "scam"|"legit"}.')),
    show: int = typer.Option(
        0, help=N_("Liệt kê thêm chừng này trường hợp báo nhầm và lừa đảo mới bị bỏ sót.")
    ),
) -> None:
    """Detection and false-positive rates, overall and by reason."""
    from kiemchung.scam.evaluate import evaluate as do_eval
    from kiemchung.scam.evaluate import read_labelled

    try:
        rows = read_labelled(dev)
    except (OSError, ValueError) as exc:
        _fail(_("Không đọc được tệp: %(dev)s (%(exc)s)", dev=dev, exc=exc))
    m = do_eval(rows, lang=current_lang())
    typer.echo(_("Tên miền lừa đảo: %(n_scam)s; hợp lệ: %(n_legit)s", n_scam=m.n_scam, n_legit=m.n_legit))
    typer.echo(
        _(
            "Phát hiện: %(fmt_pct)s (%(detected)s/%(n_scam)s)",
            fmt_pct=_fmt_pct(m.detection),
            detected=m.detected,
            n_scam=m.n_scam,
        )
    )
    typer.echo(
        _(
            "Phát hiện trên tên miền gốc chưa có trong danh sách: %(fmt_pct)s (%(novel_detected)s/%(n_novel)s)",
            fmt_pct=_fmt_pct(m.novel_detection),
            novel_detected=m.novel_detected,
            n_novel=m.n_novel,
        )
    )
    typer.echo(
        _(
            "Báo nhầm: %(fmt_pct)s (%(false_positives)s/%(n_legit)s)",
            fmt_pct=_fmt_pct(m.false_positive_rate),
            false_positives=m.false_positives,
            n_legit=m.n_legit,
        )
    )
    typer.echo(
        _("Kết luận: %(verdicts)s", verdicts="; ".join(f"{k}: {dict(v)}" for k, v in m.verdicts.items()))
    )
    typer.echo(_("Theo lý do (nhãn lừa đảo | nhãn hợp lệ):"))
    for k, c in sorted(m.by_reason.items(), key=lambda kv: -kv[1]["scam"]):
        typer.echo(f"  {c['scam']:>6} | {c['legit']:>4}  {k}")
    for dom, why in m.fp_examples[:show]:
        typer.echo(f"  FP {dom}: {label(why)}")
    for dom in m.missed_novel[:show]:
        typer.echo(f"  MISS {dom}")


@scam_app.command(help=N_("Nạp danh bạ chính thức và danh sách chặn kèm theo vào cơ sở dữ liệu."))
def seed() -> None:
    """Load the official registry and the bundled blocklist into the database."""
    from kiemchung.scam.blocklist import seed_bundled
    from kiemchung.scam.registry import load_registry
    from kiemchung.store import session_scope, upgrade

    upgrade()
    with session_scope() as s:
        created, present = load_registry(s)
        rep = seed_bundled(s)
    typer.echo(
        _(
            "Danh bạ chính thức: +%(created)s (đã có %(present)s); %(feed)s: +%(added)s, tổng %(total)s",
            created=created,
            present=present,
            feed=rep.feed,
            added=rep.added,
            total=rep.total,
        )
    )


@scam_app.command(
    help=N_("Nhập hoặc làm mới một nguồn cấp danh sách chặn hay danh sách tin cậy (giữ nguồn gốc từng mục).")
)
def update(
    feed: str = typer.Option(..., "--feed", help=N_("Tên nguồn cấp (nguồn gốc).")),
    url: str = typer.Option(None, "--url", help=N_("Tải danh sách từ URL này.")),
    file: Path = typer.Option(None, "--file", help=N_("Đọc danh sách từ tệp này.")),
    fmt: str = typer.Option("auto", "--format", help="auto | domains | urls | adblock | hosts"),
    list_kind: str = typer.Option("block", "--list", help="block | allow"),
    licence: str = typer.Option(None, "--licence", help=N_("Giấy phép của danh sách, vd. CC0-1.0.")),
    interval_hours: int = typer.Option(
        None, "--interval-hours", help=N_("Chu kỳ cập nhật dự kiến (để cảnh báo khi quá hạn).")
    ),
) -> None:
    """Import or refresh a block/allow-list feed (upsert, keeps provenance)."""
    from kiemchung.scam.blocklist import FORMATS, parse_feed, read_source, update_feed
    from kiemchung.store import session_scope, upgrade

    if (url is None) == (file is None):
        _fail(_("Cần đúng một trong --url hoặc --file"))
    if fmt not in FORMATS or list_kind not in ("block", "allow"):
        _fail(
            _("Định dạng hoặc danh sách không hợp lệ (%(fmt)s, %(list_kind)s)", fmt=fmt, list_kind=list_kind)
        )
    try:
        body = read_source(url=url, path=file)
    except Exception as exc:
        _fail(_("Không đọc được nguồn: %(exc)s", exc=exc))
    parsed = parse_feed(body, fmt)
    upgrade()
    with session_scope() as s:
        rep = update_feed(
            s,
            feed,
            parsed,
            url=url,
            path=str(file) if file else None,
            list_kind=list_kind,
            licence=licence,
            interval_hours=interval_hours,
        )
    typer.echo(
        _(
            "%(feed)s (%(format)s): +%(added)s mới, %(kept)s giữ, %(reactivated)s kích hoạt lại, "
            "%(deactivated)s ngừng, %(rejected)s dòng lỗi",
            feed=feed,
            format=parsed.format,
            added=rep.added,
            kept=rep.refreshed,
            reactivated=rep.reactivated,
            deactivated=rep.deactivated,
            rejected=len(rep.rejected),
        )
    )
    for no, line, why in rep.rejected[:20]:
        typer.echo(_("dòng %(no)s: %(value)s — %(why)s", no=no, value=f"{line[:80]!r}", why=why), err=True)


@scam_app.command(help=N_("Liệt kê các nguồn cấp và nguồn gốc; cảnh báo nguồn cấp quá hạn."))
def feeds() -> None:
    """List feeds with provenance; warns about stale feeds."""
    from kiemchung.scam.blocklist import database_ready, feed_status
    from kiemchung.store import session_scope

    if not database_ready():
        _fail(_("Chưa có cơ sở dữ liệu — chạy `kiemchung scam seed`"))
    with session_scope() as s:
        rows = feed_status(s)
    if not rows:
        typer.echo(_("Chưa có nguồn cấp nào"))
    stale_any = False
    for f in rows:
        when = f.fetched_at.strftime("%d/%m/%Y %H:%M") if f.fetched_at else _("chưa bao giờ")
        flag = ""
        if f.stale:
            stale_any = True
            flag = _("⚠ QUÁ HẠN (> %(interval_hours)s h)", interval_hours=f.interval_hours)
        typer.echo(
            _(
                "%(name)s [%(list_kind)s, %(format)s] %(source)s · giấy phép %(licence)s · cập nhật %(when)s · "
                "%(active)s/%(total)s mục%(flag)s",
                name=f.name,
                list_kind=f.list_kind,
                format=f.format,
                source=f.source or "-",
                licence=f.licence or "-",
                when=when,
                active=_n(f.active_count),
                total=_n(f.entry_count),
                flag=flag,
            )
        )
    if stale_any:
        typer.echo(_("Có nguồn cấp quá hạn cập nhật"), err=True)


def _edit(add: bool, kind: str, value: str, list_kind: str, reason: str) -> None:
    from kiemchung.scam.blocklist import add_indicator, remove_indicator
    from kiemchung.store import session_scope, upgrade

    kinds = ("url", "domain", "phone", "bank_account", "ewallet", "social_page")
    if kind not in kinds:
        _fail(_("Loại không hợp lệ: %(kind)s (%(join)s)", kind=kind, join=", ".join(kinds)))
    upgrade()
    try:
        with session_scope() as s:
            if add:
                ind = add_indicator(s, kind, value, list_kind, reason)
                typer.echo(
                    _(
                        "Đã thêm %(kind)s %(value)s (%(list_kind)s)",
                        kind=kind,
                        value=ind.value,
                        list_kind=list_kind,
                    )
                )
            else:
                n = remove_indicator(s, kind, value, list_kind, reason)
                typer.echo(_("Đã gỡ %(n)s mục của %(kind)s %(value)s", n=n, kind=kind, value=value))
    except ValueError as exc:
        _fail(str(exc))


@scam_app.command(help=N_("Thêm một mục vào danh sách chặn hoặc danh sách tin cậy (có ghi nhật ký)."))
def add(
    kind: str = typer.Argument(..., help="url | domain | phone | bank_account | ewallet | social_page"),
    value: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help=N_("Lý do (ghi vào nhật ký).")),
    list_kind: str = typer.Option("block", "--list", help="block | allow"),
) -> None:
    """Add an indicator to the block- or allow-list (audited)."""
    _edit(True, kind, value, list_kind, reason)


@scam_app.command(help=N_("Gỡ một mục khỏi danh sách (có ghi nhật ký)."))
def remove(
    kind: str = typer.Argument(...),
    value: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help=N_("Lý do (ghi vào nhật ký).")),
    list_kind: str = typer.Option("block", "--list", help="block | allow"),
) -> None:
    """Deactivate an indicator (audited)."""
    _edit(False, kind, value, list_kind, reason)


if __name__ == "__main__":  # pragma: no cover
    scam_app()
    sys.exit(0)
