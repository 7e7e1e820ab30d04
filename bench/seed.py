"""A realistic data set, written straight through Taskstar's own models (bulk inserts).

One workspace of 20 members, 10 projects, 20 tags and, by default, 50,000 tasks with
tags, assignees, comments and a 'created' activity row each. The rows are generated
once and written to the SQLAlchemy schema and, for the Piccolo path, to a Piccolo
database too, with the same ids: the same requests address the same data on both.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any
from uuid import UUID

from sqlalchemy import insert

from taskstar.domain.api_tokens import display_prefix, new_token, token_hash
from taskstar.domain.passwords import hash_password
from taskstar.domain.roles import Role
from taskstar.domain.tasks import Priority, Status
from taskstar.settings import Settings
from taskstar.sqlalchemy.database import build_config
from taskstar.sqlalchemy.models import (
    Activity,
    ApiToken,
    Comment,
    Membership,
    Project,
    Tag,
    Task,
    User,
    Workspace,
    task_tag,
)

BENCH_EMAIL = "bench@taskstar.dev"
BENCH_PASSWORD = "bench-password"
CHUNK = 2_000


@dataclass
class Seeded:
    workspace_id: UUID
    project_ids: list[UUID]
    tag_ids: list[UUID]
    task_ids: list[UUID]
    api_token: str
    """The bench user's personal API token (every workspace, max_role owner)."""


def _uuid7() -> UUID:
    from uuid_utils.compat import uuid7

    return uuid7()


@dataclass
class Rows:
    users: list[dict[str, Any]]
    workspace_id: UUID
    projects: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    links: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    activity: list[dict[str, Any]]
    api_token: str
    api_tokens: list[dict[str, Any]]

    def seeded(self) -> Seeded:
        return Seeded(self.workspace_id, [p["id"] for p in self.projects], [t["id"] for t in self.tags],
                      [t["id"] for t in self.tasks], self.api_token)  # fmt: skip


def generate(*, tasks: int = 50_000, seed_value: int = 7) -> Rows:
    rng = random.Random(seed_value)
    now = datetime.now(UTC)
    password_hash = hash_password(BENCH_PASSWORD)
    users = [
        {"id": _uuid7(), "email": BENCH_EMAIL if i == 0 else f"member{i}@taskstar.dev", "name": f"Member {i}",
         "password_hash": password_hash}
        for i in range(20)
    ]  # fmt: skip
    workspace_id = _uuid7()
    projects = [
        {"id": _uuid7(), "workspace_id": workspace_id, "key": f"P{i}", "name": f"Project {i}", "archived": False,
         "last_task_number": 0}
        for i in range(10)
    ]  # fmt: skip
    tags = [{"id": _uuid7(), "workspace_id": workspace_id, "name": f"tag{i}", "name_key": f"tag{i}", "color": "#3366ff"}
            for i in range(20)]  # fmt: skip
    task_rows, links, comments, activity = [], [], [], []
    per_project = tasks // len(projects)
    for project in projects:
        for number in range(1, per_project + 1):
            task_id = _uuid7()
            status = rng.choice(list(Status))
            task_rows.append(
                {
                    "id": task_id, "workspace_id": workspace_id, "project_id": project["id"], "number": number,
                    "title": f"Task {number} of {project['key']}", "description": "Some words " * rng.randint(0, 20),
                    "status": status, "priority": rng.choice(list(Priority)),
                    "assignee_id": rng.choice([*[u["id"] for u in users], None]), "reporter_id": users[0]["id"],
                    "due_date": date(2030, 1, 1) + timedelta(days=rng.randint(0, 365)) if rng.random() < 0.7 else None,
                    "position": float(number), "version": 1, "comment_count": 0,
                    "completed_at": now if status is Status.DONE else None,
                }
            )  # fmt: skip
            for tag in rng.sample(tags, rng.randint(0, 3)):
                links.append({"task_id": task_id, "tag_id": tag["id"]})
            activity.append({"workspace_id": workspace_id, "task_id": task_id, "actor_id": users[0]["id"],
                             "kind": "created", "changes": {}})  # fmt: skip
            if number % 5 == 0:
                comments.append({"workspace_id": workspace_id, "task_id": task_id, "author_id": users[1]["id"],
                                 "body": "A comment"})  # fmt: skip
                task_rows[-1]["comment_count"] = 1
        project["last_task_number"] = per_project
    # A personal API token of the bench user's, stored as Taskstar stores one (its hash only).
    api_token = new_token()
    api_tokens = [{"id": _uuid7(), "user_id": users[0]["id"], "name": "bench", "token_hash": token_hash(api_token),
                   "prefix": display_prefix(api_token), "workspace_ids": None, "max_role": Role.OWNER,
                   "expires_at": now + timedelta(days=365)}]  # fmt: skip
    return Rows(users, workspace_id, projects, tags, task_rows, links, comments, activity, api_token, api_tokens)


def _memberships(rows: Rows) -> list[dict[str, Any]]:
    return [{"workspace_id": rows.workspace_id, "user_id": u["id"], "role": Role.OWNER if i == 0 else Role.MEMBER}
            for i, u in enumerate(rows.users)]  # fmt: skip


async def write_sqlalchemy(settings: Settings, rows: Rows) -> None:
    config = build_config(settings)
    async with config.get_session() as session:
        await session.execute(insert(User), rows.users)
        await session.execute(insert(Workspace), [{"id": rows.workspace_id, "name": "Bench", "slug": "bench"}])
        await session.execute(insert(Membership), _memberships(rows))
        await session.execute(insert(ApiToken), rows.api_tokens)
        await session.execute(insert(Project), rows.projects)
        await session.execute(insert(Tag), rows.tags)
        for model, chunked in ((Task, rows.tasks), (task_tag, rows.links), (Comment, rows.comments),
                               (Activity, rows.activity)):  # fmt: skip
            for start in range(0, len(chunked), CHUNK):
                await session.execute(insert(model), chunked[start : start + CHUNK])
        await session.commit()
    await config.get_engine().dispose()


async def write_piccolo(settings: Settings, rows: Rows) -> None:
    """The same rows through Piccolo's tables, as its columns hold them (ranks, values, JSON)."""
    from taskstar.piccolo import tables
    from taskstar.piccolo.database import Database, engine_for

    db = Database(engine_for(settings.database, settings))
    await db.start()

    def stored(row: dict[str, Any]) -> dict[str, Any]:
        row = dict(row)
        for key, value in row.items():
            if isinstance(value, Priority):
                row[key] = value.rank
            elif isinstance(value, Enum):
                row[key] = value.value
            elif key == "changes":
                row[key] = json.dumps(value)
        return row

    try:
        async with db.writing():
            plan = (
                (tables.User, rows.users),
                (tables.Workspace, [{"id": rows.workspace_id, "name": "Bench", "slug": "bench"}]),
                (tables.Membership, _memberships(rows)),
                (tables.ApiToken, rows.api_tokens),
                (tables.Project, rows.projects),
                (tables.Tag, rows.tags),
                (tables.Task, rows.tasks),
                (tables.TaskTag, rows.links),
                (tables.Comment, rows.comments),
                (tables.Activity, rows.activity),
            )
            for table, chunked in plan:
                # Piccolo binds every value: 1,000 rows stay under SQLite's 32,766 parameters.
                for start in range(0, len(chunked), 1_000):
                    await table.insert(*(table(**stored(row)) for row in chunked[start : start + 1_000]))
    finally:
        await db.stop()
