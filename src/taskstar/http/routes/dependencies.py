"""The services the routes inject, by port, and the one factory that provides them on every path.

A path hands :func:`service_dependencies` a table (dependency name to a builder that makes the
service from the request's unit of work: an ``AsyncSession``, a ``Session`` wrapped for worker
threads, or Piccolo's ``Database``) and the function that reads that unit of work from what
Litestar injects (the SQLAlchemy plugin's ``db_session``, the app's ``state``). A service is
built only for a route that asks for it, one dependency level above what Litestar provides.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from litestar.di import NamedDependency, Provide
from litestar.params import SkipValidation

from taskstar.ports import (
    ApiTokensPort,
    CommentsPort,
    EventsPort,
    MembersPort,
    ProjectsPort,
    TagsPort,
    TasksPort,
    UsersPort,
    WorkspacesPort,
)

#: Builds a service from the request's unit of work.
ServiceBuilder = Callable[[Any], object]

# Handler parameter types: ``workspaces: Workspaces`` injects the path's service for that port.
# ``SkipValidation``: the signature model cannot check a ``Protocol``; tests/test_ports.py does.
Users = NamedDependency[SkipValidation[UsersPort[Any]]]
ApiTokens = NamedDependency[SkipValidation[ApiTokensPort]]
Workspaces = NamedDependency[SkipValidation[WorkspacesPort]]
Members = NamedDependency[SkipValidation[MembersPort]]
Projects = NamedDependency[SkipValidation[ProjectsPort[Any]]]
Tags = NamedDependency[SkipValidation[TagsPort[Any]]]
Tasks = NamedDependency[SkipValidation[TasksPort]]
Comments = NamedDependency[SkipValidation[CommentsPort]]
Events = NamedDependency[SkipValidation[EventsPort]]


def _provider(build: ServiceBuilder, unit_of_work: Callable[..., Any]) -> Provide:
    # The provider takes ``unit_of_work``'s own parameters (``functools.wraps`` gives it that
    # signature and those annotations), so Litestar injects them directly: no dependency level
    # of its own for the unit of work, which each request would resolve.
    @functools.wraps(unit_of_work)
    def provide_service(*args: Any, **kwargs: Any) -> Any:
        return build(unit_of_work(*args, **kwargs))

    return Provide(provide_service, sync_to_thread=False)


def service_dependencies(
    builders: Mapping[str, ServiceBuilder], unit_of_work: Callable[..., Any]
) -> dict[str, Provide]:
    """``{dependency name: Provide}`` for each service in ``builders`` (names as in
    ``taskstar.ports.PORTS``), each built on what ``unit_of_work`` returns from its own injected
    parameters (``def session_of(db_session: ...) -> AsyncSession``)."""
    return {name: _provider(build, unit_of_work) for name, build in builders.items()}
