"""SQLAlchemy's and advanced-alchemy's exceptions, as domain errors.

A lost or refused connection, a pool timeout or a locked SQLite file is the
database being unavailable (503, retry), never a 500; a constraint violation that
slipped past a service's check (a race) is a conflict (409), told apart: a duplicate,
or a reference to a row removed meanwhile.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from advanced_alchemy import exceptions as aa
from sqlalchemy import exc as sa

from taskstar.domain.errors import Conflict, DomainError, NotFound, Unavailable

_UNAVAILABLE = "The database is unavailable; retry shortly"
_DUPLICATE = "A record with these values already exists"
_REMOVED_MEANWHILE = "A record this refers to was removed meanwhile"
_FOREIGN_KEY_VIOLATION = "23503"  # SQLSTATE, on psycopg's and asyncpg's errors alike


def _is_unavailable(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, sa.DBAPIError) and exc.connection_invalidated:
            return True
        if isinstance(exc, (sa.OperationalError, sa.InterfaceError, sa.TimeoutError, OSError, TimeoutError)):
            return True
        exc = exc.__cause__
    return False


def _refers_to_removed_row(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, aa.ForeignKeyError) or getattr(exc, "sqlstate", None) == _FOREIGN_KEY_VIOLATION:
            return True
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
            return True
        exc = exc.__cause__
    return False


def translate(exc: Exception) -> DomainError | None:
    if _is_unavailable(exc):
        return Unavailable(_UNAVAILABLE)
    if isinstance(exc, (aa.IntegrityError, sa.IntegrityError)):
        return Conflict(_REMOVED_MEANWHILE if _refers_to_removed_row(exc) else _DUPLICATE)
    if isinstance(exc, aa.NotFoundError):
        return NotFound("No resource with this id")
    return None


ERROR_TRANSLATIONS: Mapping[type[Exception], Callable[[Any], DomainError | None]] = {
    aa.RepositoryError: translate,
    sa.SQLAlchemyError: translate,
    OSError: translate,
}
