"""What every SQLAlchemy service shares: the request's session and lazily built repositories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar, overload

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy.ext.asyncio import AsyncSession

from taskstar.domain.access import Membership
from taskstar.domain.events import EventDraft

from ..repositories import EventRepository

R = TypeVar("R", bound=SQLAlchemyAsyncRepository[Any])


class repository(Generic[R]):
    """A repository on the service's session, built on first use.

    Building one inspects its model (primary keys, a base statement); a service that
    builds all of its repositories for every request spent a visible share of a
    read's CPU on ones it never used.
    """

    def __init__(self, kind: type[R]) -> None:
        self.kind = kind

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, service: None, owner: type[Any]) -> repository[R]: ...
    @overload
    def __get__(self, service: Service, owner: type[Any]) -> R: ...
    def __get__(self, service: Service | None, owner: type[Any]) -> R | repository[R]:
        if service is None:
            return self
        built = self.kind(session=service.session, auto_refresh=False)
        service.__dict__[self.name] = built  # later reads find the instance attribute
        return built


class Service:
    events = repository(EventRepository)

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def commit_with_events(self, access: Membership, drafts: Sequence[EventDraft]) -> None:
        """Record ``drafts`` as the workspace's next events, by the caller, then commit: the change
        and its events in one transaction, the event counter's lock held only until this commit
        (``taskstar.domain.events``)."""
        await self.events.record(access.workspace_id, access.user_id, drafts)
        await self.session.commit()
