"""Alembic environment for Taskstar's SQLAlchemy schema.

Runs three ways: on a connection handed in by the app at start-up
(``config.attributes["connection"]``), from ``taskstar database ...`` on the
app's engine (advanced-alchemy's CLI; async or sync, by persistence path), or
offline to print SQL.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import TypeDecorator

from taskstar.sqlalchemy.models import Base

VERSION_TABLE = "alembic_version"
config = context.config


def _compare_type(_context: Any, _inspected: Any, _column: Any, _reflected: Any, declared: Any) -> bool | None:
    """Compare column types, except advanced-alchemy's decorated types (GUID,
    DateTimeUTC): reflection sees their storage type and would report drift forever."""
    return False if isinstance(declared, TypeDecorator) else None


def _render_item(kind: str, item: Any, _context: Any) -> str | bool:
    """Render Taskstar's own decorated types (PriorityRank) as their storage type."""
    if kind == "type" and isinstance(item, TypeDecorator) and not type(item).__module__.startswith("advanced_"):
        return f"sa.{item.impl!r}"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=_compare_type,
        render_item=_render_item,
        user_module_prefix="sa.",
        **kwargs,
    )


def _run_on(connection: Connection) -> None:
    if connection.dialect.name == "sqlite" and not connection.in_transaction():
        # Taskstar's engines leave SQLite in autocommit mode and emit BEGIN
        # themselves (taskstar.sqlalchemy.database); migrate in one transaction.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_on_engine(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_run_on)
        await connection.commit()


if (handed_in := config.attributes.get("connection")) is not None:
    _run_on(handed_in)
elif context.is_offline_mode():
    _configure(url=config.db_url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()
elif isinstance(config.engine, AsyncEngine):
    asyncio.run(_run_on_engine(config.engine))
else:
    with config.engine.connect() as connection:
        _run_on(connection)
        connection.commit()
