"""The task list's query parameters, whitelisted by their types: anything else is a 400."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from litestar.di import NamedDependency
from litestar.params import QueryParameter

from taskstar.domain.errors import InvalidInput, StaleVersion
from taskstar.domain.listing import TaskFilters, TaskQuery
from taskstar.domain.tasks import Priority, SortField, SortOrder, Status
from taskstar.http.pagination import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET
from taskstar.http.schemas import NO_NUL


def provide_task_query(
    status: Annotated[list[Status] | None, QueryParameter(description="Any of these (repeatable)")] = None,
    priority: Annotated[list[Priority] | None, QueryParameter(description="Any of these (repeatable)")] = None,
    assignee_id: Annotated[
        str | None, QueryParameter(description="A user id, or `none` for unassigned tasks", max_length=36)
    ] = None,
    tag_id: Annotated[list[UUID] | None, QueryParameter(description="Any of these tags (repeatable)")] = None,
    q: Annotated[
        str | None, QueryParameter(description="Text in title or description", max_length=200, pattern=NO_NUL)
    ] = None,
    due_before: Annotated[date | None, QueryParameter(description="Due strictly before")] = None,
    due_after: Annotated[date | None, QueryParameter(description="Due strictly after")] = None,
    updated_after: Annotated[datetime | None, QueryParameter(description="Changed strictly after")] = None,
    order_by: Annotated[SortField, QueryParameter()] = SortField.NUMBER,
    sort_order: Annotated[SortOrder, QueryParameter()] = SortOrder.ASC,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    cursor: Annotated[
        str | None, QueryParameter(description="`next_cursor` of the previous page", max_length=2000)
    ] = None,
) -> TaskQuery:
    filters = TaskFilters(
        statuses=tuple(dict.fromkeys(status or ())),
        priorities=tuple(dict.fromkeys(priority or ())),
        assignee=_assignee(assignee_id),
        unassigned=assignee_id == "none",
        tag_ids=tuple(dict.fromkeys(tag_id or ())),
        text=q or None,
        due_before=due_before,
        due_after=due_after,
        updated_after=updated_after.replace(tzinfo=UTC)
        if updated_after and not updated_after.tzinfo
        else updated_after,
    )
    return TaskQuery(filters, order_by, sort_order, limit=limit, offset=offset, cursor=cursor)


def _assignee(raw: str | None) -> UUID | None:
    if raw is None or raw == "none":
        return None
    try:
        return UUID(raw)
    except ValueError:
        raise InvalidInput.on("assignee_id", "a user id or `none`") from None


def parse_if_match(raw: str | None) -> int | None:
    """``If-Match: "<version>"`` (weak or strong); ``*`` or no header means any version."""
    if raw is None or raw.strip() == "*":
        return None
    tag = raw.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise StaleVersion(f"If-Match {raw!r} matches no version of this task")
    return int(tag)


TaskListQuery = NamedDependency[TaskQuery]
