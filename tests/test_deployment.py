"""Taskstar as an operator meets it: the CLI, configuration errors, migrations and their drift check."""

from __future__ import annotations

import asyncio
import re
import socket
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


@pytest.mark.parametrize("persistence", ["sqlalchemy-async", "piccolo"])
def test_run_on_the_embedded_default_sets_itself_up(persistence: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    server = Server(
        {
            "TASKSTAR_DATA_DIR": str(data_dir),
            "TASKSTAR_DATABASE_URL": "",
            "TASKSTAR_SECRET_KEY": "",
            "TASKSTAR_PERSISTENCE": persistence,
            "TASKSTAR_LOG_LEVEL": "INFO",
        },
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
    database = data_dir / ("taskstar-piccolo.db" if persistence == "piccolo" else "taskstar.db")
    assert database.exists()
    key_file = data_dir / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text()) >= 32
    # It says where it serves, where the data and the key went; the libraries' chatter is gone.
    log = server.output()
    assert f"API docs: {server.url}/schema/swagger" in log, log
    assert f"SQLite {database.resolve()}" in log and f"signing key: in {key_file.resolve()}" in log, log
    assert "migrated the database" in log or "applied migrations" in log, log
    chatter = ("Context impl", "Will assume non-transactional DDL", "Running upgrade", "Running SQLite version")
    assert not [line for line in log.splitlines() if any(noise in line for noise in chatter)], log


def test_the_database_commands_are_the_same_on_every_path(deployment: Deployment) -> None:
    """``current`` and ``history`` exist on every path and name the newest migration."""
    if deployment.target.persistence == "piccolo":
        from taskstar.piccolo import schema

        head = schema.migration_ids()[-1]
    else:
        from taskstar.sqlalchemy.schema import head_revision

        head = head_revision()
    current = taskstar("database", "current", env=deployment.env)
    assert current.returncode == 0, current.stdout + current.stderr
    assert head in current.stdout + current.stderr
    history = taskstar("database", "history", env=deployment.env)
    assert history.returncode == 0, history.stdout + history.stderr
    assert head in history.stdout + history.stderr


def test_a_port_in_use_is_refused_in_one_line_naming_the_port_option(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"TASKSTAR_DATA_DIR": str(tmp_path), "TASKSTAR_DATABASE_URL": "", "TASKSTAR_SECRET_KEY": ""}
        result = taskstar("run", "--host", "127.0.0.1", "--port", str(port), env=env, timeout=60)
    assert result.returncode == 2
    line = f"taskstar: cannot listen on 127.0.0.1:{port}: the port is in use; choose another with --port"
    assert result.stderr.strip() == line, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "startup complete" not in result.stderr + result.stdout


def test_taskstar_help_describes_taskstars_commands(tmp_path: Path) -> None:
    result = taskstar("--help", env={"TASKSTAR_DATA_DIR": str(tmp_path)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Taskstar: a self-hostable task tracker" in result.stdout
    for command in ("taskstar run", "taskstar database upgrade", "taskstar database current", "taskstar demo"):
        assert command in result.stdout, command
    database = taskstar("database", "--help", env={"TASKSTAR_DATA_DIR": str(tmp_path)}, timeout=60)
    listed = [
        line.split()[1] for line in database.stdout.splitlines() if line.startswith("│ ") and len(line.split()) > 2
    ]
    assert listed.count("current") == 1 and listed.count("show-current-revision") == 1, database.stdout


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


def test_the_sqlalchemy_check_names_a_database_behind_the_migrations_in_one_line(tmp_path: Path) -> None:
    env = {"TASKSTAR_DATA_DIR": str(tmp_path), "TASKSTAR_SECRET_KEY": "k" * 40}
    behind = taskstar("database", "check", env=env)
    assert behind.returncode == 1, behind.stdout + behind.stderr
    assert "Traceback" not in behind.stdout + behind.stderr
    assert behind.stderr.strip() == "taskstar: Target database is not up to date; run `taskstar database upgrade`"
    assert taskstar("database", "upgrade", "--no-prompt", env=env).returncode == 0
    assert taskstar("database", "check", env=env).returncode == 0
