"""Settings: every field described and documented; production refuses an unsafe secret."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiemchung.settings import DEFAULT_SECRET, InsecureSettingsError, Settings

DOC = Path(__file__).parents[1] / "docs" / "settings.md"


def documented() -> set[str]:
    return set(
        re.findall(r"^\|\s*`KIEMCHUNG_([A-Z0-9_]+)`\s*\|", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    )


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_field_has_a_description_and_a_row_in_the_docs(name: str) -> None:
    field = Settings.model_fields[name]
    assert field.description and len(field.description) > 10, f"{name} has no description"
    assert name.upper() in documented(), f"KIEMCHUNG_{name.upper()} is missing from docs/settings.md"


def test_docs_list_no_settings_that_do_not_exist() -> None:
    assert documented() <= {n.upper() for n in Settings.model_fields}


def test_production_with_default_secret_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIEMCHUNG_ENV", "production")
    monkeypatch.delenv("KIEMCHUNG_SECRET_KEY", raising=False)
    with pytest.raises(InsecureSettingsError):
        Settings(_env_file=None)  # type: ignore[call-arg]
    with pytest.raises(InsecureSettingsError):
        Settings(_env_file=None, secret_key="short")  # type: ignore[call-arg]
    ok = Settings(_env_file=None, secret_key="x" * 32)  # type: ignore[call-arg]
    assert ok.env == "production" and ok.secure_cookies


def test_development_tolerates_the_default_secret_and_reads_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KIEMCHUNG_ENV", "development")
    monkeypatch.setenv("KIEMCHUNG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIEMCHUNG_INTAKE_TOKEN", "abc")
    monkeypatch.delenv("KIEMCHUNG_DATABASE_URL", raising=False)
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.secret_key == DEFAULT_SECRET and s.intake_token == "abc"
    assert s.resolved_database_url == f"sqlite:///{tmp_path.as_posix()}/kiemchung.db" and s.is_sqlite
    assert s.resolved_index_dir == tmp_path / "index"
