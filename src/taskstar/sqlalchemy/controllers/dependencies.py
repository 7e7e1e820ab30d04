"""Per-request services built on the request's session (one unit of work per request)."""

from __future__ import annotations

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from ..services.comments import CommentService
from ..services.members import MemberService
from ..services.projects import ProjectService
from ..services.tags import TagService
from ..services.tasks import TaskService
from ..services.users import UserService
from ..services.workspaces import WorkspaceService


def provide_user_service(db_session: NamedDependency[AsyncSession]) -> UserService:
    return UserService(db_session)


def provide_workspace_service(db_session: NamedDependency[AsyncSession]) -> WorkspaceService:
    return WorkspaceService(db_session)


def provide_member_service(db_session: NamedDependency[AsyncSession]) -> MemberService:
    return MemberService(db_session)


def provide_project_service(db_session: NamedDependency[AsyncSession]) -> ProjectService:
    return ProjectService(db_session)


def provide_tag_service(db_session: NamedDependency[AsyncSession]) -> TagService:
    return TagService(db_session)


def provide_task_service(db_session: NamedDependency[AsyncSession]) -> TaskService:
    return TaskService(db_session)


def provide_comment_service(db_session: NamedDependency[AsyncSession]) -> CommentService:
    return CommentService(db_session)


# Handler parameter types: ``workspaces: Workspaces`` injects the request's WorkspaceService.
Users = NamedDependency[UserService]
Workspaces = NamedDependency[WorkspaceService]
Members = NamedDependency[MemberService]
Projects = NamedDependency[ProjectService]
Tags = NamedDependency[TagService]
Tasks = NamedDependency[TaskService]
Comments = NamedDependency[CommentService]
