"""Keeping the database at the newest migration, or refusing to serve it when it is not."""

from __future__ import annotations

import logging

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from taskstar.sqlalchemy.database import MIGRATIONS

logger = logging.getLogger("taskstar.schema")
UPGRADE_COMMAND = "taskstar database upgrade --no-prompt"


class SchemaBehind(RuntimeError):
    """The database is not at the newest migration."""


def _alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection, opts={"version_table": "alembic_version"}).get_current_revision()


def _upgrade(connection: Connection) -> None:
    command.upgrade(_alembic_config(connection), "head")


def _require(current: str | None) -> None:
    head = head_revision()
    if current != head:
        raise SchemaBehind(
            f"The database schema is at revision {current or 'none (empty database)'}, "
            f"but this Taskstar needs {head}. Run `{UPGRADE_COMMAND}` first."
        )


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Apply pending migrations in one transaction (the embedded default does this at start)."""
    async with engine.connect() as connection:
        before = await connection.run_sync(_current_revision)
        await connection.run_sync(_upgrade)
        await connection.commit()
    _log_migrated(before)


async def require_head(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        _require(await connection.run_sync(_current_revision))


def upgrade_to_head_sync(engine: Engine) -> None:
    with engine.connect() as connection:
        before = _current_revision(connection)
        _upgrade(connection)
        connection.commit()
    _log_migrated(before)


def _log_migrated(before: str | None) -> None:
    """One line for what Alembic did at start (its own step-by-step INFO lines are silenced)."""
    head = head_revision()
    if before != head:
        logger.info("migrated the database from %s to revision %s", before or "empty", head)


def require_head_sync(engine: Engine) -> None:
    with engine.connect() as connection:
        _require(_current_revision(connection))
