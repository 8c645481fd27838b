"""Declared runtime dependencies are exactly what the runtime package imports.

Every top-level third-party import under src/kiemchung belongs to a distribution named in
``[project].dependencies`` (or, for the few training-only modules, in their extra), and every
declared runtime dependency is imported somewhere, unless it is used by name rather than import.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "kiemchung"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# Declared and needed, but loaded by name, not imported by our code.
USED_BY_NAME = {
    "psycopg": "SQLAlchemy loads it for postgresql+psycopg:// URLs",
    "python-multipart": "FastAPI parses form posts with it",
    "itsdangerous": "Starlette's SessionMiddleware signs the session cookie with it",
    "redis": "huey's and limits' Redis storages load it for redis:// URLs",
}
# Modules that run only on a cluster: their imports may come from an extra. (Fitting the matching
# model lives in bench/, so no runtime module needs the ``train`` extra.)
EXTRA_ONLY = {"kiemchung.engine.backfill": "scale"}


def _name(requirement: str) -> str:
    """Normalised distribution name of a requirement string.

    >>> _name("psycopg[binary]>=3.1"), _name("confusable_homoglyphs>=3.3"), _name("Jinja2")
    ('psycopg', 'confusable-homoglyphs', 'jinja2')
    """
    base = re.split(r"[\[<>=!~; ]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", base).lower()


def _imports() -> dict[str, set[str]]:
    """Top-level third-party import name -> modules importing it (including lazy imports)."""
    out: dict[str, set[str]] = {}
    for f in SRC.rglob("*.py"):
        module = ".".join(f.relative_to(SRC.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for n in names:
                top = n.split(".")[0]
                if top != "kiemchung" and top not in sys.stdlib_module_names:
                    out.setdefault(top, set()).add(module)
    return out


IMPORTS = _imports()
DISTRIBUTIONS = packages_distributions()
RUNTIME = {_name(r) for r in PYPROJECT["dependencies"]}
EXTRAS = {k: {_name(r) for r in v} for k, v in PYPROJECT["optional-dependencies"].items()}


def _dists(top: str) -> set[str]:
    return {_name(d) for d in DISTRIBUTIONS.get(top, [])}


def test_every_import_is_declared() -> None:
    missing = []
    for top, modules in sorted(IMPORTS.items()):
        dists = _dists(top)
        assert dists, f"{top} (imported by {sorted(modules)}) is not installed"
        if dists & RUNTIME:
            continue
        extras = {EXTRA_ONLY.get(m) for m in modules}
        if None in extras or not all(dists & EXTRAS.get(e or "", set()) for e in extras):
            missing.append(f"{top} ({'/'.join(sorted(dists))}) imported by {sorted(modules)}")
    assert missing == []


def test_every_extra_only_module_needs_its_extra() -> None:
    # A module exempted from the runtime dependencies must import something only its extra provides.
    stale = [
        module
        for module, extra in EXTRA_ONLY.items()
        if not any(
            module in modules and _dists(top) & EXTRAS[extra] and not _dists(top) & RUNTIME
            for top, modules in IMPORTS.items()
        )
    ]
    assert stale == []


def test_every_runtime_dependency_is_imported() -> None:
    imported = {d for top in IMPORTS for d in _dists(top)}
    unused = sorted(RUNTIME - imported - set(USED_BY_NAME))
    assert unused == []


def test_training_tools_are_an_extra_not_a_runtime_dependency() -> None:
    assert "scikit-learn" in EXTRAS["train"]
    assert "scikit-learn" not in RUNTIME


def test_ray_is_the_optional_scale_extra() -> None:
    assert "ray" in EXTRAS["scale"]
    assert "ray" not in RUNTIME
