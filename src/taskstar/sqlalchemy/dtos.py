"""Explicit DTOs, for the responses automatic serialization does not cover.

Handlers that return a model (``-> Project``) are serialized by advanced-alchemy's
``SQLAlchemySerializationPlugin`` with a DTO it builds from the model, leaving
out the columns the model marks ``dto_field("private")``. The plugin recognizes
a model or a list of models, not a page wrapper: ``OffsetPagination[Project]``
names its DTO here. Shapes that join or nest (tasks, comments, members,
workspaces with the caller's role, activity) are contract structs in
``taskstar.contract``, and so is every request body: DTOs do not enforce the
contract's lengths and patterns.
"""

from __future__ import annotations

from advanced_alchemy.extensions.litestar import SQLAlchemyDTO

from taskstar.contract import ProjectCreate, ProjectUpdate, TagCreate, TagUpdate, WorkspaceCreate, WorkspaceUpdate
from taskstar.http.routes.shapes import ModelShapes, PathShapes, RequestBody, UserShapes
from taskstar.sqlalchemy.models import Project, Tag, User


class ProjectDTO(SQLAlchemyDTO[Project]):
    """A project as the contract shows it (``last_task_number`` is private on the model)."""


class TagDTO(SQLAlchemyDTO[Tag]):
    """A tag as the contract shows it (``name_key`` is private on the model)."""


#: What the three SQLAlchemy paths declare to the shared routes: models returned with no DTO
#: declared (the serialization plugin builds one), a named DTO for pages, contract structs for bodies.
SQLALCHEMY_SHAPES = PathShapes(
    user=UserShapes(model=User),
    project=ModelShapes(
        model=Project, create=RequestBody(ProjectCreate), update=RequestBody(ProjectUpdate), page_dto=ProjectDTO
    ),
    tag=ModelShapes(model=Tag, create=RequestBody(TagCreate), update=RequestBody(TagUpdate), page_dto=TagDTO),
    workspace_create=RequestBody(WorkspaceCreate),
    workspace_update=RequestBody(WorkspaceUpdate),
)
