"""The reads the services share, each a fixed number of statements whatever the page size.

Piccolo's query builder does the work where it can (joins by following foreign
keys, ``is_in`` with sub-selects); the caller lookup, which LEFT JOINs without a
foreign key to follow, and the keyset predicate are SQL fragments with bound
parameters.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from piccolo.columns.combination import WhereRaw
from piccolo.query.methods.select import Select
from piccolo.query.mixins import OrderByRaw

from taskstar.domain.listing import TaskFilters, sort_values
from taskstar.domain.resources import RESOURCES, ResourceRef
from taskstar.domain.tasks import SortField, SortOrder
from taskstar.piccolo.tables import Task, TaskTag, User

# --- the caller ----------------------------------------------------------------

# The workspace owning each addressed resource, from the resource table.
_WORKSPACE_OF = {
    resource.kind: "{}" if resource.is_workspace else f"(SELECT workspace_id FROM {resource.table} WHERE id = {{}})"
    for resource in RESOURCES
}
_USER = "u.id, u.email, u.name, u.created_at, u.updated_at"
# Found by id, or by an unexpired API token's hash with the token's limits: (columns, FROM, WHERE).
_BY_ID = (_USER, "FROM user_account u", "WHERE u.id = {}")
_BY_TOKEN = (
    f"{_USER}, t.id AS token_id, t.max_role, t.workspace_ids, t.last_used_at",
    "FROM api_token t JOIN user_account u ON u.id = t.user_id",
    "WHERE t.token_hash = {} AND t.expires_at > {}",
)


def _caller_statement(found_by: tuple[str, str, str], workspace: str | None) -> str:
    """The caller, LEFT JOINed to their membership in ``workspace`` (SQL with placeholders) if given."""
    columns, source, where = found_by
    if workspace is None:
        return f"SELECT {columns} {source} {where}"
    return (
        f"SELECT {columns}, m.workspace_id, m.role {source} "
        f"LEFT JOIN membership m ON m.user_id = u.id AND m.workspace_id = {workspace} {where}"
    )


_CALLER = {
    (found_by, kind): _caller_statement(statement, workspace)
    for found_by, statement in (("id", _BY_ID), ("token", _BY_TOKEN))
    for kind, workspace in ((None, None), *_WORKSPACE_OF.items())
}


async def caller(user_id: UUID, resource: ResourceRef | None) -> dict[str, Any] | None:
    """The user's public columns and, for a resource, their role and workspace there (or NULLs): one statement."""
    return await _caller("id", resource, user_id)


async def caller_by_token(token_hash: str, resource: ResourceRef | None, now: datetime) -> dict[str, Any] | None:
    """As :func:`caller`, for the API token with this hash unless it expired by ``now``, with the
    token's ``token_id``, ``max_role``, ``workspace_ids`` (decoded: a list, or ``None``) and
    ``last_used_at``: one statement."""
    row = await _caller("token", resource, token_hash, now)
    if row is not None and isinstance(row["workspace_ids"], str):  # JSON arrives as its text
        row["workspace_ids"] = json.loads(row["workspace_ids"])
    return row


async def _caller(found_by: str, resource: ResourceRef | None, *keys: Any) -> dict[str, Any] | None:
    # The resource's id comes first: the JOIN's placeholder precedes the WHERE's.
    arguments = keys if resource is None else (resource[1], *keys)
    rows = await User.raw(_CALLER[found_by, resource[0] if resource else None], *arguments)
    return rows[0] if rows else None


# --- tasks as responses show them ----------------------------------------------


@dataclass(slots=True)
class TaskView:
    """A task's columns plus ``project_key``, ``assignee_name``, ``reporter_name``; and its
    tags as ``{tag_id, name, color}`` rows, by name."""

    row: dict[str, Any]
    tags: list[dict[str, Any]]


def _view() -> Select[Task]:
    return Task.select(
        *Task._meta.columns,
        Task.project_id.key.as_alias("project_key"),
        Task.assignee_id.name.as_alias("assignee_name"),
        Task.reporter_id.name.as_alias("reporter_name"),
    )


def _tags_of(task_ids: Sequence[UUID]) -> Select[TaskTag]:
    return (
        TaskTag.select(TaskTag.task_id, TaskTag.tag_id, TaskTag.tag_id.name.as_alias("name"),
                       TaskTag.tag_id.color.as_alias("color"))
        .where(TaskTag.task_id.is_in(list(task_ids)))
        .order_by(TaskTag.tag_id.name_key)
    )  # fmt: skip


async def with_tags(rows: list[dict[str, Any]]) -> list[TaskView]:
    if not rows:
        return []
    tags: dict[UUID, list[dict[str, Any]]] = {}
    for tag in await _tags_of([row["id"] for row in rows]):
        tags.setdefault(tag["task_id"], []).append(tag)
    return [TaskView(row, tags.get(row["id"], [])) for row in rows]


async def task_views(workspace_id: UUID, task_ids: Sequence[UUID]) -> list[TaskView]:
    """Tasks in the order of ``task_ids``: two statements however many."""
    if not task_ids:
        return []
    found = await _view().where(Task.id.is_in(list(set(task_ids))), Task.workspace_id == workspace_id)
    by_id = {row["id"]: row for row in found}
    return await with_tags([by_id[task_id] for task_id in task_ids if task_id in by_id])


