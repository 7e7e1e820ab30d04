"""The SQLAlchemy persistence paths, as the shared edge sees them.

``sqlalchemy-async``: the combined ``SQLAlchemyPlugin`` (engine and session
injection, lifecycle, the ``database`` CLI, and serialization support).
``sqlalchemy-split``: the same two halves composed by hand,
``SQLAlchemyInitPlugin`` + ``SQLAlchemySerializationPlugin``, as an app does
that replaces or configures one of them.
``sqlalchemy-sync``: ``SQLAlchemySyncConfig`` (sqlite3 or psycopg 3), with the
repositories, services and handlers generated from the async ones
(``taskstar.sqlalchemy.sync``); handlers run in worker threads.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import anyio.to_thread
from advanced_alchemy.extensions.litestar import SQLAlchemyInitPlugin, SQLAlchemyPlugin, SQLAlchemySerializationPlugin
from litestar import Litestar
from litestar.connection import ASGIConnection
from sqlalchemy import event, text

from taskstar.domain.access import Caller, Membership
from taskstar.http.ops import DB_STATEMENTS
from taskstar.persistence import ResourceRef
from taskstar.settings import Settings
from taskstar.sqlalchemy.controllers import ROUTE_HANDLERS
from taskstar.sqlalchemy.database import TaskstarAsyncConfig, TaskstarSyncConfig, build_config, build_sync_config
from taskstar.sqlalchemy.errors import ERROR_TRANSLATIONS
from taskstar.sqlalchemy.schema import require_head, require_head_sync, upgrade_to_head, upgrade_to_head_sync
from taskstar.sqlalchemy.services.users import UserService
from taskstar.sqlalchemy.sync.controllers import ROUTE_HANDLERS as SYNC_ROUTE_HANDLERS
from taskstar.sqlalchemy.sync.services.users import UserService as SyncUserService

logger = logging.getLogger("taskstar.sqlalchemy")


class _SQLAlchemyPath:
    """What the three paths share: error translations, the request's session, pool metrics."""

    dependencies: dict[str, Any] = {}
    error_translations = ERROR_TRANSLATIONS

    def __init__(self, settings: Settings, config: TaskstarAsyncConfig | TaskstarSyncConfig) -> None:
        self.settings = settings
        self.config = config
        self.on_statement(lambda _statement: DB_STATEMENTS.inc())

    def on_statement(self, listener: Callable[[object], None]) -> None:
        def announce(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            listener(statement)

        event.listen(self.config.core_engine(), "before_cursor_execute", announce)

    def _session(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Any:
        """The request's own session (created on first use, closed by the plugin)."""
        return self.config.provide_session(connection.app.state, connection.scope)

    def connections_in_use(self) -> int:
        return int(getattr(self.config.get_engine().pool, "checkedout", lambda: 0)())


class SQLAlchemyAsyncPath(_SQLAlchemyPath):
    name = "sqlalchemy-async"
    route_handlers = ROUTE_HANDLERS
    config: TaskstarAsyncConfig

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, build_config(settings))
        self.plugins: tuple[Any, ...] = (SQLAlchemyPlugin(config=self.config),)

    async def load_caller(
        self, connection: ASGIConnection[Any, Any, Any, Any], user_id: UUID, resource: ResourceRef | None
    ) -> tuple[Caller, Membership | None] | None:
        return await UserService(self._session(connection)).caller(user_id, resource)

    async def ping(self) -> None:
        async with self.config.get_engine().connect() as connection:
            await connection.execute(text("SELECT 1"))

    @asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        engine = self.config.get_engine()
        if self.settings.is_sqlite:
            # The embedded default keeps itself current: nothing to run by hand.
            await upgrade_to_head(engine)
        else:
            await require_head(engine)
        yield


class SQLAlchemySplitPath(SQLAlchemyAsyncPath):
    name = "sqlalchemy-split"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.plugins = (SQLAlchemyInitPlugin(config=self.config), SQLAlchemySerializationPlugin())


class SQLAlchemySyncPath(_SQLAlchemyPath):
    name = "sqlalchemy-sync"
    route_handlers = SYNC_ROUTE_HANDLERS
    config: TaskstarSyncConfig

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, build_sync_config(settings))
        self.plugins = (SQLAlchemyPlugin(config=self.config),)

    async def load_caller(
        self, connection: ASGIConnection[Any, Any, Any, Any], user_id: UUID, resource: ResourceRef | None
    ) -> tuple[Caller, Membership | None] | None:
        service = SyncUserService(self._session(connection))
        return await anyio.to_thread.run_sync(service.caller, user_id, resource)

    async def ping(self) -> None:
        def select_one() -> None:
            with self.config.get_engine().connect() as connection:
                connection.execute(text("SELECT 1"))

        # abandon_on_cancel: /ready's timeout must not wait for a hung connect.
        await anyio.to_thread.run_sync(select_one, abandon_on_cancel=True)

    @asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        check = upgrade_to_head_sync if self.settings.is_sqlite else require_head_sync
        await anyio.to_thread.run_sync(check, self.config.get_engine())
        yield
