"""The schema as SQLAlchemy models; Alembic migrations in ``../migrations`` must match it."""

from taskstar.sqlalchemy.models.base import Base
from taskstar.sqlalchemy.models.user import User
from taskstar.sqlalchemy.models.workspace import Membership, Workspace

__all__ = ("Base", "Membership", "User", "Workspace")
