"""The SQLAlchemy persistence paths, as the shared edge sees them.

``sqlalchemy-async``: the combined ``SQLAlchemyPlugin`` (engine and session
injection, lifecycle, the ``database`` CLI, and serialization support).
``sqlalchemy-split``: the same two halves composed by hand,
``SQLAlchemyInitPlugin`` + ``SQLAlchemySerializationPlugin``, as an app does
that replaces or configures one of them.
``sqlalchemy-sync``: ``SQLAlchemySyncConfig`` (sqlite3 or psycopg 3), with the
repositories and services generated from the async ones (``taskstar.sqlalchemy.sync``); the
shared routes call them through ``Threaded``, each call in a worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

import anyio.to_thread
from advanced_alchemy.extensions.litestar import SQLAlchemyInitPlugin, SQLAlchemyPlugin, SQLAlchemySerializationPlugin
from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.params import SkipValidation
from sqlalchemy import event, text

from taskstar.domain.access import Caller, Membership
from taskstar.domain.resources import ResourceRef
from taskstar.http.ops import DB_STATEMENTS
from taskstar.http.routes import route_handlers
from taskstar.http.routes.dependencies import service_dependencies
from taskstar.http.threaded import Threaded
from taskstar.ports import EventsPort
from taskstar.settings import Settings
from taskstar.sqlalchemy.database import TaskstarAsyncConfig, TaskstarSyncConfig, build_config, build_sync_config
from taskstar.sqlalchemy.dtos import SQLALCHEMY_SHAPES
from taskstar.sqlalchemy.errors import ERROR_TRANSLATIONS
from taskstar.sqlalchemy.schema import require_head, require_head_sync, upgrade_to_head, upgrade_to_head_sync
from taskstar.sqlalchemy.services import api_tokens, comments, events, members, projects, tags, tasks, users, workspaces
from taskstar.sqlalchemy.sync.services import api_tokens as sync_api_tokens
from taskstar.sqlalchemy.sync.services import comments as sync_comments
from taskstar.sqlalchemy.sync.services import events as sync_events
from taskstar.sqlalchemy.sync.services import members as sync_members
from taskstar.sqlalchemy.sync.services import projects as sync_projects
from taskstar.sqlalchemy.sync.services import tags as sync_tags
from taskstar.sqlalchemy.sync.services import tasks as sync_tasks
from taskstar.sqlalchemy.sync.services import users as sync_users
from taskstar.sqlalchemy.sync.services import workspaces as sync_workspaces

SERVICES = {
    "users": users.UserService,
    "api_tokens": api_tokens.ApiTokenService,
    "workspaces": workspaces.WorkspaceService,
    "members": members.MemberService,
    "projects": projects.ProjectService,
    "tag_service": tags.TagService,
    "tasks": tasks.TaskService,
    "comments": comments.CommentService,
    "events": events.EventService,
}
SYNC_SERVICES = {
    "users": sync_users.UserService,
    "api_tokens": sync_api_tokens.ApiTokenService,
    "workspaces": sync_workspaces.WorkspaceService,
    "members": sync_members.MemberService,
    "projects": sync_projects.ProjectService,
    "tag_service": sync_tags.TagService,
    "tasks": sync_tasks.TaskService,
    "comments": sync_comments.CommentService,
    "events": sync_events.EventService,
}
ROUTE_HANDLERS = route_handlers(SQLALCHEMY_SHAPES)


def provide_session(db_session: NamedDependency[SkipValidation[Any]]) -> Any:
    """The request's session (the plugin's ``db_session``): the unit of work services share."""
    return db_session


def _threaded(service: Callable[[Any], object]) -> Callable[[Any], Threaded]:
    return lambda session: Threaded(service(session))


logger = logging.getLogger("taskstar.sqlalchemy")


class _SQLAlchemyPath:
    """What the three paths share: error translations, the request's session, pool metrics."""

    error_translations = ERROR_TRANSLATIONS

    def __init__(
        self,
        settings: Settings,
        config: TaskstarAsyncConfig | TaskstarSyncConfig,
        dependencies: dict[str, Provide],
    ) -> None:
        self.settings = settings
        self.config = config
        self.dependencies = dependencies
        self.on_statement(lambda _statement: DB_STATEMENTS.inc())

    def on_statement(self, listener: Callable[[object], None]) -> None:
        def announce(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            listener(statement)

        event.listen(self.config.core_engine(), "before_cursor_execute", announce)

    def _session(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Any:
        """The request's own session (created on first use, closed by the plugin)."""
        return self.config.provide_session(connection.app.state, connection.scope)

    def open_events(self) -> AbstractAsyncContextManager[EventsPort]:
        raise NotImplementedError  # each path opens its own kind of session

    async def prune_events(self, cutoff: datetime) -> int:
        async with self.open_events() as feed:
            return await feed.prune(cutoff)

    def connections_in_use(self) -> int:
        return int(getattr(self.config.get_engine().pool, "checkedout", lambda: 0)())


class SQLAlchemyAsyncPath(_SQLAlchemyPath):
    name = "sqlalchemy-async"
    route_handlers = ROUTE_HANDLERS
    config: TaskstarAsyncConfig

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, build_config(settings), service_dependencies(SERVICES, unit_of_work=provide_session))
        self.plugins: tuple[Any, ...] = (SQLAlchemyPlugin(config=self.config),)

    async def load_caller(
        self, connection: ASGIConnection[Any, Any, Any, Any], user_id: UUID, resource: ResourceRef | None
    ) -> tuple[Caller, Membership | None] | None:
        return await users.UserService(self._session(connection)).caller(user_id, resource)

    async def load_token_caller(
        self,
        connection: ASGIConnection[Any, Any, Any, Any],
        token_hash: str,
        resource: ResourceRef | None,
        now: datetime,
    ) -> tuple[Caller, Membership | None] | None:
        return await users.UserService(self._session(connection)).caller_by_token(token_hash, resource, now)

    async def record_token_uses(self, uses: Mapping[UUID, datetime]) -> None:
        async with self.config.get_session() as session:
            await api_tokens.ApiTokenService(session).record_uses(uses)

    @asynccontextmanager
    async def open_events(self) -> AsyncIterator[EventsPort]:
        unit_of_work = self.config.get_session()
        session = await unit_of_work.__aenter__()
        try:
            yield events.EventService(session)
        finally:
            # Even when the stream it serves is cancelled: a session left unclosed keeps its
            # connection (and, on SQLite, its transaction's lock).
            with anyio.CancelScope(shield=True):
                await unit_of_work.__aexit__(None, None, None)

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
    route_handlers = ROUTE_HANDLERS
    config: TaskstarSyncConfig

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            settings,
            build_sync_config(settings),
            service_dependencies(
                {name: _threaded(service) for name, service in SYNC_SERVICES.items()}, unit_of_work=provide_session
            ),
        )
        self.plugins = (SQLAlchemyPlugin(config=self.config),)

    async def load_caller(
        self, connection: ASGIConnection[Any, Any, Any, Any], user_id: UUID, resource: ResourceRef | None
    ) -> tuple[Caller, Membership | None] | None:
        users_in_thread = Threaded(sync_users.UserService(self._session(connection)))
        loaded: tuple[Caller, Membership | None] | None = await users_in_thread.caller(user_id, resource)
        return loaded

    async def load_token_caller(
        self,
        connection: ASGIConnection[Any, Any, Any, Any],
        token_hash: str,
        resource: ResourceRef | None,
        now: datetime,
    ) -> tuple[Caller, Membership | None] | None:
        users_in_thread = Threaded(sync_users.UserService(self._session(connection)))
        loaded: tuple[Caller, Membership | None] | None = await users_in_thread.caller_by_token(
            token_hash, resource, now
        )
        return loaded

    async def record_token_uses(self, uses: Mapping[UUID, datetime]) -> None:
        def record() -> None:
            with self.config.get_session() as session:
                sync_api_tokens.ApiTokenService(session).record_uses(uses)

        await anyio.to_thread.run_sync(record)

    @asynccontextmanager
    async def open_events(self) -> AsyncIterator[EventsPort]:
        unit_of_work = self.config.get_session()
        session = unit_of_work.__enter__()  # no I/O until the first statement
        try:
            yield Threaded(sync_events.EventService(session))  # Threaded awaits each call
        finally:
            # Shielded, as above: on SQLite an unclosed sync session held BEGIN IMMEDIATE's write
            # lock for good, and every later write met "database is locked".
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(unit_of_work.__exit__, None, None, None)

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
