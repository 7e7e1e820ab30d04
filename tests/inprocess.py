"""The app in the test process, for what only the inside can show: SQL statement
counts and faults injected into a service or a commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from litestar import Litestar
from sqlalchemy import event

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


class StatementCounter:
    """Counts SQL statements the app sends, leaving out transaction control."""

    def __init__(self, app: Litestar) -> None:
        self.statements: list[str] = []
        engine = app.state.persistence.config.core_engine()
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            self.statements.append(statement)

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        self.statements.clear()
        yield self.statements


@dataclass(frozen=True)
class Layers:
    """The repositories module and session class a persistence path runs, for injecting faults."""

    repositories: ModuleType
    session_class: type
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


def layers_for(persistence: str) -> Layers:
    if persistence == "sqlalchemy-sync":
        from sqlalchemy.orm import Session

        from taskstar.sqlalchemy.sync import repositories as sync_repositories

        return Layers(sync_repositories, Session, is_async=False)
    from sqlalchemy.ext.asyncio import AsyncSession

    from taskstar.sqlalchemy import repositories

    return Layers(repositories, AsyncSession, is_async=True)
