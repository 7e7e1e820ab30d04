"""The caller as the services see them: who they are and what role they hold where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from taskstar.domain.roles import Role


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated user, loaded once per request."""

    id: UUID
    email: str
    name: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Membership:
    """The caller's role in the workspace that owns the addressed resource."""

    workspace_id: UUID
    user_id: UUID
    role: Role
