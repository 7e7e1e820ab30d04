from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC
from litestar.dto import dto_field
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from taskstar.domain.roles import Role
from taskstar.sqlalchemy.models.base import Base
from taskstar.sqlalchemy.models.workspace import RoleColumn


class ApiToken(Base):
    """A personal API token (``taskstar.domain.api_tokens``): its hash, never the token itself.

    Revoking deletes the row; deleting the user deletes their tokens (``ON DELETE CASCADE``).
    """

    __tablename__ = "api_token"
    __table_args__ = (
        # GET /api/me/tokens: one user's tokens, newest first.
        Index("ix_api_token_user_created", "user_id", "created_at"),
    )

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info=dto_field("private"))
    """SHA-256 of the token, hex: every token-authenticated request looks the token up by it."""
    prefix: Mapped[str] = mapped_column(String(12))
    workspace_ids: Mapped[list[str] | None] = mapped_column(JSON())
    """The workspaces the token may reach, as UUID strings; ``NULL`` for all of the user's. A
    JSON list rather than a link table: it is read with the token in the caller's one query, and
    the limit is applied by ``TokenLimits`` in Python on both databases."""
    max_role: Mapped[Role] = mapped_column(RoleColumn)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


def workspace_id_list(workspace_ids: Any) -> list[str] | None:
    """The column's value for a set of workspace ids (``None`` for every workspace)."""
    return None if workspace_ids is None else sorted(str(workspace_id) for workspace_id in workspace_ids)
