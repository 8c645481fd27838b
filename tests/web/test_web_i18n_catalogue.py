"""One translation mechanism: every message id is in both catalogues, no "vi / en" strings remain.

The ids are extracted with Babel from the Python code and the Jinja templates exactly as
``python -m kiemchung.web.catalogue`` does; a new ``_("...")`` without its English fails here
with the id and the file it is used in.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment

from kiemchung.web import catalogue
from kiemchung.web.i18n import LANGS, Message, lazy_gettext, translate_in, translations, use_lang

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "kiemchung"
VI_LETTERS = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)


def bilingual(text: str) -> bool:
    """A Vietnamese phrase joined to an English one with " / " (data lists and "RSS / Atom" are not).

    >>> bilingual("Đã lưu bản nháp / Draft saved"), bilingual("RSS / Atom"), bilingual("tỉnh / thành phố")
    (True, False, False)
    >>> bilingual("Khoảng thời gian / period: 7, 30 hoặc/or 90")
    True
    """
    parts = text.split(" / ")
    for left, right in itertools.pairwise(parts):
        first = re.findall(r"[^\W\d_]+", right)[:1]
        if VI_LETTERS.search(left[-30:]) and first and len(first[0]) > 2 and not VI_LETTERS.search(first[0]):
            return True
    return False


def python_strings(path: Path) -> list[tuple[int, str]]:
    """String literals (f-string parts joined) of a module, docstrings left out."""
    tree = ast.parse(path.read_text("utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    out = []
    for node in ast.walk(tree):
        if id(node) in docs:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            out.append((node.lineno, str(text)))
    return out


def template_strings(path: Path) -> list[tuple[int, str]]:
    """The text and the string literals of a template, as Jinja's lexer sees them."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    return [
        (lineno, value)
        for lineno, kind, value in env.lex(path.read_text("utf-8"))
        if kind in ("data", "string")
    ]


@pytest.fixture(scope="module")
def ids() -> dict[object, list[tuple[str, int]]]:
    return catalogue.extract(ROOT)


def test_every_message_id_is_in_both_catalogues(ids: dict[object, list[tuple[str, int]]]) -> None:
    assert len(ids) > 500  # the extraction really ran over the code and the templates
    gaps = catalogue.missing(ids)
    where = {(m[0] if isinstance(m, tuple) else m): ids[m][0] for m in ids}
    report = [f"{lang}: {msgid!r} ({where[msgid][0]})" for lang, gone in gaps.items() for msgid in gone]
    assert not report, "missing translations (run python -m kiemchung.web.catalogue):\n" + "\n".join(report)


def test_translations_keep_the_placeholders(ids: dict[object, list[tuple[str, int]]]) -> None:
    """An English text may drop a parameter but never ask for one the code does not pass."""
    en = translations("en")
    bad = []
    for msgid in ids:
        if isinstance(msgid, tuple):
            continue
        wanted = set(re.findall(r"%\((\w+)\)", en.gettext(msgid)))
        given = set(re.findall(r"%\((\w+)\)", msgid))
        if wanted - given and not _passes_extra(msgid, wanted - given, ids[msgid]):
            bad.append(f"{msgid!r}: {sorted(wanted - given)}")
    assert not bad, "\n".join(bad)


def _passes_extra(msgid: str, names: set[str], where: list[tuple[str, int]]) -> bool:
    """The call passes the extra parameters (``_("Của %(label)s", label=..., name=...)``)."""
    for filename, lineno in where:
        lines = (SRC / filename).read_text("utf-8").splitlines()
        call = "\n".join(lines[max(0, lineno - 2) : lineno + 12])
        if all(re.search(rf"\b{n}=", call) for n in names):
            return True
    return False


def test_no_bilingual_string_joined_with_a_slash() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        found += [
            f"{path.relative_to(ROOT)}:{n}: {s[:80]!r}" for n, s in python_strings(path) if bilingual(s)
        ]
    for path in sorted(SRC.rglob("*.html")):
        found += [
            f"{path.relative_to(ROOT)}:{n}: {s[:80]!r}" for n, s in template_strings(path) if bilingual(s)
        ]
    assert not found, "write one message id, translated in the catalogues:\n" + "\n".join(found)


