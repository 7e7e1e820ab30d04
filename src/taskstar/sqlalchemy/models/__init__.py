"""The schema as SQLAlchemy models; Alembic migrations in ``../migrations`` must match it."""

from taskstar.sqlalchemy.models.api_token import ApiToken
from taskstar.sqlalchemy.models.base import Base
from taskstar.sqlalchemy.models.comment import Activity, Comment
from taskstar.sqlalchemy.models.event import Event
from taskstar.sqlalchemy.models.project import Project
from taskstar.sqlalchemy.models.tag import Tag
from taskstar.sqlalchemy.models.task import Task, task_tag
from taskstar.sqlalchemy.models.user import User
from taskstar.sqlalchemy.models.workspace import Membership, Workspace

__all__ = (
    "Activity",
    "ApiToken",
    "Base",
    "Comment",
    "Event",
    "Membership",
    "Project",
    "Tag",
    "Task",
    "User",
    "Workspace",
    "task_tag",
)
