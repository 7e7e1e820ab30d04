"""Each endpoint stays within its statement budget in docs/query-budgets.md, whatever the page size."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.contract.api import Api
from tests.inprocess import StatementCounter

BUDGET_TABLE = Path(__file__).parents[1] / "docs" / "query-budgets.md"


def budgets() -> dict[str, int]:
    rows = re.findall(r"^\| (GET|POST|PATCH|DELETE) (\S+) \| (\d+) \|", BUDGET_TABLE.read_text(), re.MULTILINE)
    return {f"{method} {path}": int(budget) for method, path, budget in rows}


@pytest.fixture
def counter(app_client: TestClient[Litestar]) -> StatementCounter:
    return StatementCounter(app_client.app)


def spend(counter: StatementCounter, call: Callable[[], httpx.Response], expected_status: int) -> int:
    with counter.counting() as statements:
        response = call()
    assert response.status_code == expected_status, response.text
    return len(statements)


def test_every_endpoint_within_budget(in_process_api: Api, counter: StatementCounter) -> None:
    api = in_process_api
    table = budgets()
    owner, admin, extra = api.register("Owner"), api.register("Admin"), api.register("Extra")
    workspace = owner.create_workspace()
    base = f"/api/workspaces/{workspace['id']}"
    owner.add_member(workspace["id"], admin, "admin")
    email = f"budget-{workspace['id'][-8:]}@example.com"

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

    assert set(spent) == set(table), "every endpoint in the budget table is measured, and only those"
    over = {endpoint: (count, table[endpoint]) for endpoint, count in spent.items() if count > table[endpoint]}
    assert not over, f"over budget (spent, budget): {over}"


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
