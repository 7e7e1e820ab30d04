"""Per-request services built on the request's session (one unit of work per request)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from taskstar.sqlalchemy.services.members import MemberService
from taskstar.sqlalchemy.services.users import UserService
from taskstar.sqlalchemy.services.workspaces import WorkspaceService


def provide_user_service(db_session: AsyncSession) -> UserService:
    return UserService(db_session)


def provide_workspace_service(db_session: AsyncSession) -> WorkspaceService:
    return WorkspaceService(db_session)


def provide_member_service(db_session: AsyncSession) -> MemberService:
    return MemberService(db_session)
