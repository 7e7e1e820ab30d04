"""Keeping the database at the newest Piccolo migration, and the migrations true to the tables."""

from __future__ import annotations

import contextlib
import io
import os
from itertools import chain

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.apps.migrations.tables import Migration
from piccolo.table import Table

from taskstar.piccolo.piccolo_app import APP_CONFIG, APP_NAME

UPGRADE_COMMAND = "taskstar database upgrade --no-prompt"
os.environ.setdefault("PICCOLO_CONF", "taskstar.piccolo.piccolo_conf")  # Piccolo's tooling finds its app here


class SchemaBehind(RuntimeError):
    """The database is missing migrations this Taskstar needs."""


class MigrationFailed(RuntimeError):
    pass


class ForeignSchema(RuntimeError):
    """The database holds the SQLAlchemy paths' schema: Piccolo's tables differ, it needs its own."""


class _AlembicVersion(Table, tablename="alembic_version"):
    """Present in a database migrated by the SQLAlchemy paths."""


async def _refuse_a_sqlalchemy_database() -> None:
    _AlembicVersion._meta.db = Migration._meta.db
    if await _AlembicVersion.table_exists():
        raise ForeignSchema(
            "This database was set up by a SQLAlchemy persistence path (it has Alembic's version table). "
            "The piccolo path keeps a schema of its own: point TASKSTAR_DATABASE_URL at a new database."
        )


def migration_ids() -> list[str]:
    manager = BaseMigrationManager()
    return sorted(manager.get_migration_ids(manager.get_migration_modules(APP_CONFIG.resolved_migrations_folder_path)))


async def pending() -> list[str]:
    await _refuse_a_sqlalchemy_database()
    if not await Migration.table_exists():
        return migration_ids()
    ran = set(await Migration.get_migrations_which_ran(app_name=APP_NAME))
    return [migration for migration in migration_ids() if migration not in ran]


async def upgrade_to_head() -> list[str]:
    """Apply pending migrations, each in its own transaction; returns the ids applied."""
    todo = await pending()
    if todo:
        chatter = io.StringIO()  # Piccolo prints progress with emoji; the log says what matters
        with contextlib.redirect_stdout(chatter):
            result = await run_forwards(app_name=APP_NAME)
        if not result.success:
            raise MigrationFailed(f"{result.message}\n{chatter.getvalue()}")
    return todo


async def require_head() -> None:
    todo = await pending()
    if todo:
        raise SchemaBehind(
            f"The database lacks {len(todo)} migration(s) this Taskstar needs ({', '.join(todo)}). "
            f"Run `{UPGRADE_COMMAND}` first."
        )


async def drift() -> list[str]:
    """What a new auto migration would contain: empty when the migrations match the tables."""
    with contextlib.redirect_stdout(io.StringIO()):  # Piccolo prints a summary table
        statements = await AutoMigrationManager(auto_input="n").get_alter_statements(app_config=APP_CONFIG)
    return list(chain.from_iterable(statement.statements for statement in statements))
