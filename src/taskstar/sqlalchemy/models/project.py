from __future__ import annotations

from uuid import UUID

from litestar.dto import dto_field
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from taskstar.sqlalchemy.models.base import Base


class Project(Base):
    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    workspace_id: Mapped[UUID] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(10))
    """2-10 upper-case letters and digits; prefixes task keys (``WEB-42``)."""
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    last_task_number: Mapped[int] = mapped_column(Integer, default=0, info=dto_field("private"))
    """Internal: the highest task number handed out. It only grows, so numbers are never reused."""
