"""What the suite runs against: persistence path x database, chosen by ``TASKSTAR_TEST_TARGETS``.

Every target the suite names must be reachable: a PostgreSQL target whose
server is down fails the run, it is never skipped.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg

PERSISTENCE_PATHS = ("sqlalchemy-async", "sqlalchemy-split", "sqlalchemy-sync", "piccolo")
DATABASES = ("sqlite", "postgresql")
POSTGRES_ADMIN_URL = os.environ.get("TASKSTAR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
#: The Redis of the tests that run Taskstar with ``TASKSTAR_REDIS_URL`` (rate limits, wake-ups).
REDIS_URL = os.environ.get("TASKSTAR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass(frozen=True)
class Target:
    persistence: str
    database: str

    @property
    def id(self) -> str:
        return f"{self.persistence}-{self.database}"


def selected_targets() -> list[Target]:
    raw = os.environ.get("TASKSTAR_TEST_TARGETS", "")
    if not raw:
        return [Target(p, d) for p in PERSISTENCE_PATHS for d in DATABASES]
    targets = []
    for item in raw.split(","):
        persistence, _, database = item.strip().partition(":")
        if persistence not in PERSISTENCE_PATHS or database not in DATABASES:
            raise ValueError(f"TASKSTAR_TEST_TARGETS: unknown target {item!r}")
        targets.append(Target(persistence, database))
    return targets


@dataclass
class ScratchDatabase:
    """A fresh database for one test run, dropped at the end."""

    url: str
    name: str | None = None  # PostgreSQL database name

    @classmethod
    def create(cls, kind: str, directory: Path) -> ScratchDatabase:
        if kind == "sqlite":
            return cls(url=f"sqlite:///{directory / 'taskstar.db'}")
        name = f"taskstar_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
        return cls(url=f"{base}/{name}", name=name)

    def drop(self) -> None:
        if self.name:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))


async def _admin(sql: str) -> None:
    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        raise RuntimeError(
            f"PostgreSQL is required by the selected test targets but {POSTGRES_ADMIN_URL} is unreachable "
            f"({error}). Start it, point TASKSTAR_TEST_POSTGRES_URL at it, or select SQLite only with "
            "TASKSTAR_TEST_TARGETS=sqlalchemy-async:sqlite."
        ) from error
    try:
        await connection.execute(sql)
    finally:
        await connection.close()
