"""The drivers' exceptions under Piccolo (asyncpg, sqlite3), as domain errors.

Piccolo passes driver errors through unwrapped. A lost or refused connection,
a pool or statement timeout, or a locked SQLite file is the database being
unavailable (503, retry), never a 500; a constraint violation that slipped past
a service's check (a race) is a conflict (409), told apart: a duplicate, or a
reference to a row removed meanwhile; any other integrity or data error is a server bug (500).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

import asyncpg

from taskstar.domain.errors import Conflict, DomainError, Unavailable
from taskstar.driver_errors import violated_constraint

_UNAVAILABLE = "The database is unavailable; retry shortly"
_DUPLICATE = "A record with these values already exists"
_REMOVED_MEANWHILE = "A record this refers to was removed meanwhile"

_CONNECTION_LOST = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,  # "connection is closed", a pool being closed
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.QueryCanceledError,  # statement_timeout
    asyncpg.AdminShutdownError,
    # A connection whose server session was killed (pg_terminate_backend) can reach asyncpg's
    # protocol mid-operation and fail with "cannot switch to state N" instead of a connection
    # error (MagicStack/asyncpg#784, #1069); the pool terminates it, the next request reconnects.
    asyncpg.InternalClientError,
    OSError,  # with TimeoutError: a pool wait or a connect that ran out
)


#: SQLite's result codes for "cannot serve now": busy, locked, out of memory, read-only,
#: I/O error, disk full, cannot open. Other operational errors are bugs (500).
_SQLITE_UNAVAILABLE = {5, 6, 7, 8, 10, 13, 14}
_SQLITE_UNAVAILABLE_MESSAGES = ("locked", "busy", "disk i/o", "disk is full", "unable to open", "readonly")


def _sqlite_unavailable(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_UNAVAILABLE
    return any(phrase in str(exc).lower() for phrase in _SQLITE_UNAVAILABLE_MESSAGES)


def translate(exc: Exception) -> DomainError | None:
    violated = violated_constraint(exc)
    if violated is not None:
        return Conflict(_REMOVED_MEANWHILE if violated == "foreign_key" else _DUPLICATE)
    if isinstance(exc, _CONNECTION_LOST) or (isinstance(exc, sqlite3.OperationalError) and _sqlite_unavailable(exc)):
        return Unavailable(_UNAVAILABLE)  # logged with its cause by http.problems.log_unavailable
    return None


ERROR_TRANSLATIONS: Mapping[type[Exception], Callable[[Any], DomainError | None]] = {
    asyncpg.PostgresError: translate,
    asyncpg.InterfaceError: translate,
    asyncpg.InternalClientError: translate,
    sqlite3.Error: translate,
    OSError: translate,
}