def _json_strings(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _json_strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value


def test_no_bilingual_text_in_the_data_files() -> None:
    """Data shown to people holds the Vietnamese (a message id); the English is in the catalogue."""
    found = []
    for path in sorted(SRC.glob("**/data/*.json")):
        for where, text in _json_strings(json.loads(path.read_text("utf-8"))):
            if bilingual(text):
                found.append(f"{path.relative_to(ROOT)}{where}: {text[:80]!r}")
    for path in sorted(SRC.glob("**/data/*.jsonl")):
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            for where, text in _json_strings(json.loads(line) if line.strip() else None):
                if bilingual(text):
                    found.append(f"{path.relative_to(ROOT)}:{n}{where}: {text[:80]!r}")
    assert not found, "\n".join(found)


def test_no_bilingual_command_line_help() -> None:
    """Every help text of the ``kiemchung`` command tree is one message id, in one language."""
    import typer

    from kiemchung.cli import app

    def texts(command: Any, path: str) -> Iterator[tuple[str, str]]:
        yield path, command.help or ""
        for param in command.params:
            yield f"{path} {param.name}", getattr(param, "help", None) or ""
        for name, sub in getattr(command, "commands", {}).items():
            yield from texts(sub, f"{path} {name}")

    found = [
        f"{where}: {text!r}"
        for where, text in texts(typer.main.get_command(app), "kiemchung")
        if bilingual(text)
    ]
    assert not found, "\n".join(found)


def test_data_file_messages_are_extracted(ids: dict[object, list[tuple[str, int]]]) -> None:
    """The reasons of the scam word lists are message ids, with their English in the catalogue."""
    reasons = {
        g["reason"]
        for g in json.loads((SRC / "scam/data/wordlists.json").read_text("utf-8"))["keywords"]["groups"]
    }
    assert reasons and reasons <= set(ids)
    assert translate_in("en", "cờ bạc") == "gambling"


def test_the_old_mechanisms_are_gone() -> None:
    old = []
    for path in sorted(SRC.rglob("*.html")):
        text = path.read_text("utf-8")
        old += [f"{path.relative_to(ROOT)}: t(...)" for _m in re.finditer(r"(?<![\w.])t\(\s*['\"]", text)]
        old += [
            f"{path.relative_to(ROOT)}: key {m.group(1)!r}"
            for m in re.finditer(r"(?<![\w.])_\(\s*'([a-z0-9_]+\.[a-z0-9_.]+)'", text)
        ]
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text("utf-8")
        if re.search(r"from kiemchung\.web\.i18n import [^\n]*\b(register|translate)\b", text):
            old.append(f"{path.relative_to(ROOT)}: register()/translate()")
    assert not old, "\n".join(old)


def test_templates_translate_only_literals() -> None:
    """``_(variable)`` in a template returns Markup (not escaped): a variable goes through label()."""
    calls = []
    for path in sorted(SRC.rglob("*.html")):
        for m in re.finditer(r"(?<![\w.])(_|ngettext)\(\s*([^'\"\s])", path.read_text("utf-8")):
            calls.append(f"{path.relative_to(ROOT)}: {m.group(0)}")
    assert not calls, "\n".join(calls)


@pytest.mark.parametrize("lang", LANGS)
def test_both_catalogues_load(lang: str) -> None:
    assert translations(lang).gettext("Trang chủ") == {"vi": "Trang chủ", "en": "Home"}[lang]


def test_plural_forms_follow_each_language() -> None:
    from kiemchung.web.i18n import ngettext

    with use_lang("en"):
        assert [ngettext("%(num)s bài", "%(num)s bài", n) for n in (1, 2)] == [
            "1 fact-check",
            "2 fact-checks",
        ]
    with use_lang("vi"):
        assert [ngettext("%(num)s bài", "%(num)s bài", n) for n in (1, 2)] == ["1 bài", "2 bài"]


def test_lazy_message_reads_as_vietnamese_and_translates_later() -> None:
    reason = lazy_gettext("Đuôi tên miền .%(tld)s thường bị dùng cho trang lừa đảo", tld="xyz")
    assert isinstance(reason, str) and reason.startswith("Đuôi tên miền .xyz")
    joined = Message.concat("Tên miền a.xyz: ", reason)
    assert translate_in("en", joined) == "Tên miền a.xyz: The .xyz ending is widely abused by scam sites"
    assert translate_in("vi", joined) == str(joined)
