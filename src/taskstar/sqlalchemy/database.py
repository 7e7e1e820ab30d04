"""Engine, sessions and migrations for the SQLAlchemy paths, configured once from settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from advanced_alchemy.extensions.litestar import (
    AlembicAsyncConfig,
    AsyncSessionConfig,
    EngineConfig,
    SQLAlchemyAsyncConfig,
)
from litestar.datastructures import State
from litestar.types import Scope
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from taskstar.settings import DatabaseKind, Settings
from taskstar.sqlalchemy.models import Base

MIGRATIONS = Path(__file__).parent / "migrations"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TaskstarAsyncConfig(SQLAlchemyAsyncConfig):
    """Marks each request's session as reading or writing before its first query."""

    _read_engine: Engine | None = None

    def create_session_maker(self) -> Callable[[], AsyncSession]:
        if self.session_maker:
            return self.session_maker
        maker = super().create_session_maker()
        if self.get_engine().dialect.name == "sqlite":
            # advanced-alchemy replaces any ``sync_session_class`` we configure with
            # a sessionmaker of its own (to hang its listeners on), so listen there.
            event.listen(maker.kw["sync_session_class"], "after_begin", _begin_sqlite_transaction)  # type: ignore[attr-defined]
        return maker

    def provide_session(self, state: State, scope: Scope) -> AsyncSession:
        session = super().provide_session(state, scope)
        if "writes" not in session.info:  # the request's first use
            writes = session.info["writes"] = scope.get("method") not in SAFE_METHODS
            if not writes and self.get_engine().dialect.name == "postgresql":
                # Under READ COMMITTED every statement takes its own snapshot, in a
                # transaction or not: a read-only request's BEGIN and ROLLBACK would
                # buy nothing but two round trips. (SQLite keeps its transaction:
                # there it is what gives a request one snapshot.)
                session.sync_session.bind = self._autocommit_engine()
        return session

    def _autocommit_engine(self) -> Engine:
        if self._read_engine is None:
            self._read_engine = self.get_engine().sync_engine.execution_options(isolation_level="AUTOCOMMIT")
        return self._read_engine


def build_config(settings: Settings) -> TaskstarAsyncConfig:
    if settings.database.kind is DatabaseKind.SQLITE:
        settings.database.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        url = settings.database.with_driver("aiosqlite")
        connect_args: dict[str, Any] = {"timeout": settings.sqlite_busy_timeout_seconds}
    else:
        url = settings.database.with_driver("asyncpg")
        connect_args = {
            "timeout": settings.db_pool_timeout_seconds,  # connecting
            "command_timeout": settings.db_statement_timeout_seconds,
            "server_settings": {
                "statement_timeout": str(int(settings.db_statement_timeout_seconds * 1000)),
                "application_name": "taskstar",
            },
        }
    config = TaskstarAsyncConfig(
        connection_string=url,
        metadata=Base.metadata,
        engine_config=EngineConfig(
            # Sized to the expected concurrency: a pool that overflows opens and
            # closes connections under load (shared/design.md measured -30%).
            pool_size=settings.db_pool_size,
            max_overflow=0,
            pool_timeout=settings.db_pool_timeout_seconds,
            pool_recycle=1800,
            connect_args=connect_args,
        ),
        session_config=AsyncSessionConfig(expire_on_commit=False),
        alembic_config=AlembicAsyncConfig(
            script_location=str(MIGRATIONS),
            version_table_name="alembic_version",
            render_as_batch=True,
        ),
    )
    if settings.database.kind is DatabaseKind.SQLITE:
        _tune_sqlite(config.get_engine().sync_engine)
    return config


def _tune_sqlite(engine: Engine) -> None:
    """WAL, enforced foreign keys, and write transactions that take the lock up front.

    A deferred transaction that reads and then writes cannot wait for the write
    lock (SQLite answers "database is locked" at once), so requests that write
    begin ``IMMEDIATE`` and queue on ``busy_timeout`` instead; reads stay deferred
    and never block on writers under WAL.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _begin_sqlite_transaction(session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    """Emit SQLite's BEGIN (see :func:`_tune_sqlite`); sessions outside a request write."""
    connection.exec_driver_sql("BEGIN IMMEDIATE" if session.info.get("writes", True) else "BEGIN")
