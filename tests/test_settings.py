from __future__ import annotations

import os
from pathlib import Path

import pytest

from taskstar.settings import DatabaseKind, Settings, SettingsError


def test_defaults_to_sqlite_in_the_data_directory(tmp_path: Path) -> None:
    settings = Settings.from_env({"TASKSTAR_DATA_DIR": str(tmp_path)})
    assert settings.database.kind is DatabaseKind.SQLITE
    assert settings.database.sqlite_path == tmp_path / "taskstar.db"
    assert settings.database.with_driver("aiosqlite") == f"sqlite+aiosqlite:///{tmp_path}/taskstar.db"
    # The generated key is kept: a restart keeps everyone signed in.
    assert Settings.from_env({"TASKSTAR_DATA_DIR": str(tmp_path)}).secret_key == settings.secret_key


def test_the_piccolo_path_defaults_to_a_database_of_its_own(tmp_path: Path) -> None:
    settings = Settings.from_env({"TASKSTAR_DATA_DIR": str(tmp_path), "TASKSTAR_PERSISTENCE": "piccolo"})
    assert settings.database.sqlite_path == tmp_path / "taskstar-piccolo.db"


def test_plain_postgres_urls_get_taskstars_driver() -> None:
    settings = Settings.from_env(
        {"TASKSTAR_DATABASE_URL": "postgres://app:s3cret@db:5432/tracker", "TASKSTAR_SECRET_KEY": "k" * 32}
    )
    assert settings.database.with_driver("asyncpg") == "postgresql+asyncpg://app:s3cret@db:5432/tracker"
    assert "s3cret" not in settings.database.redacted()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TASKSTAR_PERSISTENCE": "sqlalchemy"}, "choose one of"),
        ({"TASKSTAR_SECRET_KEY": "short"}, "at least 32"),
        ({"TASKSTAR_DATABASE_URL": "sqlite:///"}, "names a file"),
        ({"TASKSTAR_ACCESS_TOKEN_TTL": "-5"}, "at least 60"),
        ({"TASKSTAR_DB_POOL_SIZE": "many"}, "not a number"),
        ({"TASKSTAR_LOG_LEVEL": "chatty"}, "TASKSTAR_LOG_LEVEL"),
        ({"TASKSTAR_REDIS_URL": "http://cache"}, "redis://"),
    ],
)
def test_invalid_values_name_the_variable(env: dict[str, str], message: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"TASKSTAR_DATA_DIR": str(tmp_path), **env})


def test_an_unusable_data_directory_is_a_configuration_error_naming_it(tmp_path: Path) -> None:
    """Not a traceback from deep inside start-up: `taskstar` prints these in one line and exits 2."""
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    with pytest.raises(SettingsError, match=r"TASKSTAR_DATA_DIR: .*a-file is a file, not a directory"):
        Settings.from_env({"TASKSTAR_DATA_DIR": str(a_file)})
    read_only = tmp_path / "read-only"
    read_only.mkdir(mode=0o500)
    if os.geteuid() != 0:  # root writes anywhere; the parent-is-a-file case below holds for everyone
        with pytest.raises(SettingsError, match=r"TASKSTAR_DATA_DIR: .*cannot hold"):
            Settings.from_env({"TASKSTAR_DATA_DIR": str(read_only / "data")})
    with pytest.raises(SettingsError, match=r"TASKSTAR_DATA_DIR: .*cannot hold .*choose a writable directory"):
        Settings.from_env({"TASKSTAR_DATA_DIR": str(a_file / "data")})
    url = f"sqlite:///{a_file}/taskstar.db"
    with pytest.raises(
        SettingsError, match=r"TASKSTAR_DATABASE_URL: .*a-file is a file, not a directory for the SQLite"
    ):
        Settings.from_env({"TASKSTAR_DATABASE_URL": url, "TASKSTAR_SECRET_KEY": "k" * 40})
