from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    Column,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskstar.domain.tasks import Priority, Status
from taskstar.sqlalchemy.models.base import Base
from taskstar.sqlalchemy.models.project import Project
from taskstar.sqlalchemy.models.tag import Tag


class PriorityRank(TypeDecorator[Priority]):
    """A priority stored as its rank (0 = none ... 4 = urgent): ORDER BY priority is by urgency."""

    impl = SmallInteger
    cache_ok = True

    def process_bind_param(self, value: Priority | None, dialect: Any) -> int | None:
        return None if value is None else Priority(value).rank

    def process_result_value(self, value: int | None, dialect: Any) -> Priority | None:
        return None if value is None else Priority.from_rank(value)


StatusColumn = Enum(
    Status, name="task_status", native_enum=False, length=16, values_callable=lambda s: [m.value for m in s]
)

task_tag = Table(
    "task_tag",
    Base.metadata,
    Column("task_id", ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        # One index per sort the list offers, each ending in id for the tie-break.
        Index("ix_task_project_created", "project_id", "created_at", "id"),
        Index("ix_task_project_updated", "project_id", "updated_at", "id"),
        Index("ix_task_project_due", "project_id", "due_date", "id"),
        Index("ix_task_project_priority", "project_id", "priority", "id"),
        Index("ix_task_project_position", "project_id", "position", "id"),
        Index("ix_task_project_status", "project_id", "status"),
        Index("ix_task_assignee", "assignee_id"),
    )

    workspace_id: Mapped[UUID] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[Status] = mapped_column(StatusColumn, default=Status.TODO)
    priority: Mapped[Priority] = mapped_column(PriorityRank, default=Priority.NONE)
    assignee_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reporter_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    due_date: Mapped[date | None] = mapped_column(Date)
    position: Mapped[float] = mapped_column(Float, default=0.0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    """Optimistic concurrency: every UPDATE checks and raises it (``version_id_col``)."""
    completed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    """Kept by the comment services in the same transaction as the comment."""

    project: Mapped[Project] = relationship(lazy="raise")
    tags: Mapped[list[Tag]] = relationship(
        secondary=task_tag, lazy="raise", order_by=Tag.name_key, passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}
