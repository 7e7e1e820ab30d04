"""Engine, sessions and migrations for the SQLAlchemy paths, configured once from settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from advanced_alchemy.extensions.litestar import (
    AlembicAsyncConfig,
    AlembicSyncConfig,
    AsyncSessionConfig,
    EngineConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemySyncConfig,
    SyncSessionConfig,
)
from advanced_alchemy.extensions.litestar.plugins.init.config.sync import default_handler_maker
from litestar.datastructures import State
from litestar.types import Message, Scope
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, ExceptionContext
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from taskstar.driver_errors import server_sqlstate
from taskstar.settings import DatabaseKind, Settings
from taskstar.sqlalchemy.answer_deadline import connect_with_answer_deadline
from taskstar.sqlalchemy.errors import DRIVER_FAILURE
from taskstar.sqlalchemy.models import Base
from taskstar.sqlite_functions import SQLITE_FUNCTIONS

MIGRATIONS = Path(__file__).parent / "migrations"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _RequestSessions:
    """Marks each request's session as reading or writing before its first query."""

    _read_engine: Engine | None = None

    def provide_session(self, state: State, scope: Scope) -> Any:
        session = super().provide_session(state, scope)  # type: ignore[misc]  # a mixin of advanced-alchemy's configs
        if "writes" not in session.info:  # the request's first use
            writes = session.info["writes"] = scope.get("method") not in SAFE_METHODS
            if not writes and self.core_engine().dialect.name == "postgresql":
                # Under READ COMMITTED every statement takes its own snapshot, in a
                # transaction or not: a read-only request's BEGIN and ROLLBACK would
                # buy nothing but two round trips. (SQLite keeps its transaction:
                # there it is what gives a request one snapshot.)
                getattr(session, "sync_session", session).bind = self._autocommit_engine()
        return session

    def core_engine(self) -> Engine:
        """The engine that events and execution options apply to (an async engine wraps one)."""
        engine = self.get_engine()  # type: ignore[attr-defined]  # a mixin: the config's method
        core: Engine = getattr(engine, "sync_engine", engine)
        return core

    def _autocommit_engine(self) -> Engine:
        if self._read_engine is None:
            self._read_engine = self.core_engine().execution_options(isolation_level="AUTOCOMMIT")
        return self._read_engine

    def _listen_for_sqlite_begin(self, maker: Any) -> None:
        if self.core_engine().dialect.name == "sqlite":
            event.listen(maker, "after_begin", _begin_sqlite_transaction)


class TaskstarAsyncConfig(_RequestSessions, SQLAlchemyAsyncConfig):
    session_config_class = AsyncSessionConfig
    alembic_config_class = AlembicAsyncConfig

    def create_session_maker(self) -> Callable[[], AsyncSession]:
        if self.session_maker:
            return self.session_maker
        maker = super().create_session_maker()
        # advanced-alchemy replaces any ``sync_session_class`` we configure with
        # a sessionmaker of its own (to hang its listeners on), so listen there.
        options = maker.kw  # type: ignore[attr-defined]  # an async_sessionmaker, typed as any callable
        self._listen_for_sqlite_begin(options["sync_session_class"])
        return maker


class TaskstarSyncConfig(_RequestSessions, SQLAlchemySyncConfig):
    session_config_class = SyncSessionConfig
    alembic_config_class = AlembicSyncConfig

    def __post_init__(self) -> None:
        super().__post_init__()  # makes ``session_scope_key`` unique to this config
        self.before_send_handler = _closing_on_the_event_loop(self.session_scope_key)

    def create_session_maker(self) -> Callable[[], Session]:
        if self.session_maker:
            return self.session_maker
        maker = super().create_session_maker()
        self._listen_for_sqlite_begin(maker)
        return maker


def _closing_on_the_event_loop(session_scope_key: str) -> Callable[[Message, Scope], Awaitable[None]]:
    """A before-send hook that closes the request's sync session on the event loop.

    advanced-alchemy's hook is a plain function, which Litestar runs in the default
    thread pool: the pool the sync handlers run in. Handlers waiting for SQLite's
    write lock, a row lock or a pooled connection that only a queued close would
    release then fill that pool and deadlock until their timeouts (seen with a dozen
    concurrent registrations on SQLite). Closing is short (services commit inside
    the operation; a failure rolls back one transaction), so it runs on the loop.
    """
    close = default_handler_maker(session_scope_key=session_scope_key)

    async def close_on_the_event_loop(message: Message, scope: Scope) -> None:
        close(message, scope)

    return close_on_the_event_loop


