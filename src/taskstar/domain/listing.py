"""What a task list asks for: filters, sort and page, validated before any query runs.

Keyset cursors are opaque to clients and tamper-evident: ``base64url(payload).base64url(mac)``,
where the payload is the list's fingerprint and the last row's sort values (JSON) and the MAC is
HMAC-SHA256 (RFC 2104) over the payload with a key the server derives from its secret. A cursor
whose MAC does not verify is a 400 before any of its values is read, so no edited value (an
integer beyond a column's width, a naive timestamp) ever reaches a query.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
from collections.abc import Sequence
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
    list_of: UUID | None = None
    """Whose list it is (the project): a cursor of one project's list is refused on another's."""
    cursor_key: bytes = field(default=b"", repr=False)
    """The HMAC key cursors are signed with (``cursor_signing_key``); never shown in a repr."""

    def __post_init__(self) -> None:
        if self.cursor is not None and self.offset:
            raise InvalidInput.on("cursor", "cursor and offset do not combine")

    def fingerprint(self) -> str:
        """Identifies the list, its filters and sort, so a cursor is only valid for the list it came from."""
        shape = repr((self.list_of, self.filters, self.sort.value, self.order.value)).encode()
        return hashlib.blake2b(shape, digest_size=8).hexdigest()


#: Cursor values are the sort columns' values: ids, timestamps and dates as strings, numbers,
#: priority ranks and positions as numbers, or null. Beyond these bounds none was ever issued.
_MAX_CURSOR_STRING = 40
_INTEGER_RANGE = range(-(2**31), 2**31)  # task numbers and priority ranks: 32-bit INTEGER columns
_MAX_CURSOR_FLOAT = 1e12  # positions: the contract's bound
_MAC_BYTES = 16
_INVALID = "not a cursor this API issued"


def cursor_signing_key(secret: str) -> bytes:
    """The key cursors are signed with, derived from the server's secret (so that a cursor MAC
    and a JWT never share a key): 32 bytes."""
    return hmac.new(secret.encode(), b"taskstar keyset cursor v1", hashlib.sha256).digest()


def encode_cursor(query: TaskQuery, values: list[Any]) -> str:
    """An opaque, signed cursor: the sort values of the last row seen, tied to the list's shape."""
    payload = msgspec.json.encode([query.fingerprint(), values], enc_hook=str)
    return f"{_b64encode(payload)}.{_b64encode(_mac(query.cursor_key, payload))}"


def decode_cursor(query: TaskQuery) -> list[Any] | None:
    """The sort values ``query.cursor`` carries, or ``None`` without a cursor.

    Raises ``InvalidInput`` (on ``cursor``) for anything this server did not issue for this
    list: a bad encoding or MAC, another list's fingerprint, or values out of the columns' range.
    """
    if query.cursor is None:
        return None
    encoded_payload, _, encoded_mac = query.cursor.partition(".")
    try:
        payload, mac = _b64decode(encoded_payload), _b64decode(encoded_mac)
    except (ValueError, binascii.Error):
        raise InvalidInput.on("cursor", _INVALID) from None
    if not hmac.compare_digest(mac, _mac(query.cursor_key, payload)):
        raise InvalidInput.on("cursor", _INVALID)
    try:
        fingerprint, values = msgspec.json.decode(payload, type=tuple[str, list[str | int | float | None]])
    except msgspec.DecodeError:
        raise InvalidInput.on("cursor", _INVALID) from None
    if fingerprint != query.fingerprint():
        raise InvalidInput.on("cursor", "the cursor belongs to a list with other filters or another sort")
    if not all(_in_range(value) for value in values):
        raise InvalidInput.on("cursor", _INVALID)
    return values


def _in_range(value: str | int | float | None) -> bool:
    if isinstance(value, str):
        return len(value) <= _MAX_CURSOR_STRING
    if isinstance(value, int):
        return value in _INTEGER_RANGE
    if isinstance(value, float):
        return math.isfinite(value) and abs(value) <= _MAX_CURSOR_FLOAT
    return True


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sort_values(after: Sequence[Any], types: Sequence[type]) -> list[Any]:
    """A decoded cursor's sort values as the sort keys' Python ``types`` (a JSON string as a
    ``datetime``, a ``UUID``, ...): what the keyset comparison binds.

    Raises ``InvalidInput`` on ``cursor`` when the count or a type does not match: a cursor
    issued for another sort.
    """
    if len(after) != len(types):
        raise InvalidInput.on("cursor", "not a cursor this API issued")
    try:
        return [msgspec.convert(raw, kind, strict=False) for raw, kind in zip(after, types, strict=True)]
    except msgspec.ValidationError:
        raise InvalidInput.on("cursor", "not a cursor this API issued") from None
