"""Every failure is problem+json with the right status; client input never causes a 500."""

from __future__ import annotations

from tests.support.api import Api, assert_problem, create_task, project_key, unique


def test_unknown_route_and_wrong_method(api: Api) -> None:
    user = api.register()
    assert_problem(user.get("/api/no-such-thing"), 404)
    assert_problem(user.get("/api/workspaces/not-a-uuid"), 404)
    assert_problem(user.request("PUT", "/api/workspaces"), 405)
    assert_problem(api.request("DELETE", "/health"), 405)


def test_malformed_bodies(api: Api) -> None:
    user = api.register()
    headers = {"content-type": "application/json"}
    assert_problem(user.post("/api/workspaces", content=b"{not json", headers=headers), 400)
    assert_problem(user.post("/api/workspaces", json=["a", "list"]), 400)
    assert_problem(user.post("/api/workspaces", json={"name": 5, "slug": "ok-slug"}), 400)
    assert_problem(user.post("/api/workspaces", json={"slug": "ok-slug"}), 400)


def test_server_owned_project_and_tag_fields_are_ignored_on_create_and_patch(api: Api) -> None:
    owner = api.register()
    workspace, elsewhere = owner.create_workspace(), owner.create_workspace("Elsewhere")
    forged = {"id": "01900000-0000-7000-8000-000000000002", "workspace_id": elsewhere["id"], "created_at": "2000-01-01"}

    response = owner.post(
        f"/api/workspaces/{workspace['id']}/projects",
        json={"key": project_key(), "name": "P", "last_task_number": 41, **forged},
    )
    assert response.status_code == 201, response.text
    project = response.json()
    assert project["id"] != forged["id"] and project["workspace_id"] == workspace["id"]
    assert create_task(owner, project["id"])["number"] == 1
    patched = owner.patch(f"/api/projects/{project['id']}", json={"last_task_number": 7, **forged, "name": "Q"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["workspace_id"] == workspace["id"] and patched.json()["name"] == "Q"
    assert create_task(owner, project["id"])["number"] == 2

    tags = f"/api/workspaces/{workspace['id']}/tags"
    tag = owner.post(tags, json={"name": "Bug", "color": "#ff0000", "name_key": "other", **forged})
    assert tag.status_code == 201, tag.text
    assert tag.json()["workspace_id"] == workspace["id"] and tag.json()["id"] != forged["id"]
    # The name's key is the server's (lower-cased name), whatever the body said.
    assert_problem(owner.post(tags, json={"name": "BUG", "color": "#00ff00"}), 409)


def test_too_long_strings_are_400_on_every_database(api: Api) -> None:
    user = api.register()
    problem = assert_problem(user.post("/api/workspaces", json={"name": "x" * 201, "slug": "fine-slug"}), 400)
    expected = {"field": "name", "message": "must be a string of 1 to 200 characters, not blank", "source": "body"}
    assert problem["errors"] == [expected]
    assert user.get("/api/workspaces").json()["total"] == 0


def test_bodies_over_one_mebibyte_are_413(api: Api) -> None:
    user = api.register()
    huge = {"name": "x" * (1024 * 1024), "slug": "huge"}
    assert_problem(user.post("/api/workspaces", json=huge), 413)


def test_server_owned_fields_in_a_body_are_ignored(api: Api) -> None:
    user = api.register()
    chosen_id = "01900000-0000-7000-8000-000000000001"
    response = user.post(
        "/api/workspaces",
        json={
            "name": "Mine",
            "slug": unique("my-slug"),
            "id": chosen_id,
            "role": "viewer",
            "created_at": "2000-01-01",
        },
    )
    assert response.status_code == 201
    workspace = response.json()
    assert workspace["id"] != chosen_id
    assert workspace["role"] == "owner"
    assert not workspace["created_at"].startswith("2000")


def test_nul_characters_are_400_on_every_database(api: Api) -> None:
    user = api.register()
    workspace = user.create_workspace()
    project = user.post(f"/api/workspaces/{workspace['id']}/projects", json={"key": "NUL", "name": "p"}).json()
    tasks = f"/api/projects/{project['id']}/tasks"
    assert_problem(user.post("/api/workspaces", json={"name": "a\x00b", "slug": unique("nul")}), 400)
    assert_problem(user.post(tasks, json={"title": "t", "description": "a\x00b"}), 400)
    assert_problem(user.get(tasks, params={"q": "a\x00b"}), 400)
    assert_problem(api.post("/api/auth/login", json={"email": "a\x00@example.com", "password": "whatever1"}), 400)
    assert user.get(tasks).json()["total"] == 0
