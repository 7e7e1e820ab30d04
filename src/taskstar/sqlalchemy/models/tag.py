from __future__ import annotations

from uuid import UUID

from litestar.dto import dto_field
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from taskstar.sqlalchemy.models.base import Base


class Tag(Base):
    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("workspace_id", "name_key"),)

    workspace_id: Mapped[UUID] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), info=dto_field("private"))
    """Internal: the lower-cased name, so uniqueness ignores case on every database."""
    color: Mapped[str] = mapped_column(String(7))
    """``#rrggbb``."""
