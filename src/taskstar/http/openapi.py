"""OpenAPI helpers: every status a route can answer is in its documentation."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import msgspec
from litestar.datastructures import ResponseHeader
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
)
from litestar.serialization import encode_json
from msgspec import UNSET, UnsetType


class FieldProblem(msgspec.Struct):
    field: str | None
    message: str | None
    source: str | None = None


class ProblemDetails(msgspec.Struct):
    """RFC 9457 problem details, as every error is sent; ``errors`` only on input errors."""

    status: int
    title: str
    detail: str
    errors: list[FieldProblem] | UnsetType = UNSET


# Any route can meet these: bad parameters, a missing token, a database that is down.
_ALWAYS = (400, 401, 503)


#: A conditional read whose ``If-None-Match`` names the current version: no body, the ``ETag`` again.
NOT_MODIFIED = {
    304: ResponseSpec(
        None, generate_examples=False, description="Not Modified: `If-None-Match` names the current version"
    )
}


#: A strong entity tag (RFC 9110 8.8.3): the task's version in quotes.
ETAG_PATTERN = r'^"[0-9]+"$'

#: The ``ETag`` every response carrying a task sends (the 304 gets it in ``declare_protocol_responses``).
TASK_ETAG = [
    ResponseHeader(
        name="ETag",
        documentation_only=True,
        required=True,
        description='The task\'s version as a strong entity tag (`"3"`), for `If-Match` / `If-None-Match`',
    )
]


def serialized_as(shape: Any, status: int = 200) -> dict[int, ResponseSpec]:
    """The success response of a route whose body a DTO serializes (the SQLAlchemy serialization
    plugin's, a PiccoloDTO), documented as the contract's ``shape``: each DTO would otherwise
    name a component after its handler, and the document would differ between paths."""
    return {
        status: ResponseSpec(data_container=shape, generate_examples=False, description=HTTPStatus(status).description)
    }


def problems(*statuses: int, public: bool = False) -> dict[int, ResponseSpec]:
    """Problem responses for ``statuses`` plus those any (authenticated) route can answer."""
    every = {*statuses, *_ALWAYS} - ({401} if public else set())
    return {
        status: ResponseSpec(
            data_container=ProblemDetails,
            generate_examples=False,  # random values (a status of 2098) are no example
            description=HTTPStatus(status).phrase,
            media_type="application/problem+json",
        )
        for status in sorted(every)
    }


def drop_unreferenced_components(document: OpenAPI) -> None:
    """Remove the schema components no operation reaches, directly or through other components.

    Litestar registers a component for a DTO's default response even where ``serialized_as``
    documents the contract's shape instead; left in, they would name handlers and differ
    between persistence paths.
    """
    components = document.components.schemas if document.components else None
    if not components:
        return
    as_json = {name: encode_json(schema).decode() for name, schema in components.items()}
    reachable: set[str] = set()
    pending = _references(encode_json(document.paths).decode())
    while pending:
        name = pending.pop()
        if name not in reachable and name in as_json:
            reachable.add(name)
            pending |= _references(as_json[name])
    for name in set(components) - reachable:
        del components[name]


def _references(text: str) -> set[str]:
    return set(_COMPONENT_REFERENCE.findall(text))


_COMPONENT_REFERENCE = re.compile(r'"#/components/schemas/([^"]+)"')


#: Seconds to wait before trying again (RFC 9110 10.2.3), on every 429 and 503.
_RETRY_AFTER = OpenAPIHeader(
    schema=Schema(type=OpenAPIType.INTEGER, minimum=0),
    required=True,
    description="Seconds to wait before trying again (RFC 9110 10.2.3)",
)
_ETAG = OpenAPIHeader(
    schema=Schema(type=OpenAPIType.STRING, pattern=ETAG_PATTERN),
    required=True,
    description="The version the client already holds, as a strong entity tag",
)


def declare_protocol_responses(document: OpenAPI) -> None:
    """Declare what the server answers on every route of a kind, which Litestar cannot attach to
    a route's responses: 413 on each operation with a body (bodies over 1 MiB, refused before
    any handler runs), ``Retry-After`` on every 429 and 503, ``ETag`` on every 304 (RFC 9110
    15.4.5: a 304 sends the validator a 200 would have); and no security on public routes."""
    too_large = OpenAPIResponse(
        description="Content Too Large: the body is over 1 MiB",
        content={
            "application/problem+json": OpenAPIMediaType(schema=Reference(ref="#/components/schemas/ProblemDetails"))
        },
    )
    for operation in _operations(document):
        if operation.security == [{}]:
            # Litestar drops a handler's empty ``security`` (``[] or None``), so public handlers
            # declare the anonymous requirement; an empty list says "no security" to generators
            # too (OpenAPI 3.1, 4.8.10.1), which otherwise ask for a token to log in with.
            operation.security = []
        responses = operation.responses if operation.responses is not None else {}
        if operation.request_body is not None:
            responses.setdefault("413", too_large)
        for status, response in responses.items():
            if not isinstance(response, OpenAPIResponse):
                continue
            if status in ("429", "503"):
                response.headers = {**(response.headers or {}), "Retry-After": _RETRY_AFTER}
            elif status == "304":
                response.headers = {**(response.headers or {}), "ETag": _ETAG}
        operation.responses = dict(sorted(responses.items()))


def move_request_defaults_to_descriptions(document: OpenAPI) -> None:
    """In the schemas of request bodies, state a property's default in its description instead of
    the ``default`` keyword: generators such as openapi-typescript (``defaultNonNullable``, on by
    default) make every property with a ``default`` required in the generated type, so a client
    could not create a project without sending ``archived``. The server still applies the default;
    response schemas keep their keyword."""
    components = document.components.schemas if document.components else None
    if not components:
        return
    bodies = [
        media.schema
        for operation in _operations(document)
        if isinstance(operation.request_body, RequestBody)
        for media in (operation.request_body.content or {}).values()
    ]
    pending = _references(encode_json(bodies).decode())
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        schema = components.get(name)
        if name in seen or schema is None:
            continue
        seen.add(name)
        pending |= _references(encode_json(schema).decode())
        for field in (schema.properties or {}).values():
            if isinstance(field, Schema) and field.default is not None:
                note = f"Default: {encode_json(field.default).decode()}."
                field.description = f"{field.description} {note}" if field.description else note
                field.default = None


def _operations(document: OpenAPI) -> list[Operation]:
    return [
        operation
        for item in (document.paths or {}).values()
        for operation in (item.get, item.put, item.post, item.delete, item.patch)
        if operation is not None
    ]


def collapse_single_choices(document: OpenAPI) -> None:
    """Replace each ``oneOf`` of a single schema by that schema. Litestar drops msgspec's ``UNSET``
    from an optional field's union (``str | UnsetType``) but keeps the ``oneOf`` around what is
    left, which client generators turn into one-member unions; and give every ``ETag`` response
    header its schema (Litestar's ``ResponseHeader`` declares none)."""
    for schema in _schemas(document):
        if schema.one_of and len(schema.one_of) == 1 and isinstance(schema.one_of[0], Schema):
            [only] = schema.one_of
            schema.one_of = None
            for field in dataclasses.fields(only):
                value = getattr(only, field.name)
                if value is not None and getattr(schema, field.name) is None:
                    setattr(schema, field.name, value)
        for name, field_schema in (schema.properties or {}).items():
            # A property that is nothing but a one-member choice of a component is that component.
            if isinstance(field_schema, Schema) and _only_a_reference(field_schema):
                schema.properties[name] = field_schema.one_of[0]  # type: ignore[index]  # checked just above
    for operation in _operations(document):
        for response in (operation.responses or {}).values():
            header = (response.headers or {}).get("ETag") if isinstance(response, OpenAPIResponse) else None
            if isinstance(header, OpenAPIHeader) and header.schema is None:
                header.schema = _ETAG.schema


def _only_a_reference(schema: Schema) -> bool:
    if not (schema.one_of and len(schema.one_of) == 1 and isinstance(schema.one_of[0], Reference)):
        return False
    return all(getattr(schema, field.name) is None for field in dataclasses.fields(schema) if field.name != "one_of")


def _schemas(node: object) -> Iterator[Schema]:
    """Every ``Schema`` object inside ``node`` (a part of the document), depth first."""
    if isinstance(node, Schema):
        yield node
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for field in dataclasses.fields(node):
            yield from _schemas(getattr(node, field.name))
    elif isinstance(node, dict):
        for value in node.values():
            yield from _schemas(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _schemas(value)
