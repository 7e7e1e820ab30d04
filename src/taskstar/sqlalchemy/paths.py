"""The SQLAlchemy persistence paths, as the shared edge sees them.

``sqlalchemy-async``: the combined ``SQLAlchemyPlugin`` (engine and session
injection, lifecycle, the ``database`` CLI, and serialization support).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from litestar import Litestar
from litestar.connection import ASGIConnection
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

from taskstar.domain.access import Caller, Membership
from taskstar.http.ops import DB_STATEMENTS
from taskstar.persistence import ResourceRef
from taskstar.settings import Settings
from taskstar.sqlalchemy.controllers.auth import AuthController, me
from taskstar.sqlalchemy.controllers.comments import CommentController
from taskstar.sqlalchemy.controllers.members import MemberController
from taskstar.sqlalchemy.controllers.projects import ProjectController
from taskstar.sqlalchemy.controllers.tags import TagController
from taskstar.sqlalchemy.controllers.tasks import TaskController
from taskstar.sqlalchemy.controllers.workspaces import WorkspaceController
from taskstar.sqlalchemy.database import build_config
from taskstar.sqlalchemy.errors import ERROR_TRANSLATIONS
from taskstar.sqlalchemy.schema import require_head, upgrade_to_head
from taskstar.sqlalchemy.services.users import UserService

logger = logging.getLogger("taskstar.sqlalchemy")


def _count_statement(*_args: Any) -> None:
    DB_STATEMENTS.inc()


class SQLAlchemyAsyncPath:
    name = "sqlalchemy-async"
    route_handlers = (
        AuthController,
        me,
        WorkspaceController,
        MemberController,
        ProjectController,
        TagController,
        TaskController,
        CommentController,
    )
    dependencies: dict[str, Any] = {}
    error_translations = ERROR_TRANSLATIONS

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.config = build_config(settings)
        self.plugins = (SQLAlchemyPlugin(config=self.config),)
        event.listen(self.config.get_engine().sync_engine, "before_cursor_execute", _count_statement)

    def _session(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AsyncSession:
        """The request's own session (created on first use, closed by the plugin)."""
        return self.config.provide_session(connection.app.state, connection.scope)

    async def load_caller(
        self, connection: ASGIConnection[Any, Any, Any, Any], user_id: UUID, resource: ResourceRef | None
    ) -> tuple[Caller, Membership | None] | None:
        return await UserService(self._session(connection)).caller(user_id, resource)

    async def ping(self) -> None:
        async with self.config.get_engine().connect() as connection:
            await connection.execute(text("SELECT 1"))

    def connections_in_use(self) -> int:
        pool = self.config.get_engine().pool
        return int(getattr(pool, "checkedout", lambda: 0)())

    @asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        engine = self.config.get_engine()
        if self.settings.is_sqlite:
            # The embedded default keeps itself current: nothing to run by hand.
            await upgrade_to_head(engine)
        else:
            await require_head(engine)
        yield
