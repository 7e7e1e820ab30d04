"""What must hold after any fault or load: read back through the API, as a user would.

A task is whole when its number is unique in its project, its ``comment_count``
equals its comments, and its activity holds one ``created`` row and one
``commented`` row per comment (the change and its activity commit together).
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from tests.support.api import Api

PAGE = 100


def every_item(user: Api, path: str, **params: Any) -> list[dict[str, Any]]:
    """All items of a list endpoint, page by page."""
    items: list[dict[str, Any]] = []
    while True:
        response = user.get(path, params={**params, "limit": PAGE, "offset": len(items)})
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text[:300]}"
        page = response.json()
        items += page["items"]
        if len(items) >= page["total"] or not page["items"]:
            return items


@dataclass(frozen=True)
class TaskRecord:
    task: dict[str, Any]
    comments: list[dict[str, Any]]
    activity: list[dict[str, Any]] | None
    """``None`` when read without history."""

    @property
    def kinds(self) -> Counter[str]:
        return Counter(row["kind"] for row in self.activity or [])


def read_project(user: Api, project_id: str, *, with_history: bool = True) -> list[TaskRecord]:
    """Every task of a project, with its comments and activity read by a few clients at once."""
    tasks = every_item(user, f"/api/projects/{project_id}/tasks")
    if not with_history:
        return [TaskRecord(task, [], None) for task in tasks]

    def whole(task: dict[str, Any]) -> TaskRecord:
        return TaskRecord(
            task,
            every_item(user, f"/api/tasks/{task['id']}/comments"),
            every_item(user, f"/api/tasks/{task['id']}/activity"),
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(whole, tasks))


def half_applied(records: list[TaskRecord]) -> list[str]:
    """Every way in which the tasks of one project are not whole (empty when all is well)."""
    problems = []
    numbers = Counter(record.task["number"] for record in records)
    problems += [f"number {number} is used {count} times" for number, count in numbers.items() if count > 1]
    for record in records:
        key = record.task["key"]
        if record.activity is None:
            continue
        if record.task["comment_count"] != len(record.comments):
            problems.append(f"{key}: comment_count {record.task['comment_count']} but {len(record.comments)} comments")
        if record.kinds["created"] != 1:
            problems.append(f"{key}: {record.kinds['created']} 'created' activity rows")
        if record.kinds["commented"] != len(record.comments):
            problems.append(f"{key}: {record.kinds['commented']} 'commented' rows for {len(record.comments)} comments")
    return problems
