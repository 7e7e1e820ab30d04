"""OpenAPI helpers: every status a route can answer is in its documentation."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPI
from litestar.serialization import encode_json


class FieldProblem(msgspec.Struct):
    field: str | None
    message: str | None
    source: str | None = None


class ProblemDetails(msgspec.Struct):
    """RFC 9457 problem details, as every error is sent."""

    status: int
    title: str
    detail: str
    errors: list[FieldProblem] | None = None


# Any route can meet these: bad parameters, a missing token, a database that is down.
_ALWAYS = (400, 401, 503)


#: A conditional read whose ``If-None-Match`` names the current version: no body, the ``ETag`` again.
NOT_MODIFIED = {
    304: ResponseSpec(
        None, generate_examples=False, description="Not Modified: `If-None-Match` names the current version"
    )
}


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
