"""A workspace's event feed: every committed change, gap-free in commit order (contract v1.1)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import FromPath, HeaderParameter, QueryParameter
from litestar.response import ServerSentEvent

from taskstar.contract import EventPage
from taskstar.domain.access import Caller
from taskstar.domain.api_tokens import TokenLimits
from taskstar.domain.errors import InvalidInput
from taskstar.domain.roles import Action
from taskstar.http.guards import ACTION_KEY, CurrentMembership
from taskstar.http.live import LIVE_FEEDS_STATE, LiveFeeds, ShuttingDown, TooManyStreams
from taskstar.http.openapi import problems
from taskstar.http.pagination import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET
from taskstar.http.problems import problem
from taskstar.http.routes.dependencies import Events
from taskstar.http.stream_leases import MAX_STREAMS_PER_USER

#: A position in the feed: events with a greater ``sequence`` come next.
After = Annotated[
    int,
    QueryParameter(
        ge=0,
        le=MAX_OFFSET,
        description="Only events with a greater `sequence`: 0 for the oldest kept, then the last `sequence` "
        "received (a page's `next_after`). Older than the kept events: 410.",
    ),
]


class EventController(Controller):
    path = "/api/workspaces/{workspace_id:uuid}/events"
    tags = ["events"]

    @get(operation_id="listEvents", responses=problems(404, 410), opt={ACTION_KEY: Action.READ})
    async def list_events(
        self,
        workspace_id: FromPath[UUID],
        events: Events,
        access: CurrentMembership,
        after: After = 0,
        limit: Annotated[
            int, QueryParameter(ge=1, le=MAX_LIMIT, description="Events per page (1-100; never clamped)")
        ] = DEFAULT_LIMIT,
    ) -> EventPage:
        """The workspace's events after `after`, oldest first (viewer+). A client that polls with
        the `next_after` it got never misses an event, even one whose transaction began before and
        committed after events it has already read, and never sees one twice. Events are kept
        `TASKSTAR_EVENT_RETENTION_DAYS` days (30 by default); an `after` older than what is kept is
        a 410 whose `resume_after` says where to read on once the client has reloaded what it shows."""
        items, next_after = await events.page(access, after=after, limit=limit)
        return EventPage(items=list(items), next_after=next_after)

    @get(
        "/stream",
        operation_id="streamEvents",
        responses=problems(404, 410, 429, 503),
        opt={ACTION_KEY: Action.READ},
        media_type="text/event-stream",
        response_description="Server-Sent Events: `id: <sequence>`, `event: <kind>`, `data: <an EventRead as JSON>`; "
        "comment lines (`: keep-alive`) between them.",
    )
    async def stream_events(
        self,
        request: Request[Caller, Any, Any],
        workspace_id: FromPath[UUID],
        events: Events,
        access: CurrentMembership,
        after: After = 0,
        last_event_id: Annotated[
            int | None,
            HeaderParameter(
                name="Last-Event-ID",
                ge=0,
                le=MAX_OFFSET,
                description="The `id` of the last event received: what a reconnecting EventSource sends.",
            ),
        ] = None,
    ) -> ServerSentEvent:
        """The workspace's events live, as Server-Sent Events (viewer+): each as `id: <sequence>`,
        `event: <kind>`, `data: <the event as JSON>`. It starts after `Last-Event-ID` (or `after`)
        with nothing missed, then sends each event within a second of its commit by any worker
        process; a comment line (`: keep-alive`) at least every 15 s keeps proxies from closing it.
        It ends when the caller stops being a member or its token expires or is revoked. Each user
        may hold 10 open streams (429 beyond); a start older than the kept events is a 410."""
        start = last_event_id if last_event_id is not None else after
        try:
            await events.page(access, after=start, limit=1)  # 410 when events after it were pruned
        except InvalidInput as error:
            if last_event_id is None:
                raise
            # The position came from the header: name it, as a malformed header is named.
            raise InvalidInput.on("last_event_id", error.detail) from None
        feeds: LiveFeeds = request.app.state[LIVE_FEEDS_STATE]
        token = request.auth if isinstance(request.auth, TokenLimits) else None
        try:
            messages = await feeds.open_stream(
                workspace_id,
                user_id=access.user_id,
                token_id=token.token_id if token else None,
                expires_at=None if token else getattr(request.auth, "exp", None),
                after=start,
            )
        except TooManyStreams:
            detail = f"You hold {MAX_STREAMS_PER_USER} open event streams already; close one first"
            raise problem(429, detail, headers={"Retry-After": "5"}) from None
        except ShuttingDown:
            raise problem(503, "The server is stopping; reconnect", headers={"Retry-After": "1"}) from None
        # no-store: an event stream is never a cached answer; X-Accel-Buffering: nginx passes it on as it comes.
        return ServerSentEvent(messages, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
