"""What a database driver's error says about a violated constraint, read alike for every driver.

Both ORMs pass the driver's own error along (SQLAlchemy and advanced-alchemy wrap it and chain
it as ``__cause__``; Piccolo raises it as it is), so one reading serves every persistence path:
PostgreSQL's SQLSTATE (psycopg and asyncpg both carry it as ``sqlstate``) and SQLite's extended
result code (``sqlite_errorcode`` on sqlite3's errors, which aiosqlite passes through).
"""

from __future__ import annotations

import sqlite3
from typing import Literal

#: PostgreSQL SQLSTATEs (Appendix A of its manual, class 23: integrity constraint violation).
_UNIQUE_VIOLATION = "23505"
_FOREIGN_KEY_VIOLATION = "23503"
_SQLITE_UNIQUE = {sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY}

ViolatedConstraint = Literal["unique", "foreign_key"]


def violated_constraint(exc: BaseException | None) -> ViolatedConstraint | None:
    """``"unique"`` or ``"foreign_key"`` when ``exc`` or an error it was raised from is that
    violation; ``None`` for anything else (a NOT NULL or CHECK violation, a value too long for its
    column: those are the server's own bugs, never the client's duplicate)."""
    while exc is not None:
        sqlstate = getattr(exc, "sqlstate", None)
        sqlite_code = getattr(exc, "sqlite_errorcode", None)
        if sqlstate == _UNIQUE_VIOLATION or sqlite_code in _SQLITE_UNIQUE:
            return "unique"
        if sqlstate == _FOREIGN_KEY_VIOLATION or sqlite_code == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
            return "foreign_key"
        exc = exc.__cause__
    return None


def server_sqlstate(exc: BaseException | None) -> str | None:
    """The SQLSTATE of the error response PostgreSQL sent behind ``exc`` (or an error it was
    raised from); ``None`` when the driver raised it without one.

    A SQLSTATE alone does not tell: asyncpg raises ``DataError`` (22000) itself when it cannot
    encode a parameter, before anything is sent. An error response from the server always has a
    severity (``ERROR``, ``FATAL``), which asyncpg keeps as ``severity`` and psycopg as
    ``diag.severity``; SQLAlchemy's adapters copy the SQLSTATE but chain the driver's error.
    """
    while exc is not None:
        sqlstate = getattr(exc, "sqlstate", None)
        if isinstance(sqlstate, str) and _sent_by_the_server(exc):
            return sqlstate
        exc = exc.__cause__
    return None


def _sent_by_the_server(exc: BaseException) -> bool:
    if getattr(exc, "severity", None):  # asyncpg: the fields of PostgreSQL's ErrorResponse
        return True
    diagnostic = getattr(exc, "diag", None)  # psycopg
    return diagnostic is not None and getattr(diagnostic, "severity", None) is not None


#: SQLSTATE classes and codes of a server that cannot serve now (PostgreSQL's Appendix A):
#: 08 connection exception, 53 insufficient resources (53300 too many connections, a role's or
#: the server's limit), 57P01-57P03 admin or crash shutdown, cannot connect now.
_UNAVAILABLE_CLASSES = ("08", "53")
_UNAVAILABLE_CODES = {"57P01", "57P02", "57P03"}


def server_cannot_serve(exc: BaseException | None) -> bool:
    """Whether PostgreSQL refused or dropped the connection behind ``exc`` (retry later: 503)."""
    sqlstate = server_sqlstate(exc)
    return sqlstate is not None and (sqlstate.startswith(_UNAVAILABLE_CLASSES) or sqlstate in _UNAVAILABLE_CODES)
