"""One unit of work per request: a failure anywhere leaves nothing behind, and a
commit that fails is an error response, never a 2xx."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from litestar.testing import TestClient

from taskstar.app import create_app
from taskstar.settings import Settings
from tests.support.api import PASSWORD, Api, assert_problem, create_project, create_task, unique
from tests.support.deployment import Deployment
from tests.support.inprocess import Layers


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


def test_a_comment_on_a_task_deleted_after_the_guards_passed_is_404_and_stores_nothing(
    deployment: Deployment, layers: Layers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guards saw the task; another request deletes it before the comment is written.
    Either the delete goes first (the comment is a 404, not a conflict or a 500), or the
    comment's transaction already holds SQLite's write lock and the delete gives up (503)."""
    settings = dataclasses.replace(Settings.from_env(deployment.env), sqlite_busy_timeout_seconds=0.5)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        owner = Api(client).register()  # type: ignore[arg-type]  # Litestar's TestClient is an httpx.Client
        task = create_task(owner, create_project(owner, owner.create_workspace()["id"])["id"])
        deletions: list[httpx.Response] = []

        def delete_the_task() -> None:
            deletions.append(owner.delete(f"/api/tasks/{task['id']}"))

        with monkeypatch.context() as patch:
            patch.setattr(*layers.comment_create, layers.preceded_by(delete_the_task))
            commented = owner.post(f"/api/tasks/{task['id']}/comments", json={"body": "too late"})

        [deleted] = deletions
        if deleted.status_code == 204:
            assert_problem(commented, 404)
            assert_problem(owner.get(f"/api/tasks/{task['id']}"), 404)
        else:
            assert_problem(deleted, 503)
            assert commented.status_code == 201, commented.text
            assert owner.get(f"/api/tasks/{task['id']}").json()["comment_count"] == 1
