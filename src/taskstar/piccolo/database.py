"""Piccolo's engines as Taskstar runs them, and the unit of work every service uses.

Piccolo finds a table's engine on ``Table._meta.db`` (or through ``piccolo_conf``);
:func:`bind` points every table, and Piccolo's own migration tooling, at the
engine built from the settings, so a test process can serve any database.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, nullcontext
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.querystring import QueryString
from piccolo.table import Table

from taskstar.driver_errors import server_sqlstate
from taskstar.settings import DatabaseURL, Settings
from taskstar.sqlite_functions import SQLITE_FUNCTIONS

StatementListener = Callable[[object], None]


class _Counted:
    """Tells listeners about every statement (``/metrics``, the query budgets).

    They get Piccolo's ``QueryString``: its ``str()`` renders the SQL with its values,
    which costs about a tenth of building the query, so only a listener that reads
    the text pays for it."""

    listeners: list[StatementListener]

    def _announce(self, querystring: QueryString) -> None:
        for listener in self.listeners:
            listener(querystring)


class _ReleasingTransaction:
    """Piccolo's transactions keep their connection when BEGIN, COMMIT or ROLLBACK fails (a
    lost connection, a full disk): it is neither closed nor returned to the pool, and after
    a few such failures the pool is empty for good. These give it back whatever happens."""

    # What the Piccolo transaction this is mixed into sets.
    connection: Any
    context: Any
    engine: Any
    _parent: Any

    async def __aenter__(self) -> Any:
        try:
            return await super().__aenter__()  # type: ignore[misc]  # a mixin of Piccolo's transactions
        except BaseException:
            if self._parent is None and getattr(self, "connection", None) is not None:
                await self._discard()
            raise

    async def __aexit__(self, *exc_info: Any) -> bool:
        try:
            suppress: bool = await super().__aexit__(*exc_info)  # type: ignore[misc]  # a mixin: super() is Piccolo's
            return suppress
        except BaseException:
            if self._parent is None:
                await self._discard()
                self.engine.current_transaction.reset(self.context)
            raise

    async def _discard(self) -> None:
        raise NotImplementedError


class _SQLiteTransaction(_ReleasingTransaction, SQLiteTransaction):
    async def _discard(self) -> None:
        await self.connection.discard()


class _PooledConnection:
    """An aiosqlite connection that Piccolo "closes" back into its engine's idle list."""

    __slots__ = ("_connection", "_engine")

    def __init__(self, connection: Any, engine: TaskstarSQLiteEngine) -> None:
        object.__setattr__(self, "_connection", connection)
        object.__setattr__(self, "_engine", engine)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._connection, name, value)

    async def close(self) -> None:
        await self._engine.release(self._connection, reuse=True)

    async def discard(self) -> None:
        await self._engine.release(self._connection, reuse=False)


