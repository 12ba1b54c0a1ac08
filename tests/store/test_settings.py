"""Settings come from CITYCERT_* variables; bad values and placeholder secrets fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from citycert.settings import DEV_SECRET_KEY, SettingsError, get_settings
from citycert.store.engine import Database


def test_defaults_use_a_sqlite_file_in_the_user_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CITYCERT_DATABASE_URL")
    monkeypatch.delenv("CITYCERT_ENVIRONMENT")

    s = get_settings()

    assert s.environment == "development"
    assert s.database_url == f"sqlite:///{tmp_path / 'xdg-data' / 'citycert' / 'citycert.sqlite3'}"
    assert (s.base_url, s.max_upload_bytes) == ("http://127.0.0.1:8000", 20 * 1024 * 1024)
    db = Database.from_url(s.database_url)  # the folder is created on demand
    try:
        with db.engine.connect():
            pass
        assert (tmp_path / "xdg-data" / "citycert").is_dir()
    finally:
        db.dispose()


def test_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYCERT_DATABASE_URL", "postgresql://u@db.example:5432/citycert")
    monkeypatch.setenv("CITYCERT_BASE_URL", "https://citycert.example/")
    monkeypatch.setenv("CITYCERT_MAX_UPLOAD_BYTES", "1048576")

    s = get_settings()

    assert s.database_url == "postgresql+psycopg://u@db.example:5432/citycert"
    assert s.base_url == "https://citycert.example"
    assert s.max_upload_bytes == 1_048_576


BAD = [
    ("CITYCERT_MAX_UPLOAD_BYTES", "twenty"),
    ("CITYCERT_MAX_UPLOAD_BYTES", "0"),
    ("CITYCERT_ENVIRONMENT", "staging"),
    ("CITYCERT_DATABASE_URL", "citycert.sqlite3"),
    ("CITYCERT_BASE_URL", "citycert.example"),
]


@pytest.mark.parametrize(("name", "value"), BAD)
def test_a_bad_value_fails_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(SettingsError) as err:
        get_settings()

    assert name in str(err.value)


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYCERT_ENVIRONMENT", "production")

    with pytest.raises(SettingsError) as err:
        get_settings()

    assert "CITYCERT_SECRET_KEY" in str(err.value)
    monkeypatch.setenv("CITYCERT_SECRET_KEY", "k" * 48)
    assert get_settings().secret_key == "k" * 48
    assert DEV_SECRET_KEY not in repr(get_settings(environment="development"))
