"""Task vocabulary and the rules every persistence path applies the same way."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Any
from uuid import UUID


class Status(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELED = "canceled"


class Priority(StrEnum):
    """Ordered by urgency; stored as its rank so that sorting by priority is sorting by a number."""

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return list(Priority).index(self)

    @classmethod
    def from_rank(cls, rank: int) -> Priority:
        return list(Priority)[rank]


class ActivityKind(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    MOVED = "moved"
    COMMENTED = "commented"


class SortField(StrEnum):
    NUMBER = "number"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    DUE_DATE = "due_date"
    PRIORITY = "priority"
    POSITION = "position"


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


MAX_BULK_ITEMS = 100


def completed_at_for(old: Status | None, new: Status, now: datetime, current: datetime | None) -> datetime | None:
    """Set on entering ``done``, cleared on leaving it, kept otherwise."""
    if new is Status.DONE:
        return current if old is Status.DONE else now
    return None


def task_key(project_key: str, number: int) -> str:
    return f"{project_key}-{number}"


def as_json(value: Any) -> Any:
    """A value as activity ``changes`` store it: ids, dates and enums as strings."""
    if isinstance(value, (list, tuple)):
        return [as_json(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (UUID, date, datetime)):
        return value.isoformat() if not isinstance(value, UUID) else str(value)
    return value


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value differs."""
    return {
        field: [as_json(before[field]), as_json(value)]
        for field, value in after.items()
        if as_json(before[field]) != as_json(value)
    }
