"""The Piccolo persistence path, as the shared edge sees it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from piccolo.querystring import QueryString

from taskstar.domain.access import Caller, Membership
from taskstar.domain.resources import ResourceRef
from taskstar.http.ops import DB_STATEMENTS
from taskstar.http.routes import route_handlers
from taskstar.http.routes.dependencies import service_dependencies
from taskstar.piccolo import schema
from taskstar.piccolo.cli import PiccoloDatabaseCLI
from taskstar.piccolo.database import Database, StatementListener, engine_for
from taskstar.piccolo.dtos import PICCOLO_SHAPES
from taskstar.piccolo.errors import ERROR_TRANSLATIONS
from taskstar.piccolo.services.api_tokens import ApiTokenService
from taskstar.piccolo.services.comments import CommentService
from taskstar.piccolo.services.events import EventService
from taskstar.piccolo.services.members import MemberService
from taskstar.piccolo.services.projects import ProjectService
from taskstar.piccolo.services.tags import TagService
from taskstar.piccolo.services.tasks import TaskService
from taskstar.piccolo.services.users import UserService
from taskstar.piccolo.services.workspaces import WorkspaceService
from taskstar.ports import EventsPort
from taskstar.settings import Settings

logger = logging.getLogger("taskstar.piccolo")
_SELECT_ONE = QueryString("SELECT 1")

#: The services behind the ports, built on the app's ``Database`` (each write is its own unit of
#: work: a service opens the transaction it commits).
SERVICES = {
    "users": UserService,
    "api_tokens": ApiTokenService,
    "workspaces": WorkspaceService,
    "members": MemberService,
    "projects": ProjectService,
    "tag_service": TagService,
    "tasks": TaskService,
    "comments": CommentService,
    "events": EventService,
}


def provide_database(state: State) -> Database:
    """The app's Piccolo ``Database``: the unit of work the services are built on."""
    database: Database = state.persistence.db
    return database


class PiccoloPath:
    name = "piccolo"
    route_handlers = route_handlers(PICCOLO_SHAPES)
    dependencies = service_dependencies(SERVICES, unit_of_work=provide_database)
    error_translations = ERROR_TRANSLATIONS

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # Bound to the tables when the app starts (Database.start): one running app per process.
        self.db = Database(engine_for(settings.database, settings))
        self.plugins = (PiccoloDatabaseCLI(),)
        self.on_statement(lambda _statement: DB_STATEMENTS.inc())

    def on_statement(self, listener: StatementListener) -> None:
        self.db.engine.listeners.append(listener)

    async def load_caller(
        self, connection: ASGIConnection[Any, Any, Any, Any], user_id: UUID, resource: ResourceRef | None
    ) -> tuple[Caller, Membership | None] | None:
        return await UserService(self.db).caller(user_id, resource)

    async def load_token_caller(
        self,
        connection: ASGIConnection[Any, Any, Any, Any],
        token_hash: str,
        resource: ResourceRef | None,
        now: datetime,
    ) -> tuple[Caller, Membership | None] | None:
        """The caller behind an unexpired API token, with its limits: one statement."""
        return await UserService(self.db).caller_by_token(token_hash, resource, now)

    async def record_token_uses(self, uses: Mapping[UUID, datetime]) -> None:
        """API tokens' ``last_used_at``, in a transaction of its own (the service opens it)."""
        await ApiTokenService(self.db).record_uses(uses)

    @asynccontextmanager
    async def open_events(self) -> AsyncIterator[EventsPort]:
        """The events port outside any request: each of its operations is its own unit of work
        (``Database.reading`` / ``writing``), so nothing is held between them."""
        yield EventService(self.db)

    async def prune_events(self, cutoff: datetime) -> int:
        """The event feed's events created before ``cutoff``, in transactions of their own (the
        service opens them)."""
        return await EventService(self.db).prune(cutoff)

    async def ping(self) -> None:
        await self.db.engine.run_querystring(_SELECT_ONE)

    def connections_in_use(self) -> int:
        return self.db.connections_in_use()

    @asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        await self.db.start()
        try:
            if self.settings.is_sqlite:
                # The embedded default keeps itself current: nothing to run by hand.
                applied = await schema.upgrade_to_head()
                if applied:
                    logger.info("applied migrations %s", ", ".join(applied))
            else:
                await schema.require_head()
            yield
        finally:
            await self.db.stop()
