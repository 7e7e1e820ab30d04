"""SQLAlchemy's and advanced-alchemy's exceptions, as domain errors.

A lost or refused connection, a pool timeout or a locked SQLite file is the
database being unavailable (503, retry), never a 500; a constraint violation that
slipped past a service's check (a race) is a conflict (409), told apart: a duplicate,
or a reference to a row removed meanwhile. Any other integrity or data error (NOT NULL,
CHECK, a value too long for its column) is a bug of the server's, never a duplicate: 500.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import asyncpg
from advanced_alchemy import exceptions as aa
from sqlalchemy import exc as sa

from taskstar.domain.errors import Conflict, DomainError, NotFound, Unavailable
from taskstar.driver_errors import server_cannot_serve, violated_constraint

_UNAVAILABLE = "The database is unavailable; retry shortly"
_DUPLICATE = "A record with these values already exists"
_REMOVED_MEANWHILE = "A record this refers to was removed meanwhile"


#: Set on an error whose connection Taskstar discarded although the server did not drop it (the
#: driver failed mid-statement, ``database._discard_connections_the_driver_failed``): a bug to log
#: (500), not a database to retry (503).
DRIVER_FAILURE = "taskstar_driver_failure"


def _is_unavailable(exc: BaseException | None) -> bool:
    if server_cannot_serve(exc):  # also asyncpg's own connect errors, which SQLAlchemy does not wrap
        return True
    while exc is not None:
        if isinstance(exc, sa.DBAPIError) and exc.connection_invalidated and not getattr(exc, DRIVER_FAILURE, False):
            return True
        if isinstance(exc, (sa.OperationalError, sa.InterfaceError, sa.TimeoutError, OSError, TimeoutError)):
            return True
        exc = exc.__cause__
    return False


def translate(exc: Exception) -> DomainError | None:
    if _is_unavailable(exc):
        return Unavailable(_UNAVAILABLE)
    violated = violated_constraint(exc)
    if violated is not None:
        return Conflict(_REMOVED_MEANWHILE if violated == "foreign_key" else _DUPLICATE)
    if isinstance(exc, aa.NotFoundError):
        return NotFound("No resource with this id")
    return None


ERROR_TRANSLATIONS: Mapping[type[Exception], Callable[[Any], DomainError | None]] = {
    aa.RepositoryError: translate,
    sa.SQLAlchemyError: translate,
    OSError: translate,
    # SQLAlchemy's asyncpg adapter does not wrap what asyncpg.connect() raises (a refused
    # connection: TooManyConnectionsError, CannotConnectNowError).
    asyncpg.PostgresError: translate,
    asyncpg.InterfaceError: translate,
}
