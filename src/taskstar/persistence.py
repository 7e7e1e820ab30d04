"""The port between the shared HTTP edge and a persistence path.

Auth, guards, error mapping and the operations endpoints talk to the database
only through this protocol, so each path (SQLAlchemy async, split, sync,
Piccolo) plugs in beside the others without the edge knowing which it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.connection import ASGIConnection
    from litestar.di import Provide
    from litestar.plugins import PluginProtocol
    from litestar.types import ControllerRouterHandler

    from taskstar.domain.access import Caller, Membership
    from taskstar.domain.errors import DomainError
    from taskstar.domain.resources import ResourceRef
    from taskstar.ports import EventsPort


class PersistencePath(Protocol):
    # Read-only members (properties), so that a path may hold narrower types (a dict, a tuple).
    @property
    def name(self) -> str: ...

    @property
    def plugins(self) -> Sequence[PluginProtocol]:
        """Litestar plugins that wire the ORM (engine, session, serialization, CLI)."""
        ...

    @property
    def route_handlers(self) -> Sequence[ControllerRouterHandler]:
        """The API's controllers, built on this path's services."""
        ...

    @property
    def dependencies(self) -> Mapping[str, Provide]: ...

    @property
    def error_translations(self) -> Mapping[type[Exception], Callable[[Any], DomainError | None]]:
        """This path's own exceptions, as domain errors (a unique violation is a Conflict)."""
        ...

    def lifespan(self, app: Litestar) -> AbstractAsyncContextManager[None]:
        """Prepares the schema at start (migrate, or refuse an outdated one)."""
        ...

    async def load_caller(
        self, connection: ASGIConnection[Any, Any, Any, Any], user_id: UUID, resource: ResourceRef | None
    ) -> tuple[Caller, Membership | None] | None:
        """The user behind a token (``None`` if they no longer exist) and, when the route addresses a
        workspace-owned resource, their membership in its workspace (``None`` for strangers), in one
        round trip: every scoped request needs both."""
        ...

    async def load_token_caller(
        self,
        connection: ASGIConnection[Any, Any, Any, Any],
        token_hash: str,
        resource: ResourceRef | None,
        now: datetime,
    ) -> tuple[Caller, Membership | None] | None:
        """As :meth:`load_caller`, for the unexpired API token whose SHA-256 is ``token_hash``
        (``None`` for a revoked, expired or unknown token, or a deleted user); ``Caller.token``
        holds the token's limits, the membership is the user's own (the edge applies the limits)."""
        ...

    async def record_token_uses(self, uses: Mapping[UUID, datetime]) -> None:
        """Write API tokens' ``last_used_at`` (token id to moment of use) in a transaction of its
        own, outside any request's."""
        ...

    def open_events(self) -> AbstractAsyncContextManager[EventsPort]:
        """The events port on a unit of work of its own, outside any request (the live streams'
        reads): its connection goes back to the pool when the block ends."""
        ...

    async def prune_events(self, cutoff: datetime) -> int:
        """Delete the event feed's events created before ``cutoff`` (``EventsPort.prune``), in
        transactions of its own; returns how many were deleted."""
        ...

    async def ping(self) -> None:
        """One round trip to the database; raises when it does not answer."""
        ...

    def on_statement(self, listener: Callable[[object], None]) -> None:
        """Call ``listener`` with every SQL statement sent (``/metrics``, query budgets in tests):
        its text, or an object whose ``str()`` is its text (rendered only when asked for)."""
        ...

    def connections_in_use(self) -> int:
        """Pooled connections checked out right now (for ``/metrics``)."""
        ...
