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

from taskstar.sqlalchemy.models import Project, Tag


class ProjectDTO(SQLAlchemyDTO[Project]):
    """A project as the contract shows it (``last_task_number`` is private on the model)."""


class TagDTO(SQLAlchemyDTO[Tag]):
    """A tag as the contract shows it (``name_key`` is private on the model)."""
