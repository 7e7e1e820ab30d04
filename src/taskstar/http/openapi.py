"""OpenAPI helpers: every status a route can answer is in its documentation."""

from __future__ import annotations

from http import HTTPStatus

import msgspec
from litestar.openapi.datastructures import ResponseSpec


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
NOT_MODIFIED = {304: ResponseSpec(None, description="Not Modified: `If-None-Match` names the current version")}


def problems(*statuses: int, public: bool = False) -> dict[int, ResponseSpec]:
    """Problem responses for ``statuses`` plus those any (authenticated) route can answer."""
    every = {*statuses, *_ALWAYS} - ({401} if public else set())
    return {
        status: ResponseSpec(
            data_container=ProblemDetails,
            description=HTTPStatus(status).phrase,
            media_type="application/problem+json",
        )
        for status in sorted(every)
    }
