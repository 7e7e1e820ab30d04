"""The caller as the services see them: who they are and what role they hold where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from taskstar.domain.roles import Role

if TYPE_CHECKING:
    from taskstar.domain.api_tokens import TokenLimits


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated user, loaded once per request.

    ``token`` is set when the request came with a personal API token (``tsk_...``) rather than a
    login token: its limits then apply to every workspace the request touches.
    """

    id: UUID
    email: str
    name: str
    created_at: datetime
    updated_at: datetime
    token: TokenLimits | None = None


@dataclass(frozen=True, slots=True)
class Membership:
    """The caller's role in the workspace that owns the addressed resource."""

    workspace_id: UUID
    user_id: UUID
    role: Role
