from __future__ import annotations

from typing import Any
from uuid import UUID

from advanced_alchemy.types import GUID
from sqlalchemy import JSON, BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskstar.domain.events import EventKind
from taskstar.sqlalchemy.models.base import Base
from taskstar.sqlalchemy.models.user import User


class Event(Base):
    """One committed change in a workspace (contract v1.1, "The event feed"), written in the
    change's own transaction; pruned after the retention window (``TASKSTAR_EVENT_RETENTION_DAYS``)."""

    __tablename__ = "event"
    # The feed reads "events of a workspace after n": this unique index serves it and refuses a
    # number given twice.
    __table_args__ = (UniqueConstraint("workspace_id", "sequence", name="uq_event_workspace_sequence"),)

    workspace_id: Mapped[UUID] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(BigInteger)
    """Rises by one per event of the workspace, in commit order."""
    kind: Mapped[EventKind] = mapped_column(String(32))
    project_id: Mapped[UUID | None] = mapped_column(GUID)
    """No foreign key: a ``project.deleted`` event outlives its project."""
    subject_id: Mapped[UUID] = mapped_column(GUID)
    """The task, comment, project, tag, member's user or workspace; no foreign key, as above."""
    actor_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The resource as its GET answered after the change."""
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """``{field: [old, new]}``."""

    actor: Mapped[User | None] = relationship(lazy="raise")
