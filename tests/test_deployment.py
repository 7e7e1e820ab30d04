"""Taskstar as an operator meets it: the CLI, configuration errors, migrations and their drift check."""

from __future__ import annotations

import asyncio
import re
import stat
from pathlib import Path

import anyio
import asyncpg
import httpx
import pytest

from tests.support.deployment import Deployment
from tests.support.server import Server, taskstar
from tests.support.targets import ScratchDatabase


def test_migrations_match_the_models(deployment: Deployment) -> None:
    check = taskstar("database", "check", env=deployment.env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_the_drift_check_fails_when_schema_and_models_differ(tmp_path: Path) -> None:
    for kind in ("sqlite", "postgresql"):
        database = ScratchDatabase.create(kind, tmp_path)
        env = {
            "TASKSTAR_DATABASE_URL": database.url,
            "TASKSTAR_SECRET_KEY": "k" * 40,
            "TASKSTAR_DATA_DIR": str(tmp_path),
        }
        try:
            assert taskstar("database", "upgrade", env=env).returncode == 0
            _drop_index(database, "ix_membership_user_workspace")
            check = taskstar("database", "check", env=env)
            assert check.returncode != 0, (kind, check.stdout)
            assert "ix_membership_user_workspace" in check.stdout + check.stderr
        finally:
            database.drop()
            Path(tmp_path / "taskstar.db").unlink(missing_ok=True)


def test_the_piccolo_check_fails_when_tables_and_migrations_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    from piccolo.columns import Varchar
    from piccolo.table import Table

    from taskstar.piccolo import schema
    from taskstar.piccolo.piccolo_app import APP_CONFIG

    class Label(Table):
        name = Varchar(length=40)

    assert anyio.run(schema.drift) == []
    monkeypatch.setattr(APP_CONFIG, "table_classes", [*APP_CONFIG.table_classes, Label])
    drift = anyio.run(schema.drift)
    assert any("Label" in statement for statement in drift), drift


def test_the_piccolo_check_fails_on_a_database_behind_the_migrations(tmp_path: Path) -> None:
    for kind in ("sqlite", "postgresql"):
        database = ScratchDatabase.create(kind, tmp_path)
        env = {
            "TASKSTAR_PERSISTENCE": "piccolo",
            "TASKSTAR_DATABASE_URL": database.url,
            "TASKSTAR_SECRET_KEY": "k" * 40,
            "TASKSTAR_DATA_DIR": str(tmp_path),
        }
        try:
            behind = taskstar("database", "check", env=env)
            assert behind.returncode == 1, (kind, behind.stdout + behind.stderr)
            assert "lacks migrations" in behind.stdout
            assert taskstar("database", "upgrade", "--no-prompt", env=env).returncode == 0
            assert taskstar("database", "check", env=env).returncode == 0
        finally:
            database.drop()
            Path(tmp_path / "taskstar.db").unlink(missing_ok=True)


def test_piccolo_refuses_a_database_the_sqlalchemy_paths_set_up(tmp_path: Path) -> None:
    env = {
        "TASKSTAR_DATABASE_URL": f"sqlite:///{tmp_path / 'taskstar.db'}",
        "TASKSTAR_SECRET_KEY": "k" * 40,
        "TASKSTAR_DATA_DIR": str(tmp_path),
    }
    assert taskstar("database", "upgrade", "--no-prompt", env=env).returncode == 0
    refused = taskstar("database", "upgrade", "--no-prompt", env={**env, "TASKSTAR_PERSISTENCE": "piccolo"})
    assert refused.returncode == 1
    words = " ".join(re.findall(r"[\w.']+", refused.stderr))  # the CLI boxes and wraps its errors
    assert "point TASKSTAR_DATABASE_URL at a new database" in words
    assert "Traceback" not in refused.stderr


def _drop_index(database: ScratchDatabase, index: str) -> None:
    if database.name is None:
        import sqlite3

        with sqlite3.connect(database.url.removeprefix("sqlite:///")) as connection:
            connection.execute(f"DROP INDEX {index}")
        return

    async def drop() -> None:
        connection = await asyncpg.connect(database.url)
        await connection.execute(f"DROP INDEX {index}")
        await connection.close()

    asyncio.run(drop())


def test_run_on_the_embedded_default_sets_itself_up(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    server = Server(
        {"TASKSTAR_DATA_DIR": str(data_dir), "TASKSTAR_DATABASE_URL": "", "TASKSTAR_SECRET_KEY": ""},
        tmp_path / "server.log",
    )
    try:
        server.wait_until_healthy()
        created = httpx.post(
            f"{server.url}/api/auth/register",
            json={"email": "first@example.com", "password": "password123", "name": "First"},
        )
        assert created.status_code == 201, created.text
    finally:
        server.stop()
    assert (data_dir / "taskstar.db").exists()
    key_file = data_dir / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text()) >= 32


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TASKSTAR_PERSISTENCE": "mongo"}, "choose one of: sqlalchemy-async"),
        (
            {"TASKSTAR_DATABASE_URL": "postgresql://u@127.0.0.1/db", "TASKSTAR_SECRET_KEY": ""},
            "TASKSTAR_SECRET_KEY",
        ),
        ({"TASKSTAR_DATABASE_URL": "mysql://u@h/db"}, "sqlite:///path or postgresql://"),
        ({"TASKSTAR_AUTH_RATE_LIMIT": "lots"}, "TASKSTAR_AUTH_RATE_LIMIT"),
    ],
)
def test_bad_configuration_stops_start_up_with_a_clear_message(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    result = taskstar("run", env={"TASKSTAR_DATA_DIR": str(tmp_path), **env}, timeout=30)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
