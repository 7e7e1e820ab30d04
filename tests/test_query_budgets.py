"""Each endpoint stays within its statement budget in docs/query-budgets.md, whatever the page size."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.support.api import Api, project_key
from tests.support.inprocess import StatementCounter

BUDGET_TABLE = Path(__file__).parents[1] / "docs" / "query-budgets.md"


def budgets() -> dict[str, int]:
    rows = re.findall(r"^\| (GET|POST|PATCH|DELETE) (\S+) \| (\d+) \|", BUDGET_TABLE.read_text(), re.MULTILINE)
    return {f"{method} {path}": int(budget) for method, path, budget in rows}


@pytest.fixture
def counter(app_client: TestClient[Litestar]) -> StatementCounter:
    return StatementCounter(app_client.app)


def counted(
    counter: StatementCounter, call: Callable[[], httpx.Response], expected_status: int
) -> tuple[int, httpx.Response]:
    """The statements one call sent, and its response (checked for the expected status)."""
    with counter.counting() as statements:
        response = call()
    assert response.status_code == expected_status, response.text
    return len(statements), response


def spend(counter: StatementCounter, call: Callable[[], httpx.Response], expected_status: int) -> int:
    return counted(counter, call, expected_status)[0]


def test_every_endpoint_within_budget(in_process_api: Api, counter: StatementCounter) -> None:
    api = in_process_api
    table = budgets()
    owner, admin, extra = api.register("Owner"), api.register("Admin"), api.register("Extra")
    workspace = owner.create_workspace()
    base = f"/api/workspaces/{workspace['id']}"
    owner.add_member(workspace["id"], admin, "admin")
    email = f"budget-{workspace['id'][-8:]}@example.com"
    token_id = owner.post("/api/me/tokens", json={"name": "revoked"}).json()["id"]

    spent = {
        "POST /api/auth/register": spend(
            counter,
            lambda: api.post("/api/auth/register", json={"email": email, "password": "pw123456", "name": "B"}),
            201,
        ),
        "POST /api/auth/login": spend(
            counter, lambda: api.post("/api/auth/login", json={"email": email, "password": "pw123456"}), 200
        ),
        "GET /api/me": spend(counter, lambda: owner.get("/api/me"), 200),
        "POST /api/me/tokens": spend(
            counter,
            lambda: owner.post("/api/me/tokens", json={"name": "b", "workspace_ids": [workspace["id"]]}),
            201,
        ),
        "GET /api/me/tokens": spend(counter, lambda: owner.get("/api/me/tokens"), 200),
        "DELETE /api/me/tokens/{token_id}": spend(counter, lambda: owner.delete(f"/api/me/tokens/{token_id}"), 204),
        "GET /api/workspaces": spend(counter, lambda: owner.get("/api/workspaces"), 200),
        "POST /api/workspaces": spend(
            counter,
            lambda: owner.post("/api/workspaces", json={"name": "B", "slug": f"b-{email[7:15]}"}),
            201,
        ),
        "GET /api/workspaces/{workspace_id}": spend(counter, lambda: owner.get(base), 200),
        "PATCH /api/workspaces/{workspace_id}": spend(
            counter, lambda: owner.patch(base, json={"name": "N", "slug": f"n-{email[7:15]}"}), 200
        ),
        "GET /api/workspaces/{workspace_id}/members": spend(counter, lambda: owner.get(f"{base}/members"), 200),
        "POST /api/workspaces/{workspace_id}/members": spend(
            counter, lambda: owner.post(f"{base}/members", json={"email": extra.email, "role": "viewer"}), 201
        ),
        "PATCH /api/workspaces/{workspace_id}/members/{user_id}": spend(
            counter, lambda: owner.patch(f"{base}/members/{owner.id}", json={"role": "owner"}), 200
        ),
        "DELETE /api/workspaces/{workspace_id}/members/{user_id}": spend(
            counter, lambda: owner.delete(f"{base}/members/{admin.id}"), 204
        ),
        "DELETE /api/workspaces/{workspace_id}": spend(counter, lambda: owner.delete(base), 204),
    }

    spent |= task_endpoints(api, owner, workspace_id=owner.create_workspace()["id"], counter=counter)
    assert set(spent) == set(table), "every endpoint in the budget table is measured, and only those"
    over = {endpoint: (count, table[endpoint]) for endpoint, count in spent.items() if count > table[endpoint]}
    assert not over, f"over budget (spent, budget): {over}"


def task_endpoints(api: Api, owner: Api, *, workspace_id: str, counter: StatementCounter) -> dict[str, int]:
    """Spend each project, tag, task and comment endpoint once, with tags and an assignee in play."""
    ws = f"/api/workspaces/{workspace_id}"
    spent: dict[str, int] = {}

    def measure(endpoint: str, call: Callable[[], httpx.Response], status: int) -> httpx.Response:
        spent[endpoint], response = counted(counter, call, status)
        return response

    project = measure(
        "POST /api/workspaces/{workspace_id}/projects",
        lambda: owner.post(f"{ws}/projects", json={"key": "BUDGET", "name": "B"}),
        201,
    ).json()
    target = owner.post(f"{ws}/projects", json={"key": "TARGET", "name": "T"}).json()
    measure("GET /api/workspaces/{workspace_id}/projects", lambda: owner.get(f"{ws}/projects"), 200)
    measure("GET /api/projects/{project_id}", lambda: owner.get(f"/api/projects/{project['id']}"), 200)
    measure(
        "PATCH /api/projects/{project_id}",
        lambda: owner.patch(f"/api/projects/{project['id']}", json={"key": "BUDGET2"}),
        200,
    )
    tag = measure(
        "POST /api/workspaces/{workspace_id}/tags",
        lambda: owner.post(f"{ws}/tags", json={"name": "t1", "color": "#000000"}),
        201,
    ).json()
    other_tag = owner.post(f"{ws}/tags", json={"name": "t2", "color": "#000000"}).json()
    measure("GET /api/workspaces/{workspace_id}/tags", lambda: owner.get(f"{ws}/tags"), 200)
    measure("PATCH /api/tags/{tag_id}", lambda: owner.patch(f"/api/tags/{tag['id']}", json={"name": "t3"}), 200)
    tasks = f"/api/projects/{project['id']}/tasks"
    full = {"assignee_id": owner.id, "tag_ids": [tag["id"], other_tag["id"]], "due_date": "2030-01-01"}
    task = measure("POST /api/projects/{project_id}/tasks", lambda: owner.post(tasks, json={"title": "x", **full}), 201)
    task = task.json()
    bulk = measure(
        "POST /api/projects/{project_id}/tasks/bulk",
        lambda: owner.post(f"{tasks}/bulk", json={"items": [{"title": "y", **full}] * 20}),
        201,
    ).json()["items"]
    measure(
        "PATCH /api/projects/{project_id}/tasks/bulk",
        lambda: owner.patch(
            f"{tasks}/bulk", json={"ids": [t["id"] for t in bulk], "set": {"status": "done", "assignee_id": None}}
        ),
        200,
    )
    measure("GET /api/projects/{project_id}/tasks", lambda: owner.get(tasks, params={"limit": 100}), 200)
    path = f"/api/tasks/{task['id']}"
    measure("GET /api/tasks/{task_id}", lambda: owner.get(path), 200)
    measure(
        "PATCH /api/tasks/{task_id}",
        lambda: owner.patch(path, json={"title": "z", "tag_ids": [tag["id"]], "assignee_id": owner.id}),
        200,
    )
    comment = measure(
        "POST /api/tasks/{task_id}/comments", lambda: owner.post(f"{path}/comments", json={"body": "c"}), 201
    ).json()
    measure("GET /api/tasks/{task_id}/comments", lambda: owner.get(f"{path}/comments"), 200)
    measure(
        "PATCH /api/comments/{comment_id}",
        lambda: owner.patch(f"/api/comments/{comment['id']}", json={"body": "d"}),
        200,
    )
    measure("DELETE /api/comments/{comment_id}", lambda: owner.delete(f"/api/comments/{comment['id']}"), 204)
    measure(
        "POST /api/tasks/{task_id}/move", lambda: owner.post(f"{path}/move", json={"project_id": target["id"]}), 200
    )
    measure("GET /api/tasks/{task_id}/activity", lambda: owner.get(f"{path}/activity"), 200)
    measure("GET /api/workspaces/{workspace_id}/events", lambda: owner.get(f"{ws}/events", params={"limit": 100}), 200)
    measure("DELETE /api/tasks/{task_id}", lambda: owner.delete(path), 204)
    measure("DELETE /api/tags/{tag_id}", lambda: owner.delete(f"/api/tags/{tag['id']}"), 204)
    measure("DELETE /api/projects/{project_id}", lambda: owner.delete(f"/api/projects/{project['id']}"), 204)
    return spent


def test_list_statements_do_not_grow_with_the_page(in_process_api: Api, counter: StatementCounter) -> None:
    owner = in_process_api.register("Owner")
    workspace = owner.create_workspace()
    members_path = f"/api/workspaces/{workspace['id']}/members"

    small = spend(counter, lambda: owner.get(members_path), 200)
    for index in range(30):
        owner.add_member(workspace["id"], in_process_api.register(f"M{index}"), "member")
        owner.create_workspace(f"W{index}")
    assert owner.get(members_path, params={"limit": 100}).json()["total"] == 31

    assert spend(counter, lambda: owner.get(members_path, params={"limit": 100}), 200) == small
    one = spend(counter, lambda: owner.get("/api/workspaces", params={"limit": 1}), 200)
    assert spend(counter, lambda: owner.get("/api/workspaces", params={"limit": 100}), 200) == one


def test_task_statements_are_the_same_for_one_task_and_fifty_fully_loaded(
    in_process_api: Api, counter: StatementCounter
) -> None:
    owner = in_process_api.register("Owner")
    workspace_id = owner.create_workspace()["id"]
    helper = in_process_api.register("Helper")
    owner.add_member(workspace_id, helper, "member")
    tags = [owner.post(f"/api/workspaces/{workspace_id}/tags", json={"name": f"t{i}", "color": "#123456"}).json()
            for i in range(3)]  # fmt: skip
    loaded = {"tag_ids": [tag["id"] for tag in tags], "assignee_id": helper.id, "due_date": "2030-01-01"}

    def project() -> str:
        return owner.post(f"/api/workspaces/{workspace_id}/projects", json={"key": project_key(), "name": "P"}).json()[
            "id"
        ]

    def scenario(size: int) -> dict[str, int]:
        pid = project()
        tasks = f"/api/projects/{pid}/tasks"
        counts = {
            "bulk create": spend(
                counter, lambda: owner.post(f"{tasks}/bulk", json={"items": [{"title": "t", **loaded}] * size}), 201
            )
        }
        ids = [task["id"] for task in owner.get(tasks, params={"limit": 100}).json()["items"]]
        for task_id in ids:
            owner.post(f"/api/tasks/{task_id}/comments", json={"body": "c"})
        counts["list"] = spend(counter, lambda: owner.get(tasks, params={"limit": 100}), 200)
        counts["bulk update"] = spend(
            counter, lambda: owner.patch(f"{tasks}/bulk", json={"ids": ids, "set": {"priority": "high"}}), 200
        )
        counts["keyset page"] = spend(
            counter, lambda: owner.get(tasks, params={"limit": 100, "order_by": "due_date"}), 200
        )
        return counts

    one, fifty = scenario(1), scenario(50)
    assert one == fifty, (one, fifty)


def test_an_api_token_costs_the_same_statements_as_a_login_token(
    in_process_api: Api, counter: StatementCounter
) -> None:
    owner = in_process_api.register("Owner")
    workspace_id = owner.create_workspace()["id"]
    project_id = owner.post(
        f"/api/workspaces/{workspace_id}/projects", json={"key": project_key(), "name": "P"}
    ).json()["id"]
    task_id = owner.post(f"/api/projects/{project_id}/tasks", json={"title": "t"}).json()["id"]
    created = owner.post("/api/me/tokens", json={"name": "b", "max_role": "owner", "workspace_ids": [workspace_id]})
    script = Api(owner.http, token=created.json()["token"], user=owner.user)
    # The first use is noted for last_used_at and written in the background within a second:
    # let that write land first, so that it is not counted against a request.
    assert script.get("/api/me").status_code == 200
    deadline = time.monotonic() + 10
    while owner.get("/api/me/tokens").json()["items"][0]["last_used_at"] is None:
        assert time.monotonic() < deadline, "last_used_at was not written within 10 s"
        time.sleep(0.1)

    paths = ["/api/me", "/api/workspaces", f"/api/workspaces/{workspace_id}", f"/api/tasks/{task_id}",
             f"/api/projects/{project_id}/tasks"]  # fmt: skip
    by_login = {path: spend(counter, lambda path=path: owner.get(path), 200) for path in paths}
    by_token = {path: spend(counter, lambda path=path: script.get(path), 200) for path in paths}
    assert by_token == by_login
