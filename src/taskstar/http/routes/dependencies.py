"""The services the routes inject, by port, and the one factory that provides them on every path.

A path hands :func:`service_dependencies` a table: dependency name to a builder that makes the
service from the request's unit of work (an ``AsyncSession``, a ``Session`` wrapped for worker
threads, or Piccolo's engine). The path also provides that unit of work as the ``unit_of_work``
dependency, so a service is built only for a route that asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from litestar.di import NamedDependency, Provide
from litestar.params import SkipValidation

from taskstar.ports import (
    CommentsPort,
    MembersPort,
    ProjectsPort,
    TagsPort,
    TasksPort,
    UsersPort,
    WorkspacesPort,
)

#: Builds a service from the request's unit of work.
ServiceBuilder = Callable[[Any], object]

UNIT_OF_WORK = "unit_of_work"

# Handler parameter types: ``workspaces: Workspaces`` injects the path's service for that port.
# ``SkipValidation``: the signature model cannot check a ``Protocol``; tests/test_ports.py does.
Users = NamedDependency[SkipValidation[UsersPort[Any]]]
Workspaces = NamedDependency[SkipValidation[WorkspacesPort]]
Members = NamedDependency[SkipValidation[MembersPort]]
Projects = NamedDependency[SkipValidation[ProjectsPort[Any]]]
Tags = NamedDependency[SkipValidation[TagsPort[Any]]]
Tasks = NamedDependency[SkipValidation[TasksPort]]
Comments = NamedDependency[SkipValidation[CommentsPort]]


def _provider(build: ServiceBuilder) -> Provide:
    def provide_service(unit_of_work: NamedDependency[SkipValidation[Any]]) -> Any:
        return build(unit_of_work)

    return Provide(provide_service, sync_to_thread=False)


def service_dependencies(builders: Mapping[str, ServiceBuilder]) -> dict[str, Provide]:
    """``{dependency name: Provide}`` for each service in ``builders`` (names as in
    ``taskstar.ports.PORTS``)."""
    return {name: _provider(build) for name, build in builders.items()}
