from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from piccolo.table import Table

from taskstar.piccolo.database import Database


class Service:
    def __init__(self, db: Database) -> None:
        self.db = db


def now() -> datetime:
    return datetime.now(UTC)


async def save_changes(row: Table, changes: Mapping[str, Any]) -> None:
    """One UPDATE of the columns that changed, and ``updated_at``; none when nothing did."""
    changed = {field: value for field, value in changes.items() if getattr(row, field) != value}
    if not changed:
        return
    for field, value in changed.items():
        setattr(row, field, value)
    row.updated_at = now()  # type: ignore[attr-defined]  # every Taskstar table has updated_at
    await row.save([row._meta.get_column_by_name(field) for field in (*changed, "updated_at")])
