import json
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
