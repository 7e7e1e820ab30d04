"""A deadline on every psycopg (sync) round trip, as asyncpg's ``command_timeout`` gives the
async paths.

``statement_timeout`` is enforced by the server: a server that has stopped answering (hung,
or behind a network that swallows packets) never enforces it, and psycopg's sync connection
waits for its answer forever. Each such request then holds a worker thread and a pooled
connection for good, until the pool is empty and the service never recovers (seen in the
fault suite: tests/test_faults_database.py). Here every wait for the server ends after the
deadline; the connection, whose protocol state is then unknown, is closed, so SQLAlchemy
discards it (a closed connection is a disconnect) and the request answers 503.
"""

from __future__ import annotations

from typing import Any

import psycopg

# The public ``Connection.wait(timeout=...)`` raises this when its timeout expires.
from psycopg.errors import _WaitTimeout
from sqlalchemy import event
from sqlalchemy.engine import Engine


class DeadlineConnection(psycopg.Connection[Any]):
    answer_timeout_seconds: float | None = None

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        try:
            return super().wait(gen, interval, timeout if timeout is not None else self.answer_timeout_seconds)
        except _WaitTimeout:
            self.close()
            raise


def connect_with_answer_deadline(engine: Engine, seconds: float) -> None:
    """Make ``engine`` open :class:`DeadlineConnection` connections with a ``seconds`` deadline."""

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]) -> Any:
        connection = DeadlineConnection.connect(*cargs, **cparams)
        connection.answer_timeout_seconds = seconds
        return connection
