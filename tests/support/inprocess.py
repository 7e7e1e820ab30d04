"""The app in the test process, for what only the inside can show: SQL statement
counts and faults injected into a service or a commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import anyio
from litestar import Litestar

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


class StatementCounter:
    """Counts SQL statements the app sends, leaving out transaction control."""

    def __init__(self, app: Litestar) -> None:
        self.statements: list[str] = []
        app.state.persistence.on_statement(self._record)

    def _record(self, statement: object) -> None:
        text = str(statement)
        if not text.lstrip().upper().startswith(TRANSACTION_CONTROL):
            self.statements.append(text)

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        self.statements.clear()
        yield self.statements


@dataclass(frozen=True)
class Layers:
    """Where a persistence path can be made to fail, for injecting faults: each is an
    ``(owner, attribute)`` to patch."""

    membership_insert: tuple[Any, str]
    """What writes a new workspace's owner row (after the workspace row)."""
    commit: tuple[Any, str]
    commit_failure: Exception
    """What the path's driver raises when a COMMIT fails."""
    comment_create: tuple[Any, str]
    """The service method that writes a comment, called after the guards passed."""
    cursor_decoding: tuple[Any, str]
    """Where the task service reads a keyset cursor's values (``domain.listing.decode_cursor``)."""
    is_async: bool

    def failing(self, error: Exception) -> Callable[..., Any]:
        """A replacement method that raises ``error``, async or not as the path calls it."""
        if self.is_async:

            async def fail_async(*_args: Any, **_kwargs: Any) -> Any:
                raise error

            return fail_async

        def fail(*_args: Any, **_kwargs: Any) -> Any:
            raise error

        return fail

    def preceded_by(self, action: Callable[[], None]) -> Callable[..., Any]:
        """A replacement for ``comment_create`` that first runs the blocking ``action`` (another
        request through the test client: in a worker thread on async paths, where the event
        loop must stay free to serve it)."""
        original = getattr(*self.comment_create)
        if self.is_async:

            async def run_async(*args: Any, **kwargs: Any) -> Any:
                await anyio.to_thread.run_sync(action)
                return await original(*args, **kwargs)

            return run_async

        def run(*args: Any, **kwargs: Any) -> Any:
            action()
            return original(*args, **kwargs)

        return run


def layers_for(persistence: str, database: str) -> Layers:
    if persistence == "piccolo":
        return _piccolo_layers(database)
    from sqlalchemy.exc import OperationalError

    disk_error = OperationalError("COMMIT", {}, Exception("disk I/O error"))
    is_async = persistence != "sqlalchemy-sync"
    if is_async:
        from sqlalchemy.ext.asyncio import AsyncSession as session

        from taskstar.sqlalchemy import repositories
        from taskstar.sqlalchemy.services import comments, tasks
    else:
        from sqlalchemy.orm import Session as session

        from taskstar.sqlalchemy.sync import repositories
        from taskstar.sqlalchemy.sync.services import comments, tasks
    return Layers(
        (repositories.MembershipRepository, "add"),
        (session, "commit"),
        disk_error,
        (comments.CommentService, "create"),
        (tasks, "decode_cursor"),
        is_async=is_async,
    )


def _piccolo_layers(database: str) -> Layers:
    import sqlite3

    import asyncpg
    from piccolo.engine.postgres import PostgresTransaction
    from piccolo.engine.sqlite import SQLiteTransaction

    from taskstar.piccolo.services import tasks
    from taskstar.piccolo.services.comments import CommentService
    from taskstar.piccolo.tables import Membership

    if database == "sqlite":
        commit = (SQLiteTransaction, "commit")
        failure: Exception = sqlite3.OperationalError("disk I/O error")
    else:
        commit = (PostgresTransaction, "commit")
        failure = asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation")
    return Layers(
        (Membership, "save"), commit, failure, (CommentService, "create"), (tasks, "decode_cursor"), is_async=True
    )
