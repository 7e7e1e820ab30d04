"""Request bodies held to the contract strictly, with every offending field named.

Litestar converts a decoded body to its struct in msgspec's lax mode, which suits query strings
(everything there is text) but accepts ``"true"`` or ``0`` for a boolean and ``"2.5"`` for a
number in a JSON body, where the contract (``shared/spec/api.md``) declares JSON types. msgspec
also stops at the first invalid field, and its messages ("Expected `str` of length >= 1") are
its own. Every body, on every path (struct routes through ``TaskstarRequest.json``, piccolo's
DTO routes through ``ContractDTO.decode_bytes``), is therefore checked here first: JSON types
exactly as declared, then, when anything is wrong, each field on its own, so the 400 lists every
invalid field in one vocabulary.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints
from uuid import UUID

import msgspec
from litestar.exceptions import ValidationException

from taskstar.contract import NO_NUL, NOT_BLANK

#: A field's path in the body (``title``, ``items[3].title``) and what is wrong with it.
FieldProblem = tuple[str, str]


def check_body(value: Any, schema: type[msgspec.Struct], *, request_line: str) -> None:
    """Return if ``value`` (a decoded JSON body) is a valid ``schema`` with every JSON type as
    declared; otherwise raise ``ValidationException`` (400) whose ``extra`` lists each invalid
    field as ``{"key", "message", "source": "body"}``, in the order of the schema's fields.
    Fields the schema does not declare are ignored, as the contract says. ``request_line``
    (``POST /api/workspaces``) names the request in the problem's ``detail``, as Litestar does."""
    try:
        msgspec.convert(value, schema, strict=True)
        return
    except msgspec.ValidationError:
        pass  # the fast path failed: find every problem, field by field
    problems = list(field_problems(value, schema)) or [("", "is not valid")]
    raise ValidationException(
        detail=f"Validation failed for {request_line}",
        extra=[{"key": field or None, "message": message, "source": "body"} for field, message in problems],
    )


def field_problems(value: Any, schema: type[msgspec.Struct], prefix: str = "") -> Iterator[FieldProblem]:
    """Each invalid field of ``value`` against ``schema``: a missing required field, a value of
    another JSON type, or one outside the declared limits; nested objects and lists of objects
    are walked (``changes.status``, ``items[2].title``)."""
    if not isinstance(value, Mapping):
        yield prefix.rstrip("."), "must be a JSON object"
        return
    hints = get_type_hints(schema, include_extras=True)
    for field in msgspec.structs.fields(schema):
        where = f"{prefix}{field.encode_name}"
        if field.encode_name not in value:
            if field.required:
                yield where, "is required"
            continue
        yield from _value_problems(value[field.encode_name], hints[field.name], where)


def _value_problems(value: Any, annotation: Any, where: str) -> Iterator[FieldProblem]:
    inner = _unannotated(annotation)
    if isinstance(inner, type) and issubclass(inner, msgspec.Struct) and isinstance(value, Mapping):
        yield from field_problems(value, inner, f"{where}.")
        return
    item = _list_item(inner)
    if isinstance(item, type) and issubclass(item, msgspec.Struct) and isinstance(value, list):
        if _fits(value, annotation):  # the list's own limits and every item
            return
        if not _fits_length(value, annotation):
            yield where, f"must be {describe(annotation)}"
            return
        for index, element in enumerate(value):
            yield from field_problems(element, item, f"{where}[{index}].")
        return
    if not _fits(value, annotation):
        yield where, f"must be {describe(annotation)}"


def _fits(value: Any, annotation: Any) -> bool:
    try:
        msgspec.convert(value, annotation, strict=True)
    except msgspec.ValidationError:
        return False
    return True


def _fits_length(value: list[Any], annotation: Any) -> bool:
    meta = _meta(annotation)
    return meta is None or (
        (meta.min_length is None or len(value) >= meta.min_length)
        and (meta.max_length is None or len(value) <= meta.max_length)
    )