async def task_view(workspace_id: UUID, task_id: UUID) -> TaskView | None:
    views = await task_views(workspace_id, [task_id])
    return views[0] if views else None


# --- the task list: filters, sort, keyset ----------------------------------------


@dataclass(frozen=True)
class SortKey:
    """One ORDER BY term: its SQL, direction, how to read it off a row, its cursor type."""

    sql: str
    descending: bool
    field: str | None
    python_type: Any

    def value_of(self, row: dict[str, Any]) -> Any:
        if self.field is None:  # the "has no due date" key
            return int(row["due_date"] is None)
        return row[self.field]  # priorities are read as their stored rank


def sort_keys(sort: SortField, order: SortOrder) -> list[SortKey]:
    descending = order is SortOrder.DESC
    python_type = {
        SortField.NUMBER: int,
        SortField.CREATED_AT: datetime,
        SortField.UPDATED_AT: datetime,
        SortField.DUE_DATE: date | None,
        SortField.PRIORITY: int,  # the stored rank
        SortField.POSITION: float,
    }[sort]
    keys = []
    if sort is SortField.DUE_DATE:
        # Tasks without a due date sort last in both directions.
        keys.append(SortKey("(CASE WHEN task.due_date IS NULL THEN 1 ELSE 0 END)", False, None, int))
    keys.append(SortKey(f'task."{sort.value}"', descending, sort.value, python_type))
    keys.append(SortKey("task.id", descending, "id", UUID))  # the tie-break
    return keys


def _after(keys: Sequence[SortKey], after: Sequence[Any]) -> WhereRaw:
    """Rows strictly after ``after`` in the order of ``keys``, as an expanded row comparison."""
    values = sort_values(after, [key.python_type for key in keys])
    branches, arguments = [], []
    for index, key in enumerate(keys):
        if values[index] is None:  # NULLs sit at one end, ordered by the next key only
            continue
        terms, branch_arguments = [], []
        for earlier, value in zip(keys[:index], values[:index], strict=True):
            if value is None:
                terms.append(f"{earlier.sql} IS NULL")
            else:
                terms.append(f"{earlier.sql} = {{}}")
                branch_arguments.append(value)
        terms.append(f"{key.sql} {'<' if key.descending else '>'} {{}}")
        branches.append("(" + " AND ".join(terms) + ")")
        arguments += [*branch_arguments, values[index]]
    return WhereRaw("(" + (" OR ".join(branches) or "1 = 0") + ")", *arguments)


def _filtered(query: Any, filters: TaskFilters, *, is_sqlite: bool) -> Any:
    if filters.statuses:
        query = query.where(Task.status.is_in([status.value for status in filters.statuses]))
    if filters.priorities:
        query = query.where(Task.priority.is_in([priority.rank for priority in filters.priorities]))
    if filters.unassigned:
        query = query.where(Task.assignee_id.is_null())
    elif filters.assignee is not None:
        query = query.where(Task.assignee_id == filters.assignee)
    if filters.tag_ids:
        query = query.where(
            Task.id.is_in(TaskTag.select(TaskTag.task_id).where(TaskTag.tag_id.is_in(list(filters.tag_ids))))
        )
    if filters.text:
        # LIKE with the wildcards of the text escaped. SQLite's LIKE ignores ASCII case only: both
        # sides go through lower(), which is Unicode on Taskstar's connections (sqlite_functions).
        pattern = "%" + filters.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        like = "lower({}) LIKE lower({{}}) ESCAPE '\\'" if is_sqlite else "{} ILIKE {{}} ESCAPE '\\'"
        matches = f"({like.format('task.title')} OR {like.format('task.description')})"
        query = query.where(WhereRaw(matches, pattern, pattern))
    if filters.due_before is not None:
        query = query.where(Task.due_date < filters.due_before)
    if filters.due_after is not None:
        query = query.where(Task.due_date > filters.due_after)
    if filters.updated_after is not None:
        query = query.where(Task.updated_at > filters.updated_after)
    return query


async def task_page(
    workspace_id: UUID,
    project_id: UUID,
    filters: TaskFilters,
    sort: SortField,
    order: SortOrder,
    *,
    limit: int,
    offset: int,
    after: list[Any] | None,
    is_sqlite: bool,
) -> tuple[list[TaskView], int, list[Any] | None]:
    """A page, the total matching, and the sort values to continue after (None at the end)."""
    scope = (Task.workspace_id == workspace_id, Task.project_id == project_id)
    keys = sort_keys(sort, order)
    query = _filtered(_view().where(*scope), filters, is_sqlite=is_sqlite)
    for key in keys:
        query = query.order_by(OrderByRaw(key.sql), ascending=not key.descending)
    query = query.limit(limit + 1)
    query = query.where(_after(keys, after)) if after is not None else query.offset(offset)
    rows = await query
    more = len(rows) > limit
    rows = rows[:limit]
    total = await _filtered(Task.count().where(*scope), filters, is_sqlite=is_sqlite)
    return await with_tags(rows), total, [key.value_of(rows[-1]) for key in keys] if more else None
