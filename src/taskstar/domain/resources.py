"""The resource table: every workspace-owned resource a route can address, in one place.

Each row names the resource's kind, the path parameter that carries its id, and the SQL table that
stores it (both ORMs map the same tables). The guard reads the parameter to find the addressed
resource (``taskstar.http.guards``); each ORM reads the table to find the workspace owning it when
it loads the caller (``taskstar.sqlalchemy.repositories``, ``taskstar.piccolo.queries``); the
authorization matrix test walks the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

ResourceKind = Literal["workspace", "project", "task", "tag", "comment"]


@dataclass(frozen=True, slots=True)
class Resource:
    """A workspace-owned resource: ``parameter`` names its id in a route's path, ``table`` stores it
    (with a ``workspace_id`` column, except the workspace itself)."""

    kind: ResourceKind
    parameter: str
    table: str

    @property
    def is_workspace(self) -> bool:
        return self.kind == "workspace"


#: In the order the guard tries path parameters: a route's first listed parameter decides.
RESOURCES: tuple[Resource, ...] = (
    Resource("workspace", "workspace_id", "workspace"),
    Resource("project", "project_id", "project"),
    Resource("task", "task_id", "task"),
    Resource("tag", "tag_id", "tag"),
    Resource("comment", "comment_id", "comment"),
)
RESOURCE_BY_KIND: dict[ResourceKind, Resource] = {resource.kind: resource for resource in RESOURCES}

#: A workspace-owned resource a route addresses: its kind and id.
ResourceRef = tuple[ResourceKind, UUID]
