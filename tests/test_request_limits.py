"""Hostile sizes at the edge: bodies over 1 MiB are 413 (declared or streamed, signed in or
not), strings over their limits and out-of-range pages are 400 naming the field, and none
of it stores anything or answers 5xx."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from taskstar.http.pagination import MAX_OFFSET
from tests.support.api import PASSWORD, Api, assert_problem, create_project, create_tag, create_task, unique
from tests.support.deployment import Deployment
from tests.support.reliability import Figures, attack_figures, record, tallied

pytestmark = pytest.mark.security

MEBIBYTE = 1024 * 1024


def streamed(size: int) -> Iterator[bytes]:
    """A JSON body sent chunked, with no Content-Length to refuse it by."""
    yield b'{"title": "'
    for _ in range(size // 65536):
        yield b"x" * 65536
    yield b'"}'


def test_bodies_over_one_mebibyte_are_413(api: Api, deployment: Deployment) -> None:
    user = api.register("Big")
    project_id = create_project(user, user.create_workspace()["id"])["id"]
    tasks = f"/api/projects/{project_id}/tasks"
    big = "x" * MEBIBYTE
    with tallied(api.http) as seen:
        assert_problem(
            api.post("/api/auth/register", json={"email": "a@example.com", "password": big, "name": "A"}), 413
        )
        assert_problem(user.post(tasks, json={"title": big}), 413)
        assert_problem(user.post(f"{tasks}/bulk", json={"items": [{"title": "t" * 200}] * 6000}), 413)
        chunked = user.post(tasks, content=streamed(2 * MEBIBYTE), headers={"content-type": "application/json"})
        assert_problem(chunked, 413)
        # Just under the limit is read, then judged by the field limits.
        assert_problem(user.post(tasks, json={"title": "t", "description": "x" * (MEBIBYTE - 100)}), 400)
    assert user.get(tasks).json()["total"] == 0
    record(
        figures(deployment, "Oversized bodies", seen, "1 MiB+ bodies: declared, streamed (chunked), signed in or not")
    )


#: For each write, a body with one string one character over its contract limit.
OVER_LONG = {
    "name": ("POST", "/api/auth/register", {"email": "{email}", "password": PASSWORD, "name": "n" * 201}),
    "email": ("POST", "/api/auth/register", {"email": "e" * 245 + "@example.com", "password": PASSWORD, "name": "N"}),
    "password": ("POST", "/api/auth/register", {"email": "{email}", "password": "p" * 129, "name": "N"}),
    "slug": ("POST", "/api/workspaces", {"name": "W", "slug": "s" * 51}),
    "key": ("POST", "/api/workspaces/{workspace_id}/projects", {"key": "K" * 11, "name": "P"}),
    "title": ("POST", "/api/projects/{project_id}/tasks", {"title": "t" * 201}),
    "description": ("PATCH", "/api/tasks/{task_id}", {"description": "d" * 20_001}),
    "body": ("POST", "/api/tasks/{task_id}/comments", {"body": "b" * 20_001}),
    "color": ("PATCH", "/api/tags/{tag_id}", {"color": "#ff00000"}),
}


def test_over_long_strings_are_400_naming_the_field(api: Api, deployment: Deployment) -> None:
    user = api.register("Long")
    workspace_id = user.create_workspace()["id"]
    project_id = create_project(user, workspace_id)["id"]
    ids = {
        "workspace_id": workspace_id,
        "project_id": project_id,
        "task_id": create_task(user, project_id)["id"],
        "tag_id": create_tag(user, workspace_id)["id"],
    }
    with tallied(api.http) as seen:
        for field, (method, path, body) in OVER_LONG.items():
            body = {key: value.format(email=f"{unique('long')}@example.com") if value == "{email}" else value
                    for key, value in body.items()}  # fmt: skip
            problem = assert_problem(user.request(method, path.format(**ids), json=body), 400)
            assert [error["field"] for error in problem.get("errors") or []] == [field], (field, problem)
    task = user.get(f"/api/tasks/{ids['task_id']}").json()
    assert task["version"] == 1 and task["comment_count"] == 0
    record(figures(deployment, "Over-long strings", seen, f"one character over the limit in {', '.join(OVER_LONG)}"))


#: Paging values outside the contract's ranges, and others crafted to overflow a database integer.
BAD_PAGES = [
    {"limit": 0},
    {"limit": 101},
    {"limit": 10**12},
    {"limit": -1},
    {"offset": -1},
    {"offset": MAX_OFFSET + 1},
    {"offset": 2**63},  # one past the largest OFFSET a database takes
    {"offset": 10**30},
    {"limit": "many"},
]


def test_out_of_range_pages_are_400_on_every_list(api: Api, deployment: Deployment) -> None:
    user = api.register("Pager")
    workspace_id = user.create_workspace()["id"]
    project_id = create_project(user, workspace_id)["id"]
    task_id = create_task(user, project_id)["id"]
    lists = [
        "/api/workspaces",
        f"/api/workspaces/{workspace_id}/members",
        f"/api/workspaces/{workspace_id}/projects",
        f"/api/workspaces/{workspace_id}/tags",
        f"/api/projects/{project_id}/tasks",
        f"/api/tasks/{task_id}/comments",
        f"/api/tasks/{task_id}/activity",
    ]
    with tallied(api.http) as seen:
        for path in lists:
            for params in BAD_PAGES:
                response = user.get(path, params=params)
                assert response.status_code == 400, (path, params, response.text)
                problem = assert_problem(response, 400)
                assert [error["field"] for error in problem["errors"]] == list(params), (path, params, problem)
        too_many = [{"title": "t"}] * 101
        assert_problem(user.post(f"/api/projects/{project_id}/tasks/bulk", json={"items": too_many}), 400)
    assert user.get(f"/api/projects/{project_id}/tasks").json()["total"] == 1
    injected = f"{len(BAD_PAGES)} bad limit/offset values on each of {len(lists)} lists; 101 bulk items"
    record(figures(deployment, "Huge and negative pages", seen, injected))


def figures(deployment: Deployment, scenario: str, seen: Counter[str], injected: str) -> Figures:
    reproduce = f"python3 dev.py test tests/test_request_limits.py -k {deployment.target.id}"
    return attack_figures(deployment.target.id, scenario, injected, seen, reproduce)
