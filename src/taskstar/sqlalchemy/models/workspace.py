from __future__ import annotations

from uuid import UUID

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskstar.domain.roles import Role
from taskstar.sqlalchemy.models.base import Base
from taskstar.sqlalchemy.models.user import User

RoleColumn = Enum(
    Role,
    name="workspace_role",
    native_enum=False,
    length=16,
    values_callable=lambda roles: [role.value for role in roles],
    validate_strings=True,
)


class Workspace(Base):
    __tablename__ = "workspace"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(50), unique=True)
    """Lower-case letters, digits and hyphens; unique across the installation."""
    event_sequence: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    """The last event ``sequence`` given in this workspace. Writers take their numbers from it with
    an UPDATE as their transaction's last step: the row lock that takes makes sequence order commit
    order (``taskstar.domain.events``)."""

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="workspace", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class Membership(Base):
    """A user's role in a workspace; strangers have no row and see 404s."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id"),
        # "my workspaces" and every tenancy check look memberships up by user.
        Index("ix_membership_user_workspace", "user_id", "workspace_id"),
    )

    workspace_id: Mapped[UUID] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(RoleColumn)

    workspace: Mapped[Workspace] = relationship(back_populates="memberships", lazy="raise")
    user: Mapped[User] = relationship(back_populates="memberships", lazy="raise")
