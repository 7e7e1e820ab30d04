"""The task routes' inputs beyond path and body: the list's query parameters, whitelisted by
their types (anything else is a 400), and the conditional header fields (``If-Match``,
``If-None-Match``) read into ``domain.preconditions.Preconditions``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Schema
from litestar.params import FromPath, HeaderParameter, QueryParameter

from taskstar.contract import NO_NUL
from taskstar.domain.errors import InvalidInput
from taskstar.domain.listing import TaskFilters, TaskQuery
from taskstar.domain.preconditions import FIELD_VALUE_PATTERN, Preconditions
from taskstar.domain.tasks import Priority, SortField, SortOrder, Status
from taskstar.http.pagination import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET

#: ``none`` or a UUID in its canonical form (RFC 9562 4: 8-4-4-4-12 hexadecimal digits).
ASSIGNEE_PATTERN = r"^(none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"


def provide_task_query(
    state: State,
    project_id: FromPath[UUID],
    status: Annotated[list[Status] | None, QueryParameter(description="Any of these (repeatable)")] = None,
    priority: Annotated[list[Priority] | None, QueryParameter(description="Any of these (repeatable)")] = None,
    assignee_id: Annotated[
        str | None,
        QueryParameter(
            description="a user id or none",
            # Checked by Litestar with the other parameters, so one 400 names them all
            # (msgspec takes no union of UUID and a literal); documented as what it is.
            pattern=ASSIGNEE_PATTERN,
            schema_extra={"oneOf": [Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.UUID), Schema(const="none")]},
        ),
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
        # Sorted sets: the same filters in another order are the same list (and cursor fingerprint).
        statuses=tuple(sorted(set(status or ()))),
        priorities=tuple(sorted(set(priority or ()))),
        assignee=UUID(assignee_id) if assignee_id is not None and assignee_id != "none" else None,
        unassigned=assignee_id == "none",
        tag_ids=tuple(sorted(set(tag_id or ()))),
        text=q or None,
        due_before=due_before,
        due_after=due_after,
        updated_after=_in_utc(updated_after, field="updated_after"),
    )
    return TaskQuery(
        filters,
        order_by,
        sort_order,
        limit=limit,
        offset=offset,
        cursor=cursor,
        list_of=project_id,
        cursor_key=state[CURSOR_KEY_STATE],
    )


def _in_utc(value: datetime | None, *, field: str) -> datetime | None:
    """``value`` in UTC (a value without an offset is taken as UTC, as the contract's timestamps
    are); ``InvalidInput`` when UTC cannot hold it (``9999-12-31T23:59:59-01:00`` is in year 10000),
    before any driver converts it and overflows."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise InvalidInput.on(field, "out of range once converted to UTC (years 1 to 9999)") from None


#: A header field is a string or absent, never null: the document says so, with its syntax.
_ENTITY_TAGS_SCHEMA = {"oneOf": None, "type": OpenAPIType.STRING, "pattern": FIELD_VALUE_PATTERN}


def provide_preconditions(
    request: Request[Any, Any, Any],
    if_match: Annotated[
        str | None,
        HeaderParameter(
            name="If-Match",
            description='Entity tags (RFC 9110 13.1.1), e.g. `"3"` from the `ETag`, or `*`; 412 when none matches',
            schema_extra=_ENTITY_TAGS_SCHEMA,
        ),
    ] = None,
    if_none_match: Annotated[
        str | None,
        HeaderParameter(
            name="If-None-Match",
            description="Entity tags (RFC 9110 13.1.2): a read that lists the current one answers 304, a change 412",
            schema_extra=_ENTITY_TAGS_SCHEMA,
        ),
    ] = None,
) -> Preconditions:
    """The request's ``If-Match`` and ``If-None-Match``. The parameters above declare them for the
    OpenAPI document; their values are read here from every line of each field, combined into
    one list as RFC 9110 5.3 says (a second ``If-Match`` line is not dropped), and an empty field
    stays a field that names no tag (``If-Match:`` with nothing after it fails, 13.1.1)."""
    del if_match, if_none_match  # one line each, and an empty one read as absent: not enough
    return Preconditions.from_fields(_field_lines(request, "If-Match"), _field_lines(request, "If-None-Match"))


def _field_lines(request: Request[Any, Any, Any], name: str) -> str | None:
    lines = request.headers.getall(name, [])
    return ", ".join(lines) if lines else None


def not_modified(version: int) -> Response[Any]:
    """304 Not Modified for a task whose ``ETag`` the client already holds (RFC 9110 15.4.5): no
    body, so it stands in for the route's own response type."""
    return Response(None, status_code=304, headers={"ETag": f'"{version}"'})


TaskListQuery = NamedDependency[TaskQuery]
#: Handler parameter type: the request's ``If-Match`` and ``If-None-Match``.
TaskPreconditions = NamedDependency[Preconditions]

#: The app state key of the cursor signing key (``domain.listing.cursor_signing_key``).
CURSOR_KEY_STATE = "cursor_key"