class TaskstarSQLiteEngine(_Counted, SQLiteEngine):
    """Piccolo has no pool for SQLite: it opens an aiosqlite connection, a thread of its own,
    for every transaction and for every statement outside one. This engine pools them:
    at most ``pool_size`` in use (as the PostgreSQL pool: a request that waits longer than
    the pool timeout gets a 503), idle ones kept open with their page cache and pragmas.

    Measured (two servers on one 50,000-task database, pinned, wrk -c32, interleaved
    pairs): keeping idle connections, GET one task 307 -> 425 req/s, PATCH 185 -> 247;
    not repeating the foreign-keys pragma before each statement, 418 -> 465 and
    237 -> 282; bounding connections in use, GET +9%, list +11%, PATCH +8%, RSS under
    load 200 -> 154 MB.
    """

    def __init__(self, path: str, *, busy_timeout_seconds: float, pool_size: int, pool_timeout_seconds: float) -> None:
        if sqlite3.sqlite_version_info < (3, 35):
            raise RuntimeError(
                f"Taskstar on Piccolo needs SQLite 3.35 or newer (RETURNING); this is {sqlite3.sqlite_version}"
            )
        self.listeners = []
        self.pool_size = pool_size
        self.pool_timeout_seconds = pool_timeout_seconds
        self.idle: list[Any] = []
        self.in_use = 0
        self._slots = asyncio.Semaphore(pool_size)
        super().__init__(path=path, timeout=busy_timeout_seconds)

    async def get_connection(self) -> Any:
        await asyncio.wait_for(self._slots.acquire(), self.pool_timeout_seconds)  # TimeoutError: 503
        try:
            connection = self.idle.pop() if self.idle else await self._open()
        except BaseException:
            self._slots.release()
            raise
        self.in_use += 1
        return _PooledConnection(connection, self)

    async def _open(self) -> Any:
        """A new aiosqlite connection (Piccolo's, with its foreign-keys pragma) with Taskstar's
        SQL functions (``taskstar.sqlite_functions``: Unicode ``lower()``)."""
        connection = await super().get_connection()
        for name, arguments, function in SQLITE_FUNCTIONS:
            await connection.create_function(name, arguments, function, deterministic=True)
        return connection

    async def release(self, connection: Any, *, reuse: bool) -> None:
        self.in_use -= 1
        try:
            if reuse and len(self.idle) < self.pool_size and not connection.in_transaction:
                self.idle.append(connection)
            else:
                await connection.close()
        finally:
            self._slots.release()

    async def close_idle(self) -> None:
        while self.idle:
            await self.idle.pop().close()

    async def _run_in_new_connection(
        self, query: str, args: Any = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        connection = await self.get_connection()
        try:
            # Autocommit (isolation_level=None): the statement commits by itself.
            return await self._run_in_existing_connection(connection, query, args, query_type, table)
        finally:
            await connection.close()

    async def _run_in_existing_connection(
        self, connection: Any, query: str, args: Any = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        # Piccolo sends ``PRAGMA foreign_keys = 1`` before every statement; every connection
        # here got it once, when it was opened (``get_connection``). RETURNING needs
        # SQLite 3.35, checked at start, so Piccolo's older-SQLite fallback is not needed.
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False) -> Any:
        self._announce(querystring)
        return await super().run_querystring(querystring, in_pool)

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> SQLiteTransaction:
        return _SQLiteTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)


def failed_in_the_driver(error: BaseException | None) -> bool:
    """An asyncpg error that PostgreSQL did not send (``driver_errors.server_sqlstate``): asyncpg
    failed mid-protocol (a parameter it could not encode, a lost connection), and the connection's
    state is unknown, so it is closed rather than handed out again."""
    driver_errors = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError)
    return isinstance(error, driver_errors) and server_sqlstate(error) is None


class _PostgresTransaction(_ReleasingTransaction, PostgresTransaction):
    async def get_connection(self) -> Any:
        engine: TaskstarPostgresEngine = self.engine
        return await engine.acquire()

    async def __aexit__(self, *exc_info: Any) -> bool:
        if self._parent is None and failed_in_the_driver(exc_info[1]):
            # Closed, not rolled back and pooled: the server ends the transaction with it.
            await self._discard()
            self.engine.current_transaction.reset(self.context)
            return False
        return await super().__aexit__(*exc_info)

    async def _discard(self) -> None:
        # Closed rather than released: its state after a failed COMMIT is unknown.
        self.connection.terminate()
        if self.engine.pool is not None:
            await self.engine.pool.release(self.connection)


class TaskstarPostgresEngine(_Counted, PostgresEngine):
    """asyncpg's pool, sized and bounded by the settings: a request that finds no free
    connection within the pool timeout fails (503) instead of queueing forever."""

    def __init__(self, config: dict[str, Any], *, pool_timeout_seconds: float) -> None:
        self.listeners = []
        self.pool_timeout_seconds = pool_timeout_seconds
        super().__init__(config=config)

    async def check_version(self) -> None:
        """Piccolo connects at construction to warn about old servers; Taskstar builds its app
        without touching the database (``/ready`` says whether it answers)."""

    async def prep_database(self) -> None:
        """No extensions to create."""

    async def acquire(self) -> Any:
        if self.pool is None:
            return await self.get_new_connection()
        return await self.pool.acquire(timeout=self.pool_timeout_seconds)

    async def _run_in_pool(self, query: str, args: Any = None) -> Any:
        connection = await self.acquire()
        try:
            return await connection.fetch(query, *(args or []))
        except BaseException as error:
            if failed_in_the_driver(error):
                connection.terminate()  # released below as closed: the pool opens a new one
            raise
        finally:
            await self.pool.release(connection)  # type: ignore[union-attr]  # Piccolo runs here only with a pool

    async def run_querystring(self, querystring: QueryString, in_pool: bool = True) -> Any:
        self._announce(querystring)
        return await super().run_querystring(querystring, in_pool)

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return _PostgresTransaction(engine=self, allow_nested=allow_nested)


