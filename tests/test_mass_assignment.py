"""Mass assignment: a body that names server-owned fields (ids, numbers, versions, the
reporter, the author, the owning workspace or project, counters, timestamps, a role) is
served as if those fields were absent, on every write of tasks, comments, members,
workspaces and accounts. (Projects and tags: tests/contract/test_errors.py.)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from tests.support.api import PASSWORD, Api, create_project, unique
from tests.support.deployment import Deployment
from tests.support.reliability import Figures, attack_figures, record, tallied

pytestmark = pytest.mark.security

FORGED_ID = "01900000-0000-7000-8000-00000000beef"
FORGED_TIME = "2000-01-01T00:00:00Z"


def forged_task_fields(elsewhere: Api, other_project: str) -> dict[str, Any]:
    """Everything about a task that only the server decides."""
    return {
        "id": FORGED_ID,
        "project_id": other_project,
        "number": 999,
        "key": "HACK-999",
        "version": 77,
        "reporter": {"id": elsewhere.id, "name": "Someone else"},
        "reporter_id": elsewhere.id,
        "comment_count": 12,
        "completed_at": FORGED_TIME,
        "created_at": FORGED_TIME,
        "updated_at": FORGED_TIME,
    }


def assert_server_owned(task: dict[str, Any], owner: Api, project_id: str, *, number: int, version: int) -> None:
    assert task["id"] != FORGED_ID
    assert task["project_id"] == project_id
    assert task["number"] == number and task["key"].endswith(f"-{number}")
    assert task["version"] == version
    assert task["reporter"]["id"] == owner.id
    assert task["comment_count"] == 0
    assert task["completed_at"] is None
    assert not task["created_at"].startswith("2000") and not task["updated_at"].startswith("2000")


def test_server_owned_task_fields_cannot_be_written(api: Api, deployment: Deployment) -> None:
    owner, elsewhere = api.register("Owner"), api.register("Elsewhere")
    project_id = create_project(owner, owner.create_workspace()["id"])["id"]
    other_project = create_project(elsewhere, elsewhere.create_workspace()["id"])["id"]
    forged = forged_task_fields(elsewhere, other_project)
    tasks = f"/api/projects/{project_id}/tasks"

    with tallied(owner.http) as seen:
        created = owner.post(tasks, json={"title": "mine", **forged})
        assert created.status_code == 201, created.text
        assert_server_owned(created.json(), owner, project_id, number=1, version=1)
        task_id = created.json()["id"]

        patched = owner.patch(f"/api/tasks/{task_id}", json={"title": "renamed", **forged})
        assert patched.status_code == 200, patched.text
        assert_server_owned(patched.json(), owner, project_id, number=1, version=2)

        bulk = owner.post(f"{tasks}/bulk", json={"items": [{"title": "b", **forged}] * 2})
        assert bulk.status_code == 201, bulk.text
        for number, task in enumerate(bulk.json()["items"], start=2):
            assert_server_owned(task, owner, project_id, number=number, version=1)

        # Bulk PATCH changes only what `set` may hold; whatever else `set` names is not applied.
        bulk_patch = owner.patch(f"{tasks}/bulk", json={"ids": [task_id], "set": {"priority": "high", **forged}})
        assert bulk_patch.status_code == 200, bulk_patch.text
        stored = owner.get(f"/api/tasks/{task_id}").json()
        assert_server_owned(stored, owner, project_id, number=1, version=3)
        assert stored["priority"] == "high"

        moved = owner.post(f"/api/tasks/{task_id}/move", json={**forged, "project_id": project_id})
        assert moved.status_code == 200 and moved.json()["number"] == 1, moved.text

        comment = owner.post(
            f"/api/tasks/{task_id}/comments",
            json={
                "body": "hi",
                "id": FORGED_ID,
                "task_id": FORGED_ID,
                "author": {"id": elsewhere.id},
                "author_id": elsewhere.id,
            },
        )
        assert comment.status_code == 201, comment.text
        assert comment.json()["id"] != FORGED_ID and comment.json()["task_id"] == task_id
        assert comment.json()["author"]["id"] == owner.id
        edited = owner.patch(
            f"/api/comments/{comment.json()['id']}",
            json={"body": "edited", "author_id": elsewhere.id, "task_id": FORGED_ID},
        )
        assert edited.status_code == 200 and edited.json()["author"]["id"] == owner.id, edited.text

    assert elsewhere.get(f"/api/projects/{other_project}/tasks").json()["total"] == 0
    injected = "id, number, key, version, reporter, project_id, comment_count, timestamps, author in every body"
    record(figures(deployment, "Mass assignment of task and comment fields", seen, injected))


def test_no_body_escalates_a_role_or_moves_a_membership(api: Api, deployment: Deployment) -> None:
    owner, member, outsider = api.register("Owner"), api.register("Member"), api.register("Outsider")
    workspace = owner.create_workspace()
    other = outsider.create_workspace()
    members = f"/api/workspaces/{workspace['id']}/members"

    with tallied(member.http) as seen:
        added = owner.post(members, json={"email": member.email, "role": "member", "workspace_id": other["id"],
                                          "user_id": outsider.id})  # fmt: skip
        assert added.status_code == 201, added.text
        assert added.json()["user"]["id"] == member.id and added.json()["role"] == "member"
        # A member writing the workspace, or their own membership, with a role in the body.
        assert (
            member.patch(f"/api/workspaces/{workspace['id']}", json={"name": "Mine", "role": "owner"}).status_code
            == 403
        )
        assert member.patch(f"{members}/{member.id}", json={"role": "admin"}).status_code == 403
        # An account created with a role, an id or a hash of its own choosing gets none of them.
        email = f"{unique('forger')}@example.com"
        account = member.post(
            "/api/auth/register",
            json={"email": email, "password": PASSWORD, "name": "F", "id": FORGED_ID, "role": "owner",
                  "password_hash": "$argon2id$forged", "created_at": FORGED_TIME},
        )  # fmt: skip
        assert account.status_code == 201, account.text
        assert account.json()["id"] != FORGED_ID and not account.json()["created_at"].startswith("2000")
        assert member.post("/api/auth/login", json={"email": email, "password": PASSWORD}).status_code == 200

    roles = {row["user"]["id"]: row["role"] for row in owner.get(members).json()["items"]}
    assert roles == {owner.id: "owner", member.id: "member"}
    assert [row["user"]["id"] for row in outsider.get(f"/api/workspaces/{other['id']}/members").json()["items"]] == [
        outsider.id
    ]
    injected = "role, workspace_id, user_id, id, password_hash in member, workspace and register bodies"
    record(figures(deployment, "Role escalation and membership forging through bodies", seen, injected))


def figures(deployment: Deployment, scenario: str, seen: Counter[str], injected: str) -> Figures:
    reproduce = f"python3 dev.py test tests/test_mass_assignment.py -k {deployment.target.id}"
    client_saw_nothing_forged = attack_figures(deployment.target.id, scenario, injected, seen, reproduce)
    return replace(client_saw_nothing_forged, client_saw=f"{client_saw_nothing_forged.client_saw}; nothing forged took")
