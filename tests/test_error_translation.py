"""A constraint violation that slips past a service's checks (a race) is a 409 that says
which it was: a duplicate, or a reference to a row removed meanwhile. Checked on the
errors each driver really raises, as each persistence path receives them."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from taskstar.domain.errors import Conflict, DomainError
from taskstar.piccolo import errors as piccolo_errors
from taskstar.sqlalchemy import errors as sqlalchemy_errors
from tests.targets import POSTGRES_ADMIN_URL

SCHEMA = (
    "CREATE TEMPORARY TABLE parent (id INTEGER PRIMARY KEY)",
    "CREATE TEMPORARY TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id))",
    "INSERT INTO parent (id) VALUES (1)",
    "INSERT INTO child (id, parent_id) VALUES (1, 1)",
)
VIOLATIONS = {
    "duplicate": ("INSERT INTO child (id, parent_id) VALUES (1, 1)", "A record with these values already exists"),
    "removed": ("INSERT INTO child (id, parent_id) VALUES (2, 99)", "A record this refers to was removed meanwhile"),
}
POSTGRES_DSN = POSTGRES_ADMIN_URL.split("://", 1)[1]


def raised_by_sqlite3(statement: str) -> Exception:
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA foreign_keys=ON")
    for setup in SCHEMA:
        connection.execute(setup)
    with pytest.raises(sqlite3.IntegrityError) as raised:
        connection.execute(statement)
    return raised.value


def raised_by_asyncpg(statement: str) -> Exception:
    async def run() -> Exception:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            for setup in SCHEMA:
                await connection.execute(setup)
            with pytest.raises(asyncpg.IntegrityConstraintViolationError) as raised:
                await connection.execute(statement)
            return raised.value
        finally:
            await connection.close()

    return asyncio.run(run())


def raised_by_sqlalchemy(url: str, statement: str) -> Exception:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as connection, pytest.raises(sa.exc.IntegrityError) as raised:
        if url.startswith("sqlite"):
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        for setup in SCHEMA:
            connection.exec_driver_sql(setup)
        connection.exec_driver_sql(statement)
    return raised.value


def raised_by_sqlalchemy_async(url: str, statement: str) -> Exception:
    async def run() -> Exception:
        engine = create_async_engine(url, poolclass=sa.NullPool)
        try:
            async with engine.connect() as connection:
                if url.startswith("sqlite"):
                    await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                for setup in SCHEMA:
                    await connection.exec_driver_sql(setup)
                with pytest.raises(sa.exc.IntegrityError) as raised:
                    await connection.exec_driver_sql(statement)
                return raised.value
        finally:
            await engine.dispose()

    return asyncio.run(run())


DRIVERS: dict[str, tuple[Callable[[str], Exception], Callable[[Exception], DomainError | None]]] = {
    "piccolo-sqlite3": (raised_by_sqlite3, piccolo_errors.translate),
    "piccolo-asyncpg": (raised_by_asyncpg, piccolo_errors.translate),
    "sqlalchemy-pysqlite": (lambda sql: raised_by_sqlalchemy("sqlite://", sql), sqlalchemy_errors.translate),
    "sqlalchemy-psycopg": (
        lambda sql: raised_by_sqlalchemy(f"postgresql+psycopg://{POSTGRES_DSN}", sql),
        sqlalchemy_errors.translate,
    ),
    "sqlalchemy-aiosqlite": (
        lambda sql: raised_by_sqlalchemy_async("sqlite+aiosqlite://", sql),
        sqlalchemy_errors.translate,
    ),
    "sqlalchemy-asyncpg": (
        lambda sql: raised_by_sqlalchemy_async(f"postgresql+asyncpg://{POSTGRES_DSN}", sql),
        sqlalchemy_errors.translate,
    ),
}


@pytest.mark.parametrize("violation", sorted(VIOLATIONS))
@pytest.mark.parametrize("driver", sorted(DRIVERS))
def test_a_constraint_violation_is_a_conflict_that_names_its_kind(driver: str, violation: str) -> None:
    raise_with, translate = DRIVERS[driver]
    statement, detail = VIOLATIONS[violation]

    translated = translate(raise_with(statement))

    assert isinstance(translated, Conflict)
    assert translated.detail == detail
