"""Per-request services on the app's Piccolo database (each write is its own unit of work)."""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import NamedDependency

from ..services.comments import CommentService
from ..services.members import MemberService
from ..services.projects import ProjectService
from ..services.tags import TagService
from ..services.tasks import TaskService
from ..services.users import UserService
from ..services.workspaces import WorkspaceService


def provide_user_service(state: State) -> UserService:
    return UserService(state.persistence.db)


def provide_workspace_service(state: State) -> WorkspaceService:
    return WorkspaceService(state.persistence.db)


def provide_member_service(state: State) -> MemberService:
    return MemberService(state.persistence.db)


def provide_project_service(state: State) -> ProjectService:
    return ProjectService(state.persistence.db)


def provide_tag_service(state: State) -> TagService:
    return TagService(state.persistence.db)


def provide_task_service(state: State) -> TaskService:
    return TaskService(state.persistence.db)


def provide_comment_service(state: State) -> CommentService:
    return CommentService(state.persistence.db)


# Handler parameter types: ``workspaces: Workspaces`` injects the request's WorkspaceService.
Users = NamedDependency[UserService]
Workspaces = NamedDependency[WorkspaceService]
Members = NamedDependency[MemberService]
Projects = NamedDependency[ProjectService]
Tags = NamedDependency[TagService]
Tasks = NamedDependency[TaskService]
Comments = NamedDependency[CommentService]