Engine = TaskstarSQLiteEngine | TaskstarPostgresEngine


def engine_for(database: DatabaseURL, settings: Settings | None = None) -> Engine:
    settings = settings or Settings(database=database, data_dir=database.sqlite_path.parent)
    if database.kind == "sqlite":
        database.sqlite_path.parent.mkdir(parents=True, exist_ok=True)  # as the SQLAlchemy paths do
        return TaskstarSQLiteEngine(
            str(database.sqlite_path),
            busy_timeout_seconds=settings.sqlite_busy_timeout_seconds,
            pool_size=settings.db_pool_size,
            pool_timeout_seconds=settings.db_pool_timeout_seconds,
        )
    statement_timeout_ms = int(settings.db_statement_timeout_seconds * 1000)
    config = {
        "dsn": database.url,
        "min_size": 1,
        "max_size": settings.db_pool_size,
        "timeout": settings.db_pool_timeout_seconds,  # connecting
        "command_timeout": settings.db_statement_timeout_seconds + 1,  # client side, after the server's own
        "server_settings": {"statement_timeout": str(statement_timeout_ms), "application_name": "taskstar"},
    }
    return TaskstarPostgresEngine(config, pool_timeout_seconds=settings.db_pool_timeout_seconds)


class Database:
    """The engine and the two shapes of a unit of work.

    ``writing()``: one transaction; on SQLite ``BEGIN IMMEDIATE``, so a writer waits for
    the lock up front (busy timeout) instead of failing when it upgrades a read lock.
    ``reading()``: on SQLite a deferred transaction (one connection for the operation);
    on PostgreSQL none: each statement runs on a pooled connection in autocommit.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = isinstance(engine, SQLiteEngine)

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
        if isinstance(self.engine, TaskstarSQLiteEngine):
            async with self.engine.transaction(TransactionType.immediate):
                yield
        else:
            async with self.engine.transaction():
                yield

    def reading(self) -> Any:
        if isinstance(self.engine, TaskstarSQLiteEngine):
            return self.engine.transaction(TransactionType.deferred)
        return nullcontext()

    async def start(self) -> None:
        bind(self.engine)
        if isinstance(self.engine, TaskstarPostgresEngine):
            await self.engine.start_connection_pool()
        else:
            # WAL lets readers proceed while one writer commits; the mode is kept in the file.
            await self.engine.run_ddl("PRAGMA journal_mode=WAL")

    async def stop(self) -> None:
        if isinstance(self.engine, TaskstarPostgresEngine) and self.engine.pool is not None:
            await self.engine.close_connection_pool()
        elif isinstance(self.engine, TaskstarSQLiteEngine):
            await self.engine.close_idle()
        unbind(self.engine)

    def connections_in_use(self) -> int:
        if isinstance(self.engine, TaskstarSQLiteEngine):
            return self.engine.in_use
        pool: asyncpg.Pool | None = getattr(self.engine, "pool", None)
        if pool is None:
            return 0
        return pool.get_size() - pool.get_idle_size()


_bound: Engine | None = None


def bind(engine: Engine) -> None:
    """Point Taskstar's tables and Piccolo's tooling (migrations) at ``engine``.

    Piccolo keeps one engine per table class, process-wide: a second app running in
    the same process would silently send its queries through the first one's pool
    (on another event loop: they hang). Run one app per process; this refuses a second.
    """
    global _bound
    from piccolo.apps.migrations.tables import Migration

    from taskstar.piccolo import piccolo_conf
    from taskstar.piccolo.tables import TABLES

    if _bound is not None and _bound is not engine:
        raise RuntimeError("Another Taskstar app on Piccolo is running in this process; Piccolo serves one at a time")
    _bound = engine
    piccolo_conf.DB = engine
    tables: tuple[type[Table], ...] = (*TABLES, Migration)
    for table in tables:
        table._meta.db = engine


def unbind(engine: Engine) -> None:
    global _bound
    if _bound is engine:
        _bound = None
