"""What a persistence path declares for the routes that show its own DTO machinery.

The routes are written once (``taskstar.http.routes``). Where the seed asks a path to show how
its ORM meets Litestar's DTOs, the path supplies the model a handler returns, the DTO that shapes
it, and how a request body is declared:

- ``sqlalchemy-async`` / ``-split`` / ``-sync``: handlers return models and no DTO is declared, so
  the serialization plugin (``SQLAlchemyPlugin``, or ``SQLAlchemySerializationPlugin`` on split)
  builds one from the model; a page names its ``SQLAlchemyDTO`` (the plugin does not recognise
  ``OffsetPagination``); bodies are the contract's structs.
- ``piccolo``: ``PiccoloDTO`` subclasses with a ``DTOConfig`` shape responses (private columns
  excluded) and bodies (``DTOData``, ``partial=True`` for PATCH).

Handlers name these types in their annotations (``-> ProjectModel``, ``JSONBody[ProjectCreateBody]``)
and Litestar resolves the names through the controller's ``signature_namespace``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar.dto import AbstractDTO, DTOData
from litestar.types import Empty, EmptyType

from taskstar.contract import Schema, set_fields

#: A route's ``dto`` / ``return_dto``: a DTO class, ``None`` for none, ``Empty`` to leave it to
#: the layers above (and so to a serialization plugin).
DTOSetting = type[AbstractDTO[Any]] | None | EmptyType


@dataclass(frozen=True, slots=True)
class RequestBody:
    """How one request body is declared: the ``data`` annotation (a contract struct, or
    ``DTOData[Model]``) and, for a DTO body, its DTO."""

    annotation: Any
    dto: DTOSetting = Empty


@dataclass(frozen=True, slots=True)
class ModelShapes:
    """A resource whose responses the path's DTO machinery shapes from its model."""

    model: type[Any]
    create: RequestBody
    update: RequestBody
    read_dto: DTOSetting = Empty
    page_dto: DTOSetting = Empty


@dataclass(frozen=True, slots=True)
class UserShapes:
    """The registered account: the model ``register`` returns and the DTO shaping it."""

    model: type[Any]
    read_dto: DTOSetting = Empty


@dataclass(frozen=True, slots=True)
class PathShapes:
    """Everything a path declares to the shared routes (see the module docstring)."""

    user: UserShapes
    project: ModelShapes
    tag: ModelShapes
    workspace_create: RequestBody
    workspace_update: RequestBody
    namespace: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        # The names handlers use in annotations, for Litestar's ``signature_namespace``.
        object.__setattr__(
            self,
            "namespace",
            {
                "UserModel": self.user.model,
                "ProjectModel": self.project.model,
                "ProjectCreateBody": self.project.create.annotation,
                "ProjectUpdateBody": self.project.update.annotation,
                "TagModel": self.tag.model,
                "TagCreateBody": self.tag.create.annotation,
                "TagUpdateBody": self.tag.update.annotation,
                "WorkspaceCreateBody": self.workspace_create.annotation,
                "WorkspaceUpdateBody": self.workspace_update.annotation,
            },
        )


def fields_of(data: Schema | DTOData[Any]) -> dict[str, Any]:
    """The fields a client sent, by contract name, whichever way the body was declared: a
    struct's set fields (``UNSET`` ones left out, so PATCH is partial), or a DTO's builtins."""
    if isinstance(data, DTOData):
        fields: dict[str, Any] = data.as_builtins()
        return fields
    return set_fields(data)
