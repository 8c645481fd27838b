"""The command line speaks one language per process: Vietnamese, or English when asked.

``KIEMCHUNG_DEFAULT_LANG=en`` (or an English locale with the setting unset) gives English help and
messages; otherwise everything is Vietnamese. No help text joins the two languages.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from kiemchung.cli import app
from kiemchung.clilang import cli_lang
from kiemchung.web.i18n import translate_in

VI_LETTERS = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)
ENGLISH = {"KIEMCHUNG_DEFAULT_LANG": "en", "COLUMNS": "200"}
VIETNAMESE = {"COLUMNS": "200"}


def _paths(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from _paths(sub, (*path, name))


PATHS = list(_paths(typer.main.get_command(app)))


def _flat(text: str) -> str:
    """The help as plain text: no panel borders, one space between words."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def _help_ids(path: tuple[str, ...]) -> list[str]:
    """The message ids of the help shown by ``kiemchung PATH --help``."""
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    texts = [command.help or ""]
    texts += [getattr(p, "help", None) or "" for p in command.params]
    texts += [c.help or "" for c in getattr(command, "commands", {}).values()]
    return [t for t in texts if t]


def test_there_is_a_command_tree() -> None:
    assert len(PATHS) > 25 and ("scam", "update") in PATHS and ("users", "add") in PATHS


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "kiemchung")
def test_help_is_in_one_language(path: tuple[str, ...]) -> None:
    runner = CliRunner()
    en = runner.invoke(app, [*path, "--help"], env=ENGLISH)
    vi = runner.invoke(app, [*path, "--help"], env=VIETNAMESE)
    assert en.exit_code == 0 and vi.exit_code == 0, en.output + vi.output
    assert not VI_LETTERS.search(en.output), en.output
    english, vietnamese = _flat(en.output), _flat(vi.output)
    for msgid in _help_ids(path):
        first_para = _flat(msgid.split("\n\n")[0])
        in_english = _flat(translate_in("en", msgid).split("\n\n")[0])
        assert in_english[:40] in english, (msgid, en.output)
        if in_english != first_para:
            assert first_para[:40] in vietnamese, (msgid, vi.output)
            assert in_english[:40] not in vietnamese, (msgid, vi.output)


def test_messages_follow_the_language() -> None:
    runner = CliRunner()
    vi = runner.invoke(app, ["backfill"], env=VIETNAMESE)
    en = runner.invoke(app, ["backfill"], env=ENGLISH)
    assert vi.exit_code == en.exit_code == 2
    assert "Lỗi: cần đúng một trong PATH hoặc --from-db" in vi.output and "Error" not in vi.output
    assert "Error: give exactly one of PATH or --from-db" in en.output and not VI_LETTERS.search(en.output)


def test_the_language_is_chosen_from_the_setting_then_the_locale() -> None:
    assert cli_lang({"KIEMCHUNG_DEFAULT_LANG": "en"}) == "en"
    assert cli_lang({"LC_ALL": "en_US.UTF-8", "LANG": "vi_VN.UTF-8"}) == "en"
    assert cli_lang({"LC_MESSAGES": "en_GB", "LANG": "vi_VN.UTF-8"}) == "en"
    assert cli_lang({"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}) == "vi"  # LC_ALL comes first
    assert cli_lang({"KIEMCHUNG_DEFAULT_LANG": "vi", "LANG": "en_US.UTF-8"}) == "vi"  # explicit wins
    assert cli_lang({}) == "vi"


def test_kiemchung_help_in_a_new_process_under_an_english_locale() -> None:
    """``kiemchung --help`` as people run it: the locale alone turns the help English."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "KIEMCHUNG_DEFAULT_LANG"))}
    env.update(LANG="en_US.UTF-8", COLUMNS="200", PYTHONIOENCODING="utf-8")
    cmd = [sys.executable, "-c", "from kiemchung.cli import app; app()", "--help"]
    en = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=True)
    assert "Ingest posts from a file or URL" in en.stdout and not VI_LETTERS.search(en.stdout)
    env["LANG"] = "C.UTF-8"
    vi = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=True)
    assert "Nhập bài đăng từ tệp hoặc URL" in vi.stdout and "Ingest posts" not in vi.stdout


def test_demo_help_names_the_configured_port_not_a_fixed_address() -> None:
    """``KIEMCHUNG_PORT=8100 make demo`` serves on 8100: the help must not promise 127.0.0.1:8000."""
    for lang in ("vi", "en"):
        texts = [translate_in(lang, t) for t in _help_ids(("demo",))]
        assert not any("127.0.0.1:8000" in t for t in texts), lang
        assert any("KIEMCHUNG_PORT" in t and "8000" in t for t in texts), lang
