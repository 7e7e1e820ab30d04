"""What a task list asks for: filters, sort and page, validated before any query runs."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from taskstar.domain.errors import InvalidInput
from taskstar.domain.tasks import Priority, SortField, SortOrder, Status


@dataclass(frozen=True)
class TaskFilters:
    statuses: tuple[Status, ...] = ()
    priorities: tuple[Priority, ...] = ()
    assignee: UUID | None = None
    unassigned: bool = False
    """Only tasks without an assignee (``assignee_id=none``)."""
    tag_ids: tuple[UUID, ...] = ()
    """Any of these tags."""
    text: str | None = None
    """Case-insensitive, in title or description."""
    due_before: date | None = None
    due_after: date | None = None
    updated_after: datetime | None = None


@dataclass(frozen=True)
class TaskQuery:
    filters: TaskFilters = field(default_factory=TaskFilters)
    sort: SortField = SortField.NUMBER
    order: SortOrder = SortOrder.ASC
    limit: int = 20
    offset: int = 0
    cursor: str | None = None

    def __post_init__(self) -> None:
        if self.cursor is not None and self.offset:
            raise InvalidInput.on("cursor", "cursor and offset do not combine")

    def fingerprint(self) -> str:
        """Identifies filters and sort, so a cursor is only valid for the list it came from."""
        shape = repr((self.filters, self.sort.value, self.order.value)).encode()
        return hashlib.blake2b(shape, digest_size=8).hexdigest()


def encode_cursor(query: TaskQuery, values: list[Any]) -> str:
    """An opaque cursor: the sort values of the last row seen, tied to the list's shape."""
    payload = msgspec.json.encode([query.fingerprint(), values], enc_hook=str)
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(query: TaskQuery) -> list[Any] | None:
    if query.cursor is None:
        return None
    try:
        fingerprint, values = msgspec.json.decode(
            base64.urlsafe_b64decode(query.cursor + "=" * (-len(query.cursor) % 4))
        )
    except (ValueError, TypeError, msgspec.DecodeError):
        raise InvalidInput.on("cursor", "not a cursor this API issued") from None
    if fingerprint != query.fingerprint():
        raise InvalidInput.on("cursor", "the cursor belongs to a list with other filters or another sort")
    if not isinstance(values, list):
        raise InvalidInput.on("cursor", "not a cursor this API issued")
    return values
