"""PiccoloDTOs: what a client may write and what a response shows, per table.

``PiccoloDTO`` builds its fields from the columns: it knows which exist and
their types, but not the contract's limits (it drops ``max_length`` on optional
columns and has no patterns), and it gives every column without
``required=True`` a default of ``None``, which would override the table's own
defaults. :class:`ContractDTO` therefore takes each writable field's
annotation (lengths, patterns, enums) and default from the contract's request
struct, the one source of those rules on every path; the ``DTOConfig`` decides
which columns a client owns (exclusions) and whether a body is partial.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar, get_origin, get_type_hints

import msgspec
from litestar.contrib import piccolo as litestar_piccolo
from litestar.dto import DTOConfig, DTOData
from litestar.dto.data_structures import DTOFieldDefinition
from litestar.exceptions import SerializationException, ValidationException
from litestar.openapi.spec import Reference, Schema
from litestar.params import KwargDefinition
from litestar.types import Empty
from litestar.typing import FieldDefinition
from piccolo.table import Table

from taskstar.http.requests import parse_json_body
from taskstar.http.validation import check_body

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
from taskstar.contract import (
    ProjectCreate,
    ProjectUpdate,
    TagCreate,
    TagUpdate,
    WorkspaceCreate,
    WorkspaceUpdate,
)
from taskstar.http.routes.shapes import ModelShapes, PathShapes, RequestBody, UserShapes
from taskstar.piccolo.tables import Project, Tag, User, Workspace

T = TypeVar("T", bound=Table)

# ``from litestar.contrib.piccolo import PiccoloDTO`` probes the module's ``__path__``, which
# its deprecation ``__getattr__`` answers with a warning about the whole module; the class
# itself is current (the separate litestar-piccolo package is older).
PiccoloDTO = litestar_piccolo.PiccoloDTO

#: Columns no client writes: keys, audit times, the owning workspace.
SERVER_OWNED = {"id", "created_at", "updated_at", "workspace_id"}


class ContractDTO(PiccoloDTO[T]):
    """A request DTO held to a contract struct of ``taskstar.contract``.

    ``fields_from`` (the create struct) gives each writable field its annotation and
    default, so the DTO validates and documents them. Litestar drops length limits
    from partial DTOs, so every decoded body is also checked against ``contract``
    (the create or the update struct): the same 400 as on the other paths.
    """

    fields_from: ClassVar[type[msgspec.Struct]]
    contract: ClassVar[type[msgspec.Struct]]

    @classmethod
    def generate_field_definitions(cls, model_type: type[Table]) -> Any:
        hints = get_type_hints(cls.fields_from, include_extras=True)
        # Litestar puts a partial field's limits on ``T | UnsetType``, which msgspec refuses:
        # a partial DTO leaves them all to the contract check.
        limited = not cls.config.partial
        contract_fields = {field.name: field for field in msgspec.structs.fields(cls.fields_from)}
        for definition in super().generate_field_definitions(model_type):
            if definition.name not in hints:
                yield definition
                continue
            annotation = hints[definition.name]
            field = contract_fields[definition.name]
            yield replace(
                DTOFieldDefinition.from_field_definition(
                    field_definition=FieldDefinition.from_annotation(
                        annotation, kwarg_definition=_limits(annotation) if limited else None
                    ),
                    dto_field=definition.dto_field,
                    model_name=definition.model_name,
                    default_factory=None,
                ),
                default=Empty if field.required else field.default,
                name=definition.name,
            )

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: SchemaCreator
    ) -> Reference | Schema:
        """Documented as ``contract``, the struct every body is held to: the component the other
        paths' struct routes show, not one named after this handler (issue 14: one document)."""
        return schema_creator.for_field_definition(FieldDefinition.from_annotation(cls.contract))

    def decode_bytes(self, value: bytes) -> Any:
        # Parsed untyped first, as Litestar parses the struct routes' bodies (``Request.json``):
        # a value in a field the DTO ignores must still be JSON this server can read (a number
        # beyond a double, nesting past the recursion limit), so that every path refuses alike.
        builtins = parse_json_body(value)
        # Held to the contract strictly, every invalid field named, as the struct routes are.
        connection = self.asgi_connection  # the request: DTOs decode request bodies only
        request_line = f"{getattr(connection, 'method', '')} {connection.url.path}"
        check_body(builtins, self.contract, request_line=request_line)
        try:
            data = super().decode_builtins(builtins)
            msgspec.convert(data.as_builtins(), self.contract)
        except (msgspec.ValidationError, SerializationException) as error:
            # The DTO's own decoding names the field in its message only: the same
            # ``errors`` list as the contract structs give, from either source.
            raise _field_error(str(error)) from None
        return data


