"""The request class of every route: a body that cannot be decoded is the client's error (400).

Litestar's JSON decoding turns malformed JSON into a 400, but lets two other failures of
the same kind escape as 500s: bytes that are not UTF-8 (msgspec raises ``UnicodeDecodeError``)
and nesting deeper than Python's recursion limit (``RecursionError`` from the untyped decoder).
Both are checked here, where the body is read, so every route and every persistence path
(struct bodies, DTO bodies) refuses them alike. A body declared as a contract struct is then
held to it strictly, every invalid field named (``taskstar.http.validation``).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException

from taskstar.contract import Schema
from taskstar.http.validation import check_body

#: Bodies that are binary by design and so are not held to UTF-8 (none of the API's routes take
#: them; the check must not stand in the way of a future upload).
_BINARY_MEDIA_TYPES = frozenset({RequestEncodingType.MULTI_PART, "application/octet-stream"})


_NESTED_TOO_DEEPLY = "The request body is nested too deeply to decode"


class TaskstarRequest(Request[Any, Any, Any]):
    """``litestar.Request`` whose ``body()`` and ``json()`` raise ``ClientException`` (400) for a
    body that is not UTF-8 (RFC 8259 section 8.1: JSON exchanged between systems is UTF-8) or
    nests too deeply to decode, instead of letting the decoder's own exceptions become a 500."""

    async def body(self) -> bytes:
        raw = await super().body()
        if raw and self.content_type[0] not in _BINARY_MEDIA_TYPES:
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ClientException(
                    detail=f"The request body is not valid UTF-8 (byte {error.start}); JSON must be UTF-8 (RFC 8259)"
                ) from None
        return raw

    async def json(self) -> Any:
        try:
            value = await super().json()
        except RecursionError:
            raise ClientException(detail=_NESTED_TOO_DEEPLY) from None
        contract = _contract_body_of(self.scope.get("route_handler"))
        if contract is not None:
            check_body(value, contract, request_line=f"{self.method} {self.url.path}")
        return value


def _contract_body_of(handler: Any) -> type[Schema] | None:
    """The contract struct a route declares as its body (``data: JSONBody[TaskCreate]``), if any:
    what :func:`taskstar.http.validation.check_body` holds the decoded body to."""
    data = getattr(handler, "parsed_data_field", None)
    annotation = getattr(data, "annotation", None)
    return annotation if isinstance(annotation, type) and issubclass(annotation, Schema) else None


def parse_json_body(raw: bytes) -> Any:
    """A UTF-8 JSON body (already checked by ``TaskstarRequest.body``) as Python builtins, for
    routes whose DTOs decode the bytes themselves; ``ClientException`` (400) for anything the
    untyped decoder refuses, as ``TaskstarRequest.json`` does."""
    try:
        return msgspec.json.decode(raw)
    except RecursionError:
        raise ClientException(detail=_NESTED_TOO_DEEPLY) from None
    except msgspec.DecodeError as error:
        raise ClientException(detail=str(error)) from None
