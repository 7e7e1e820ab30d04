from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskstar.domain.tasks import ActivityKind
from taskstar.sqlalchemy.models.base import Base
from taskstar.sqlalchemy.models.user import User


class Comment(Base):
    __tablename__ = "comment"
    __table_args__ = (Index("ix_comment_task_created", "task_id", "created_at", "id"),)

    workspace_id: Mapped[UUID] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[UUID] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    author_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship(lazy="raise")


class Activity(Base):
    """One row per create, change, move and comment, written in the same transaction."""

    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_task_created", "task_id", "created_at", "id"),)

    workspace_id: Mapped[UUID] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[UUID] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    actor_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    kind: Mapped[ActivityKind] = mapped_column(String(16))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """``{field: [old, new]}``."""

    actor: Mapped[User | None] = relationship(lazy="raise")
