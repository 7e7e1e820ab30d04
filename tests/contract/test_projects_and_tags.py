from __future__ import annotations

from tests.support.api import Api, assert_problem, create_project, create_tag, create_task, project_key, team

PROJECT_FIELDS = {"id", "workspace_id", "key", "name", "description", "archived", "created_at", "updated_at"}


def test_members_create_projects_with_unique_keys(api: Api) -> None:
    workspace, people = team(api)
    path = f"/api/workspaces/{workspace['id']}/projects"
    key = project_key()

    created = people["member"].post(path, json={"key": key, "name": "Website", "description": "The site"})
    assert created.status_code == 201
    project = created.json()
    assert set(project) == PROJECT_FIELDS
    assert (project["key"], project["workspace_id"], project["archived"]) == (key, workspace["id"], False)

    assert_problem(people["member"].post(path, json={"key": key, "name": "Again"}), 409)
    assert_problem(people["viewer"].post(path, json={"key": project_key(), "name": "No"}), 403)
    for bad_key in ["web", "1WEB", "W", "ABCDEFGHIJK", "WE-B"]:
        problem = assert_problem(people["member"].post(path, json={"key": bad_key, "name": "X"}), 400)
        assert problem["errors"][0]["field"] == "key"
    listed = people["viewer"].get(path).json()
    assert [item["key"] for item in listed["items"]] == [key]


def test_project_update_and_delete_rights(api: Api) -> None:
    workspace, people = team(api)
    project = create_project(people["member"], workspace["id"])
    path = f"/api/projects/{project['id']}"

    cleared = people["member"].patch(path, json={"description": None, "archived": True})
    assert cleared.status_code == 200
    assert (cleared.json()["description"], cleared.json()["archived"], cleared.json()["key"]) == (
        None,
        True,
        project["key"],
    )
    assert_problem(people["viewer"].patch(path, json={"name": "No"}), 403)
    assert_problem(people["member"].delete(path), 403)
    task = create_task(people["member"], project["id"])
    assert people["admin"].delete(path).status_code == 204
    assert_problem(people["member"].get(path), 404)
    assert_problem(people["member"].get(f"/api/tasks/{task['id']}"), 404)


def test_tags_are_unique_ignoring_case_and_admins_manage_them(api: Api) -> None:
    workspace, people = team(api)
    path = f"/api/workspaces/{workspace['id']}/tags"
    tag = create_tag(people["member"], workspace["id"], "Bug", "#FF0000")
    assert set(tag) == {"id", "workspace_id", "name", "color", "created_at", "updated_at"}

    assert_problem(people["member"].post(path, json={"name": "bug", "color": "#00ff00"}), 409)
    for color in ["red", "#fff", "#12345g", "00ff00"]:
        assert_problem(people["member"].post(path, json={"name": "Other", "color": color}), 400)
    assert_problem(people["member"].patch(f"/api/tags/{tag['id']}", json={"color": "#000000"}), 403)
    recolored = people["admin"].patch(f"/api/tags/{tag['id']}", json={"name": "BUG", "color": "#000000"})
    assert recolored.status_code == 200
    assert (recolored.json()["name"], recolored.json()["color"]) == ("BUG", "#000000")

    project = create_project(people["member"], workspace["id"])
    task = create_task(people["member"], project["id"], tag_ids=[tag["id"]])
    assert [t["id"] for t in task["tags"]] == [tag["id"]]
    assert_problem(people["member"].delete(f"/api/tags/{tag['id']}"), 403)
    assert people["admin"].delete(f"/api/tags/{tag['id']}").status_code == 204
    assert people["member"].get(f"/api/tasks/{task['id']}").json()["tags"] == []


def test_strangers_get_404_on_project_tag_task_and_comment_routes(api: Api) -> None:
    workspace, people = team(api)
    stranger = api.register("Stranger")
    project = create_project(people["member"], workspace["id"])
    tag = create_tag(people["member"], workspace["id"])
    task = create_task(people["member"], project["id"])
    comment = people["member"].post(f"/api/tasks/{task['id']}/comments", json={"body": "hi"}).json()
    before = people["member"].get(f"/api/tasks/{task['id']}").json()

    requests = [
        ("GET", f"/api/workspaces/{workspace['id']}/projects", None),
        ("POST", f"/api/workspaces/{workspace['id']}/projects", {"key": project_key(), "name": "X"}),
        ("GET", f"/api/workspaces/{workspace['id']}/tags", None),
        ("POST", f"/api/workspaces/{workspace['id']}/tags", {"name": "mine", "color": "#000000"}),
        ("GET", f"/api/projects/{project['id']}", None),
        ("PATCH", f"/api/projects/{project['id']}", {"name": "Mine"}),
        ("DELETE", f"/api/projects/{project['id']}", None),
        ("PATCH", f"/api/tags/{tag['id']}", {"name": "mine"}),
        ("DELETE", f"/api/tags/{tag['id']}", None),
        ("GET", f"/api/projects/{project['id']}/tasks", None),
        ("POST", f"/api/projects/{project['id']}/tasks", {"title": "Mine"}),
        ("POST", f"/api/projects/{project['id']}/tasks/bulk", {"items": [{"title": "Mine"}]}),
        (
            "PATCH",
            f"/api/projects/{project['id']}/tasks/bulk",
            {"ids": [task["id"]], "set": {"status": "done"}},
        ),
        ("GET", f"/api/tasks/{task['id']}", None),
        ("PATCH", f"/api/tasks/{task['id']}", {"title": "Mine"}),
        ("DELETE", f"/api/tasks/{task['id']}", None),
        ("POST", f"/api/tasks/{task['id']}/move", {"project_id": project["id"]}),
        ("GET", f"/api/tasks/{task['id']}/activity", None),
        ("GET", f"/api/tasks/{task['id']}/comments", None),
        ("POST", f"/api/tasks/{task['id']}/comments", {"body": "mine"}),
        ("PATCH", f"/api/comments/{comment['id']}", {"body": "mine"}),
        ("DELETE", f"/api/comments/{comment['id']}", None),
    ]
    for method, url, body in requests:
        assert_problem(stranger.request(method, url, json=body), 404)
    assert people["member"].get(f"/api/tasks/{task['id']}").json() == before
    assert people["member"].get(f"/api/projects/{project['id']}").json() == project
