"""Extract the message ids of the code and templates with Babel and keep both catalogues in step.

    python -m kiemchung.web.catalogue          # after adding or changing a string: update both .po
    python -m kiemchung.web.catalogue --check  # exit 1 when an id lacks its English (CI, tests)

The extraction rules are those of ``babel.cfg`` (``pybabel extract -F babel.cfg`` finds the same
ids): Python calls of ``_``, ``N_``, ``lazy_gettext``, ``gettext``, ``ngettext`` and the same calls in
Jinja templates. Bundled data files whose texts are shown to people hold Vietnamese message ids too;
``DATA_MESSAGES`` says where they are (Babel does not read JSON). The Vietnamese catalogue lists every id with an empty translation (the id is the
Vietnamese); the English one keeps its translations, gains the new ids (empty, to be filled) and
drops the ids no longer used.

    >>> ids = extract(Path(__file__).resolve().parents[3])
    >>> "Trang chủ" in ids
    True
"""

from __future__ import annotations

import argparse
import ast
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from kiemchung.web.i18n import DOMAIN, LANGS, LOCALE_DIR

KEYWORDS = {
    "_": None,
    "N_": None,
    "lazy_gettext": None,
    "gettext": None,
    "ngettext": (1, 2),
}
METHOD_MAP = [
    ("**/migrations/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
]
OPTIONS_MAP = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true"}}

MsgId = str | tuple[str, str]

# Data files (relative to src/kiemchung) and the key path of their message ids ("*": every item)
DATA_MESSAGES: dict[str, tuple[str, ...]] = {
    "scam/data/wordlists.json": ("keywords", "groups", "*", "reason"),
}


def _key(msgid: MsgId, context: str | None) -> tuple[str | None, MsgId]:
    return context, msgid


def extract(root: Path) -> dict[MsgId, list[tuple[str, int]]]:
    """Every message id under ``root/src/kiemchung`` with where it is used (file, line)."""
    src = root / "src" / "kiemchung"
    out: dict[MsgId, list[tuple[str, int]]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(src), METHOD_MAP, OPTIONS_MAP, keywords=KEYWORDS, strip_comment_tags=True
    ):
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        msgid: MsgId = (message[0], message[1]) if isinstance(message, tuple) else message
        if context:
            msgid = f"{context}\x04{msgid}" if isinstance(msgid, str) else msgid
        out.setdefault(msgid, []).append((filename, lineno))
    for filename, lineno, msgid in _inside_fstrings(src):
        out.setdefault(msgid, []).append((filename, lineno))
    for filename, lineno, msgid in _in_data_files(src):
        out.setdefault(msgid, []).append((filename, lineno))
    return out


def _in_data_files(src: Path) -> list[tuple[str, int, MsgId]]:
    """The message ids of the data files of ``DATA_MESSAGES``, with the line they are on.

    >>> any(f == "scam/data/wordlists.json" for f, _line, _id in _in_data_files(Path(__file__).parents[1]))
    True
    """
    found: list[tuple[str, int, MsgId]] = []
    for rel, keys in DATA_MESSAGES.items():
        text = (src / rel).read_text("utf-8")
        lines = text.splitlines()
        values: list[object] = [json.loads(text)]
        for key in keys:
            if key == "*":
                values = [v for value in values if isinstance(value, list) for v in value]
            else:
                values = [value[key] for value in values if isinstance(value, dict) and key in value]
        for value in values:
            if isinstance(value, str) and value:
                needle = json.dumps(value, ensure_ascii=False)
                lineno = next((i for i, line in enumerate(lines, 1) if needle in line), 1)
                found.append((rel, lineno, value))
    return found


def _inside_fstrings(src: Path) -> list[tuple[str, int, MsgId]]:
    """Calls inside f-string fields, which Babel's extractor does not see on Python 3.11.

    ``f"# {_('Báo cáo thống kê')} — {n}"`` is fine to write; its id is found here.
    """
    found: list[tuple[str, int, MsgId]] = []
    for path in sorted(src.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text("utf-8")
        if "{_(" not in text and "{N_(" not in text and "ngettext(" not in text:
            continue
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.JoinedStr):
                continue
            for field in node.values:
                for call in ast.walk(field):
                    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
                        continue
                    args = [
                        a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                    ]
                    rel = path.relative_to(src).as_posix()
                    if call.func.id in ("_", "N_", "gettext", "lazy_gettext") and args:
                        found.append((rel, call.lineno, args[0]))
                    elif call.func.id == "ngettext" and len(args) >= 2:
                        found.append((rel, call.lineno, (args[0], args[1])))
    return found


def po_path(lang: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(lang: str, locale_dir: Path = LOCALE_DIR) -> Catalog:
    path = po_path(lang, locale_dir)
    if not path.is_file():
        return Catalog(locale=lang, domain=DOMAIN)
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def _msgid_str(msgid: MsgId) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


def missing(ids: Iterable[MsgId], catalogues: Mapping[str, Catalog] | None = None) -> dict[str, list[str]]:
    """Per language, the ids absent from its catalogue (for English: or without a translation)."""
    cats = dict(catalogues) if catalogues else {lang: load(lang) for lang in LANGS}
    out: dict[str, list[str]] = {}
    for lang, cat in cats.items():
        gone = []
        for msgid in ids:
            msg = cat.get(_msgid_str(msgid))
            if msg is None or msg.fuzzy:
                gone.append(_msgid_str(msgid))
            elif lang != "vi":
                strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
                if not all(strings):
                    gone.append(_msgid_str(msgid))
        out[lang] = gone
    return out


def update(root: Path, extra_en: Mapping[str, str | list[str]] | None = None) -> list[str]:
    """Rewrite both catalogues from the code's ids; return the ids that still lack English."""
    ids = extract(root)
    locale_dir = root / "src" / "kiemchung" / "locale"
    lacking: list[str] = []
    for lang in LANGS:
        old = load(lang, locale_dir)
        new = Catalog(
            locale=lang,
            domain=DOMAIN,
            project="kiemchung",
            msgid_bugs_address="",
            copyright_holder="kiemchung",
            fuzzy=False,
            # unchanged dates keep a re-run without new strings from touching the files
            creation_date=old.creation_date,
            revision_date=old.revision_date,
            last_translator="kiemchung",
            language_team=lang,
            version=None,
        )
        for msgid in sorted(ids, key=_msgid_str):
            key = _msgid_str(msgid)
            prev = old.get(key)
            string: str | tuple[str, ...]
            plural = isinstance(msgid, tuple)
            if lang == "vi":
                string = ("",) if plural else ""
            elif (
                prev is not None
                and not prev.fuzzy
                and (all(prev.string) if isinstance(prev.string, tuple) else prev.string)
            ):
                string = tuple(prev.string) if isinstance(prev.string, tuple | list) else str(prev.string)
            else:
                found = (extra_en or {}).get(key)
                if plural:
                    string = tuple(found) if isinstance(found, list) else ("", "")
                else:
                    string = found if isinstance(found, str) else ""
            files = sorted({Path(f).as_posix() for f, _line in ids[msgid]})
            new.add(msgid, string, locations=[(f, None) for f in files])  # type: ignore[misc]
            if lang != "vi" and not (all(string) if isinstance(string, tuple) else string):
                lacking.append(key)
        path = po_path(lang, locale_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, new, width=100, include_lineno=False, omit_header=False, sort_output=True)
    return lacking


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Update or check the gettext catalogues.")
    parser.add_argument("--check", action="store_true", help="only report missing ids, change nothing")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[3])
    args = parser.parse_args(argv)
    if args.check:
        gaps = missing(extract(args.root))
        for lang, ids in gaps.items():
            for msgid in ids:
                print(f"{lang}: {msgid!r}")
        return 1 if any(gaps.values()) else 0
    for msgid in update(args.root):
        print(f"en: no translation yet: {msgid!r}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