def _field_error(message: str) -> ValidationException:
    """``Expected ... - at `$.name``` as a 400 naming the body field."""
    text, _, path = message.partition(" - at `$.")
    field = path.rstrip("`").split(".")[0].split("[")[0] or None
    return ValidationException(text, extra=[{"message": text, "key": field, "source": "body"}])


def _limits(annotation: Any) -> KwargDefinition | None:
    """The contract's ``msgspec.Meta`` as Litestar's kwarg definition (what DTO fields read).
    Only for a plain annotated type: Litestar would put the limits of ``str | None`` on the
    union, which msgspec refuses; the contract check covers those."""
    if get_origin(annotation) is not Annotated:
        return None
    meta = next((meta for meta in annotation.__metadata__ if isinstance(meta, msgspec.Meta)), None)
    if meta is None:
        return None
    return KwargDefinition(
        min_length=meta.min_length, max_length=meta.max_length, pattern=meta.pattern,
        ge=meta.ge, le=meta.le, description=meta.description,
    )  # fmt: skip


class ProjectWrite(ContractDTO[Project]):
    fields_from = ProjectCreate
    contract: ClassVar[type[msgspec.Struct]] = ProjectCreate  # declared: the patch DTO below holds to another
    config = DTOConfig(exclude=SERVER_OWNED | {"last_task_number"})


class ProjectPatch(ProjectWrite):
    contract = ProjectUpdate
    config = DTOConfig(exclude=SERVER_OWNED | {"last_task_number"}, partial=True)


class ProjectReadDTO(PiccoloDTO[Project]):
    config = DTOConfig(exclude={"last_task_number"})


class TagWrite(ContractDTO[Tag]):
    fields_from = TagCreate
    contract: ClassVar[type[msgspec.Struct]] = TagCreate  # declared: the patch DTO below holds to another
    config = DTOConfig(exclude=SERVER_OWNED | {"name_key"})


class TagPatch(TagWrite):
    contract = TagUpdate
    config = DTOConfig(exclude=SERVER_OWNED | {"name_key"}, partial=True)


class TagReadDTO(PiccoloDTO[Tag]):
    config = DTOConfig(exclude={"name_key"})


class WorkspaceWrite(ContractDTO[Workspace]):
    fields_from = WorkspaceCreate
    contract: ClassVar[type[msgspec.Struct]] = WorkspaceCreate  # declared: the patch DTO below holds to another
    config = DTOConfig(exclude=SERVER_OWNED | {"event_sequence"})


class WorkspacePatch(WorkspaceWrite):
    contract = WorkspaceUpdate
    config = DTOConfig(exclude=SERVER_OWNED | {"event_sequence"}, partial=True)


class UserReadDTO(PiccoloDTO[User]):
    """The registered account; the password hash is excluded both ways (it is also a secret column)."""

    config = DTOConfig(exclude={"password_hash"})


#: What the Piccolo path declares to the shared routes: ``PiccoloDTO`` subclasses shape the
#: responses and the ``DTOData`` bodies of workspaces, projects and tags.
PICCOLO_SHAPES = PathShapes(
    user=UserShapes(model=User, read_dto=UserReadDTO),
    project=ModelShapes(
        model=Project,
        create=RequestBody(DTOData[Project], ProjectWrite),
        update=RequestBody(DTOData[Project], ProjectPatch),
        read_dto=ProjectReadDTO,
        page_dto=ProjectReadDTO,
    ),
    tag=ModelShapes(
        model=Tag,
        create=RequestBody(DTOData[Tag], TagWrite),
        update=RequestBody(DTOData[Tag], TagPatch),
        read_dto=TagReadDTO,
        page_dto=TagReadDTO,
    ),
    workspace_create=RequestBody(DTOData[Workspace], WorkspaceWrite),
    workspace_update=RequestBody(DTOData[Workspace], WorkspacePatch),
)
