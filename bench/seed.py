"""A realistic data set, written straight through Taskstar's own models (bulk inserts).

One workspace of 20 members, 10 projects, 20 tags and, by default, 50,000 tasks with
tags, assignees, comments and a 'created' activity row each.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from sqlalchemy import insert

from taskstar.domain.passwords import hash_password
from taskstar.domain.roles import Role
from taskstar.domain.tasks import Priority, Status
from taskstar.settings import Settings
from taskstar.sqlalchemy.database import build_config
from taskstar.sqlalchemy.models import Activity, Comment, Membership, Project, Tag, Task, User, Workspace, task_tag

BENCH_EMAIL = "bench@taskstar.dev"
BENCH_PASSWORD = "bench-password"
CHUNK = 2_000


@dataclass
class Seeded:
    workspace_id: UUID
    project_ids: list[UUID]
    tag_ids: list[UUID]
    task_ids: list[UUID]


def _uuid7() -> UUID:
    from uuid_utils.compat import uuid7

    return uuid7()


async def seed(settings: Settings, *, tasks: int = 50_000, seed_value: int = 7) -> Seeded:
    rng = random.Random(seed_value)
    config = build_config(settings)
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
    async with config.get_session() as session:
        await session.execute(insert(User), users)
        await session.execute(insert(Workspace), [{"id": workspace_id, "name": "Bench", "slug": "bench"}])
        await session.execute(
            insert(Membership),
            [{"workspace_id": workspace_id, "user_id": u["id"], "role": Role.OWNER if i == 0 else Role.MEMBER}
             for i, u in enumerate(users)],
        )  # fmt: skip
        await session.execute(insert(Project), projects)
        await session.execute(insert(Tag), tags)
        for model, rows in ((Task, task_rows), (task_tag, links), (Comment, comments), (Activity, activity)):
            for start in range(0, len(rows), CHUNK):
                await session.execute(insert(model), rows[start : start + CHUNK])
        await session.commit()
    await config.get_engine().dispose()
    return Seeded(workspace_id, [p["id"] for p in projects], [t["id"] for t in tags], [t["id"] for t in task_rows])
