"""``limit``/``offset`` parameters shared by every list endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar.di import NamedDependency
from litestar.params import QueryParameter

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
#: Beyond any real list, and within what the databases take (a signed 64-bit integer; past it,
#: the drivers overflow): a 400 instead. 2^53 - 1, since the OpenAPI document states bounds as
#: JSON numbers, which clients read as doubles: a double holds this one exactly.
MAX_OFFSET = 2**53 - 1


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    offset: int


def provide_page(
    limit: Annotated[
        int, QueryParameter(ge=1, le=MAX_LIMIT, description="Items per page (1-100; never clamped)")
    ] = DEFAULT_LIMIT,
    offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="Items to skip")] = 0,
) -> PageRequest:
    return PageRequest(limit=limit, offset=offset)


#: Handler parameter type: ``page: Page`` injects the validated ``limit``/``offset``.
Page = NamedDependency[PageRequest]
