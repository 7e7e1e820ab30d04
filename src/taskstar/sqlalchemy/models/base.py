"""One key strategy for every table: time-ordered UUIDv7 keys with audit columns."""

from __future__ import annotations

from advanced_alchemy.base import UUIDv7AuditBase


class Base(UUIDv7AuditBase):
    """``id`` (UUIDv7), ``created_at`` and ``updated_at`` (UTC) on every row.

    UUIDv7 keys sort by creation time, so ``ORDER BY id`` is a stable tie-break
    and indexes on the key stay append-mostly.
    """

    __abstract__ = True
