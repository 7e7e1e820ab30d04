"""Workspace roles and the permission matrix: who may do what, in one place."""

from __future__ import annotations

from enum import StrEnum

from taskstar.domain.errors import Forbidden


class Role(StrEnum):
    """Roles in rising power; comparison follows that order."""

    VIEWER = "viewer"
    MEMBER = "member"
    ADMIN = "admin"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


_RANK = {role: rank for rank, role in enumerate(Role)}


class Action(StrEnum):
    """Every action on a workspace-owned resource that a route can perform."""

    READ_WORKSPACE = "workspace:read"
    UPDATE_WORKSPACE = "workspace:update"
    DELETE_WORKSPACE = "workspace:delete"
    READ_MEMBERS = "members:read"
    MANAGE_MEMBERS = "members:manage"
    READ = "content:read"
    """Read projects, tags, tasks, comments and activity."""
    WRITE = "content:write"
    """Create and change projects, tags, tasks and comments."""
    DELETE_PROJECT = "project:delete"
    MANAGE_TAGS = "tags:manage"
    """Rename, recolor or delete a tag."""


#: The least role each action needs. Rules that depend on more than the
#: caller's role (only an owner grants or touches ``owner``; the last owner
#: stays) live in the services, which call :func:`authorize` first.
MINIMUM_ROLE: dict[Action, Role] = {
    Action.READ_WORKSPACE: Role.VIEWER,
    Action.UPDATE_WORKSPACE: Role.ADMIN,
    Action.DELETE_WORKSPACE: Role.OWNER,
    Action.READ_MEMBERS: Role.VIEWER,
    Action.MANAGE_MEMBERS: Role.ADMIN,
    Action.READ: Role.VIEWER,
    Action.WRITE: Role.MEMBER,
    Action.DELETE_PROJECT: Role.ADMIN,
    Action.MANAGE_TAGS: Role.ADMIN,
}


def authorize(role: Role, action: Action) -> None:
    """Raise :class:`Forbidden` unless ``role`` may perform ``action``."""
    needed = MINIMUM_ROLE[action]
    if not role.at_least(needed):
        raise Forbidden(f"This action needs the {needed.value} role or higher; you are {role.value}")