def describe(annotation: Any) -> str:
    """What a value of ``annotation`` is, in the words the API's errors use: ``a string of 1 to
    200 characters, not blank``, ``an integer from 1 to 100``, ``one of: todo, done``, ``a UUID
    or null``."""
    options = [option for option in _union_options(annotation) if option is not type(None)]
    nullable = len(options) < len(_union_options(annotation))
    options = [option for option in options if option is not msgspec.UnsetType]
    text = " or ".join(_describe_one(option) for option in options)
    return f"{text} or null" if nullable else text


def _describe_one(annotation: Any) -> str:
    meta = _meta(annotation)
    kind = _unannotated(annotation)
    if kind is bool:
        return "true or false"
    if kind is str:
        return "a string" + _length(meta, "character") + _pattern(meta)
    if kind is int:
        return "an integer" + _range(meta)
    if kind is float:
        return "a number" + _range(meta)
    if kind is UUID:
        return "a UUID"
    if kind is datetime:
        return "a date and time with its offset (RFC 3339)"
    if kind is date:
        return "a date (YYYY-MM-DD)"
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return "one of: " + ", ".join(str(member.value) for member in kind)
    item = _list_item(kind)
    if item is not None:
        return "a list" + _length(meta, "item") + f" of {_describe_one(item)}"
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        return "a JSON object"
    return "a valid value"


def _length(meta: msgspec.Meta | None, unit: str) -> str:
    low, high = (meta.min_length, meta.max_length) if meta else (None, None)
    if low is not None and high is not None:
        return f" of {low} to {high} {unit}s"
    if high is not None:
        return f" of at most {high} {unit}{'s' if high != 1 else ''}"
    if low is not None:
        return f" of at least {low} {unit}{'s' if low != 1 else ''}"
    return ""


def _range(meta: msgspec.Meta | None) -> str:
    low, high = (meta.ge, meta.le) if meta else (None, None)
    if low is not None and high is not None:
        return f" from {_number(low)} to {_number(high)}"
    if low is not None:
        return f" of at least {_number(low)}"
    if high is not None:
        return f" of at most {_number(high)}"
    return ""


def _number(bound: float) -> str:
    """An integer bound in full (``9007199254740991``, not ``9.0072e+15``); a float as short as it goes."""
    return str(bound) if isinstance(bound, int) else f"{bound:g}"


def _pattern(meta: msgspec.Meta | None) -> str:
    if meta is None or meta.pattern is None:
        return ""
    if meta.pattern == NOT_BLANK:
        return ", not blank"
    if meta.pattern == NO_NUL:
        return " without NUL characters"
    return f" ({meta.description})" if meta.description else f" matching {meta.pattern}"


def _meta(annotation: Any) -> msgspec.Meta | None:
    if get_origin(annotation) is Annotated:
        return next((item for item in annotation.__metadata__ if isinstance(item, msgspec.Meta)), None)
    return None


def _unannotated(annotation: Any) -> Any:
    return get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation


def _union_options(annotation: Any) -> tuple[Any, ...]:
    inner = _unannotated(annotation)
    if get_origin(inner) in (Union, types.UnionType):
        return get_args(inner)
    return (annotation,)


def _list_item(annotation: Any) -> Any:
    inner = _unannotated(annotation)
    return get_args(inner)[0] if get_origin(inner) is list else None


def parameter_problem(annotation: Any) -> str:
    """The message for a query, path or header parameter that does not fit ``annotation`` (the
    type Litestar's signature model gives it): the words a body field's error uses, without
    "or null" (a parameter is sent or absent) and, for a repeatable parameter, about each value."""
    options = [option for option in _union_options(annotation) if option is not type(None)]
    item = _list_item(options[0]) if len(options) == 1 else None
    if item is not None:
        return f"must be {describe(item)} (each value)"
    return f"must be {' or '.join(_describe_one(option) for option in options)}"


def parameter_types(signature_models: list[type[msgspec.Struct]]) -> dict[str, Any]:
    """Each parameter's name and annotation in ``signature_models`` (a handler's and its
    dependencies' ``signature_model``)."""
    return {field.name: field.type for model in signature_models for field in msgspec.structs.fields(model)}