def build_config(settings: Settings) -> TaskstarAsyncConfig:
    """The async engine: aiosqlite or asyncpg."""
    if settings.database.kind is DatabaseKind.SQLITE:
        return _configured(TaskstarAsyncConfig, settings, "aiosqlite", _sqlite_connect_args(settings))
    connect_args = {
        "timeout": settings.db_pool_timeout_seconds,  # connecting
        "command_timeout": settings.db_statement_timeout_seconds,
        "server_settings": {
            "statement_timeout": str(int(settings.db_statement_timeout_seconds * 1000)),
            "application_name": "taskstar",
        },
    }
    return _configured(TaskstarAsyncConfig, settings, "asyncpg", connect_args)


def build_sync_config(settings: Settings) -> TaskstarSyncConfig:
    """The sync engine, from the same URL: sqlite3 (pysqlite) or psycopg 3."""
    if settings.database.kind is DatabaseKind.SQLITE:
        return _configured(TaskstarSyncConfig, settings, "pysqlite", _sqlite_connect_args(settings))
    connect_args = {
        "connect_timeout": max(1, round(settings.db_pool_timeout_seconds)),
        "options": f"-c statement_timeout={int(settings.db_statement_timeout_seconds * 1000)}",
        "application_name": "taskstar",
    }
    config = _configured(TaskstarSyncConfig, settings, "psycopg", connect_args)
    # Client side, after the server's own statement timeout (as for asyncpg's command_timeout).
    connect_with_answer_deadline(config.core_engine(), settings.db_statement_timeout_seconds + 1)
    return config


def _sqlite_connect_args(settings: Settings) -> dict[str, Any]:
    settings.database.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return {"timeout": settings.sqlite_busy_timeout_seconds}


C = TypeVar("C", TaskstarAsyncConfig, TaskstarSyncConfig)


def _configured(kind: type[C], settings: Settings, driver: str, connect_args: dict[str, Any]) -> C:
    config = kind(
        connection_string=settings.database.with_driver(driver),
        metadata=Base.metadata,
        engine_config=EngineConfig(
            # Sized to the expected concurrency: a pool that overflows opens and
            # closes connections under load (shared/design.md measured -30%).
            pool_size=settings.db_pool_size,
            max_overflow=0,
            pool_timeout=settings.db_pool_timeout_seconds,  # type: ignore[arg-type]  # SQLAlchemy takes a float
            pool_recycle=1800,
            connect_args=connect_args,
            # Statements reach the log at DEBUG; their parameters never do: they carry password
            # and API token hashes (and whatever users typed).
            hide_parameters=True,
        ),
        session_config=kind.session_config_class(expire_on_commit=False),
        alembic_config=kind.alembic_config_class(
            script_location=str(MIGRATIONS),
            version_table_name="alembic_version",
            render_as_batch=True,
        ),
    )
    if settings.database.kind is DatabaseKind.SQLITE:
        _tune_sqlite(config.core_engine())
    else:
        _discard_connections_the_driver_failed(config.core_engine())
    return config


def _discard_connections_the_driver_failed(engine: Engine) -> None:
    """A PostgreSQL connection whose statement failed in the driver itself is closed, never pooled.

    An error response from PostgreSQL (an SQLSTATE with a severity) leaves the connection in a
    state both ends agree on. A DBAPI error without one was raised by the driver (asyncpg refusing
    to encode a parameter, a protocol violation, a client-side deadline), possibly mid-protocol:
    issue 13 reports asyncpg then believing a transaction open that the server had not begun, and
    failing every later transaction on that connection ("SAVEPOINT can only be used in transaction
    blocks"). SQLAlchemy invalidates a connection whose error it is told is a disconnect; only that
    one connection, not the whole pool. Errors SQLAlchemy raises before calling the driver (a bind
    processor's) leave the connection alone.
    """

    @event.listens_for(engine, "handle_error")
    def _invalidate_unless_the_server_answered(context: ExceptionContext) -> None:
        failed_in_the_dbapi = isinstance(context.sqlalchemy_exception, DBAPIError)
        if context.is_disconnect or context.connection is None or not failed_in_the_dbapi:
            return
        if server_sqlstate(context.original_exception) is None:
            context.is_disconnect = True
            context.invalidate_pool_on_disconnect = False
            setattr(context.sqlalchemy_exception, DRIVER_FAILURE, True)


def _tune_sqlite(engine: Engine) -> None:
    """WAL, enforced foreign keys, Unicode ``lower()`` (``taskstar.sqlite_functions``), and
    write transactions that take the lock up front.

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
        for name, arguments, function in SQLITE_FUNCTIONS:
            dbapi_connection.create_function(name, arguments, function, deterministic=True)


def _begin_sqlite_transaction(session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    """Emit SQLite's BEGIN (see :func:`_tune_sqlite`); sessions outside a request write."""
    connection.exec_driver_sql("BEGIN IMMEDIATE" if session.info.get("writes", True) else "BEGIN")
