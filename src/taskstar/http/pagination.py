"""``limit``/``offset`` parameters shared by every list endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar.params import Parameter

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    offset: int


def provide_page(
    limit: Annotated[
        int, Parameter(query="limit", ge=1, le=MAX_LIMIT, description="Items per page (1-100; never clamped)")
    ] = DEFAULT_LIMIT,
    offset: Annotated[int, Parameter(query="offset", ge=0, description="Items to skip")] = 0,
) -> PageRequest:
    return PageRequest(limit=limit, offset=offset)
