"""A constraint violation that slips past a service's checks (a race) is a 409 that says
which it was: a duplicate, or a reference to a row removed meanwhile; any other integrity or
data error is no duplicate (issue 13: a truncation was called "already exists"). Checked on the
errors each driver really raises, as each persistence path receives them."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable

import asyncpg
import pytest
import sqlalchemy as sa
from advanced_alchemy import exceptions as aa
from sqlalchemy.ext.asyncio import create_async_engine

from taskstar.domain.errors import Conflict, DomainError
from taskstar.piccolo import errors as piccolo_errors
from taskstar.sqlalchemy import errors as sqlalchemy_errors
from tests.support.targets import POSTGRES_ADMIN_URL

SCHEMA = (
    "CREATE TEMPORARY TABLE parent (id INTEGER PRIMARY KEY)",
    "CREATE TEMPORARY TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id))",
    "INSERT INTO parent (id) VALUES (1)",
    "INSERT INTO child (id, parent_id) VALUES (1, 1)",
    "CREATE TEMPORARY TABLE named (name VARCHAR(3) NOT NULL)",
)
VIOLATIONS = {
    "duplicate": ("INSERT INTO child (id, parent_id) VALUES (1, 1)", "A record with these values already exists"),
    "removed": ("INSERT INTO child (id, parent_id) VALUES (2, 99)", "A record this refers to was removed meanwhile"),
}
#: Errors that are no conflict of the client's: the translation leaves them to the 500 handler.
NOT_CONFLICTS = {
    "not null": "INSERT INTO named (name) VALUES (NULL)",
    "too long for its column": "INSERT INTO named (name) VALUES ('abcd')",  # SQLite does not enforce lengths
}
POSTGRES_DSN = POSTGRES_ADMIN_URL.split("://", 1)[1]


def raised_by_sqlite3(statement: str) -> Exception:
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA foreign_keys=ON")
    for setup in SCHEMA:
        connection.execute(setup)
    with pytest.raises(sqlite3.Error) as raised:
        connection.execute(statement)
    return raised.value


def raised_by_asyncpg(statement: str) -> Exception:
    async def run() -> Exception:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            for setup in SCHEMA:
                await connection.execute(setup)
            with pytest.raises(asyncpg.PostgresError) as raised:
                await connection.execute(statement)
            return raised.value
        finally:
            await connection.close()

    return asyncio.run(run())


def raised_by_sqlalchemy(url: str, statement: str) -> Exception:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as connection, pytest.raises(sa.exc.DBAPIError) as raised:
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
                with pytest.raises(sa.exc.DBAPIError) as raised:
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


@pytest.mark.parametrize(
    ("driver", "error"),
    [
        (driver, error)
        for driver in sorted(DRIVERS)
        for error in sorted(NOT_CONFLICTS)
        if not (error == "too long for its column" and "sqlite" in driver)  # SQLite has no length limits
    ],
)
def test_an_error_that_is_no_unique_or_foreign_key_violation_is_no_conflict(driver: str, error: str) -> None:
    raise_with, translate = DRIVERS[driver]
    assert translate(raise_with(NOT_CONFLICTS[error])) is None


@pytest.mark.parametrize("driver", ["sqlalchemy-asyncpg", "sqlalchemy-psycopg"])
def test_advanced_alchemys_wrapping_of_a_truncation_is_no_conflict(driver: str) -> None:
    """advanced-alchemy's repositories re-raise driver errors as their own ``IntegrityError``."""
    raise_with, translate = DRIVERS[driver]
    original = raise_with(NOT_CONFLICTS["too long for its column"])
    with pytest.raises(aa.RepositoryError) as wrapped, aa.wrap_sqlalchemy_exception(dialect_name="postgresql"):
        raise original

    assert translate(wrapped.value) is None
