"""One unit of work per request: a failure anywhere leaves nothing behind, and a
commit that fails is an error response, never a 2xx."""

from __future__ import annotations

import pytest

from tests.contract.api import PASSWORD, Api, assert_problem, unique
from tests.inprocess import Layers


def test_a_workspace_whose_owner_row_fails_is_not_created(
    in_process_api: Api, layers: Layers, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = in_process_api.register()
    slug = unique("half")
    fail_after_the_workspace_was_flushed = layers.failing(RuntimeError("injected failure between the two inserts"))

    with monkeypatch.context() as patch:
        patch.setattr(*layers.membership_insert, fail_after_the_workspace_was_flushed)
        failed = owner.post("/api/workspaces", json={"name": "Half", "slug": slug})
    problem = assert_problem(failed, 500)
    assert "injected" not in problem["detail"]  # internals stay in the log

    assert owner.get("/api/workspaces").json()["total"] == 0
    assert owner.post("/api/workspaces", json={"name": "Whole", "slug": slug}).status_code == 201


def test_a_failed_commit_is_503_and_nothing_is_stored(
    in_process_api: Api, layers: Layers, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = f"{unique('commit')}@example.com"
    commit_fails = layers.failing(layers.commit_failure)

    with monkeypatch.context() as patch:
        patch.setattr(*layers.commit, commit_fails)
        failed = in_process_api.post("/api/auth/register", json={"email": email, "password": PASSWORD, "name": "C"})
    assert_problem(failed, 503)
    assert failed.headers["Retry-After"].isdigit()

    assert_problem(in_process_api.post("/api/auth/login", json={"email": email, "password": PASSWORD}), 401)
    again = in_process_api.post("/api/auth/register", json={"email": email, "password": PASSWORD, "name": "C"})
    assert again.status_code == 201


def test_a_refused_member_change_changes_nothing(in_process_api: Api) -> None:
    owner, admin = in_process_api.register(), in_process_api.register()
    workspace = owner.create_workspace()
    owner.add_member(workspace["id"], admin, "admin")
    members = f"/api/workspaces/{workspace['id']}/members"
    before = owner.get(members).json()

    assert_problem(owner.patch(f"{members}/{owner.id}", json={"role": "viewer"}), 409)
    assert_problem(admin.delete(f"{members}/{owner.id}"), 403)
    assert owner.get(members).json() == before
