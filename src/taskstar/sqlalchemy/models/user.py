from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.dto import dto_field
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskstar.sqlalchemy.models.base import Base

if TYPE_CHECKING:
    from taskstar.sqlalchemy.models.workspace import Membership


class User(Base):
    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    """Stored lower-cased, so uniqueness ignores case."""
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255), info=dto_field("private"))
    """argon2id; private: no DTO or response struct carries it, in either direction."""

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user",
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        info=dto_field("private"),
    )
