import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kiemchung.scam.cli import scam_app

DEV = Path(__file__).parents[2] / ".." / "shared" / "eval" / "scam" / "dev.jsonl"
runner = CliRunner()


def test_classify_without_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiemchung.settings import get_settings

    monkeypatch.setenv("KIEMCHUNG_DATA_DIR", str(tmp_path / "nothing-here"))
    monkeypatch.delenv("KIEMCHUNG_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    src = tmp_path / "in.txt"
    src.write_text("vietcombank.com.vn\nhttps://vietcombank-hotro.com/login\n\n0000a.net\nquanphohanoi.com\n")
    out = tmp_path / "out.jsonl"
    res = runner.invoke(scam_app, ["classify", "--input", str(src), "--output", str(out)])
    get_settings.cache_clear()
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["input"] for r in rows] == [
        "vietcombank.com.vn",
        "https://vietcombank-hotro.com/login",
        "0000a.net",
        "quanphohanoi.com",
    ]
    assert [r["verdict"] for r in rows] == ["ok", "scam", "scam", "unknown"]
    assert all(set(r) == {"input", "verdict", "score", "reasons"} and 0 <= r["score"] <= 1 for r in rows)
    assert not (tmp_path / "nothing-here").exists()  # no database was created


def test_update_feeds_add_remove_cli(configured: str, tmp_path: Path) -> None:
    lst = tmp_path / "hosts.txt"
    lst.write_text("0.0.0.0 bad-one.xyz\n0.0.0.0 bad-two.xyz\n")
    res = runner.invoke(
        scam_app,
        ["update", "--feed", "local", "--file", str(lst), "--licence", "CC0-1.0", "--interval-hours", "1"],
    )
    assert res.exit_code == 0, res.output
    assert "+2" in res.output
    res = runner.invoke(scam_app, ["feeds"])
    assert res.exit_code == 0 and "local [block, hosts]" in res.output and "CC0-1.0" in res.output
    res = runner.invoke(scam_app, ["add", "domain", "new-scam.top", "--reason", "tin báo"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(scam_app, ["check", "new-scam.top"])
    assert json.loads(res.output)["provenance"][0]["feed"] == "Bàn biên tập"
    res = runner.invoke(scam_app, ["remove", "domain", "bad-one.xyz", "--reason", "nhầm"])
    assert res.exit_code == 0 and "1" in res.output
    assert runner.invoke(scam_app, ["update", "--feed", "x"]).exit_code == 1


@pytest.mark.skipif(not DEV.exists(), reason="evaluation data not available")
def test_evaluate_on_dev_set_meets_goals() -> None:
    from kiemchung.scam.evaluate import evaluate, read_labelled

    m = evaluate(read_labelled(DEV))
    assert m.detection >= 0.90
    assert m.novel_detection >= 0.60
    assert m.false_positive_rate <= 0.01


def test_check_prints_the_json_result() -> None:
    res = runner.invoke(scam_app, ["check", "vietcombank.com.vn"])
    assert res.exit_code == 0
    assert json.loads(res.output)["verdict"] == "ok"


def test_classify_unreadable_input_fails_cleanly(tmp_path: Path) -> None:
    res = runner.invoke(
        scam_app,
        ["classify", "--input", str(tmp_path / "missing.txt"), "--output", str(tmp_path / "o.jsonl")],
    )
    assert res.exit_code == 1 and "Không đọc được tệp" in res.output


def test_evaluate_prints_rates_by_reason_and_examples(tmp_path: Path) -> None:
    # Our own labelled sample: an official site, an unlisted honest shop, and three lures.
    dev = tmp_path / "labelled.jsonl"
    rows = [
        ("vietcombank.com.vn", "legit"),
        ("quanphohanoi.com", "legit"),
        ("vietcombank-hotro.com", "scam"),
        ("nhacaiuytin88.com", "scam"),
        ("tiemhoatuoi.com", "scam"),  # looks harmless: a miss
    ]
    dev.write_text("".join(json.dumps({"domain": d, "label": lab}) + "\n" for d, lab in rows))
    res = runner.invoke(scam_app, ["evaluate", "--dev", str(dev), "--show", "3"])
    assert res.exit_code == 0, res.output
    assert "Tên miền lừa đảo: 3; hợp lệ: 2" in res.output
    assert "Phát hiện: 66,7 % (2/3)" in res.output
    assert "Báo nhầm: 0,0 % (0/2)" in res.output
    assert "MISS tiemhoatuoi.com" in res.output and "Theo lý do" in res.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    assert runner.invoke(scam_app, ["evaluate", "--dev", str(bad)]).exit_code == 1


def test_seed_loads_registry_and_bundled_blocklist(configured: str) -> None:
    res = runner.invoke(scam_app, ["seed"])
    assert res.exit_code == 0, res.output
    added = re.search(r"Danh bạ chính thức: \+(\d+) .*chongluadao: \+(\d+), tổng (\d+)", res.output)
    assert added is not None and int(added[1]) > 200 and int(added[2]) == int(added[3]) > 24_000
    again = runner.invoke(scam_app, ["seed"])
    assert again.exit_code == 0 and "Danh bạ chính thức: +0" in again.output


def test_feeds_need_a_database_and_flag_stale_ones(configured: str, tmp_path: Path) -> None:
    from datetime import timedelta

    from sqlalchemy import update as sql_update

    from kiemchung.settings import get_settings
    from kiemchung.store import models, session_scope

    with pytest.MonkeyPatch.context() as mp:  # a data directory without a database
        mp.setenv("KIEMCHUNG_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
        get_settings.cache_clear()
        nodb = runner.invoke(scam_app, ["feeds"])
    get_settings.cache_clear()
    assert nodb.exit_code == 1 and "kiemchung scam seed" in nodb.output
    lst = tmp_path / "list.txt"
    lst.write_text("lua-dao-mau.xyz\n")
    assert (
        runner.invoke(
            scam_app, ["update", "--feed", "mau", "--file", str(lst), "--interval-hours", "2"]
        ).exit_code
        == 0
    )
    with session_scope() as s:
        s.execute(sql_update(models.Feed).values(fetched_at=models.utcnow() - timedelta(hours=3)))
    res = runner.invoke(scam_app, ["feeds"])
    assert (
        res.exit_code == 0
        and "QUÁ HẠN (> 2 h)" in res.output
        and "Có nguồn cấp quá hạn cập nhật" in res.output
    )


def test_update_rejects_bad_options_and_unreadable_sources(configured: str, tmp_path: Path) -> None:
    lst = tmp_path / "list.txt"
    lst.write_text("lua-dao-mau.xyz\n")
    res = runner.invoke(scam_app, ["update", "--feed", "f", "--file", str(lst), "--format", "csv"])
    assert res.exit_code == 1 and "Định dạng hoặc danh sách không hợp lệ" in res.output
    res = runner.invoke(scam_app, ["update", "--feed", "f", "--file", str(lst), "--list", "grey"])
    assert res.exit_code == 1
    res = runner.invoke(scam_app, ["update", "--feed", "f", "--url", "http://127.0.0.1:9/list.txt"])
    assert res.exit_code == 1 and "bị từ chối" in res.output  # a local address is not fetched
    res = runner.invoke(scam_app, ["add", "email", "a@b.vn", "--reason", "thử"])
    assert res.exit_code == 1 and "Loại không hợp lệ" in res.output
    res = runner.invoke(scam_app, ["add", "domain", "khong hop le", "--reason", "thử"])
    assert res.exit_code == 1


def test_update_lists_rejected_lines(configured: str, tmp_path: Path) -> None:
    lst = tmp_path / "urls.txt"
    lst.write_text("https://lua-dao-mau.xyz/nhan-qua\nkhông phải url\n")
    res = runner.invoke(scam_app, ["update", "--feed", "u", "--file", str(lst), "--format", "urls"])
    assert res.exit_code == 0, res.output
    assert "1 dòng lỗi" in res.output and "dòng 2" in res.output
