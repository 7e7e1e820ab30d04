from __future__ import annotations

from typing import Any

from tests.support.api import Api, assert_problem, create_project, create_tag, create_task, team

TASK_FIELDS = {
    "id", "project_id", "number", "key", "title", "description", "status", "priority", "assignee", "reporter",
    "tags", "due_date", "position", "version", "completed_at", "comment_count", "created_at", "updated_at",
}  # fmt: skip


def setup(api: Api) -> tuple[dict[str, Any], dict[str, Api], dict[str, Any]]:
    workspace, people = team(api)
    return workspace, people, create_project(people["member"], workspace["id"])


def test_a_new_task_has_the_contracts_shape_and_defaults(api: Api) -> None:
    _, people, project = setup(api)
    member = people["member"]
    task = create_task(member, project["id"], title="Write docs")

    assert set(task) == TASK_FIELDS
    assert task["key"] == f"{project['key']}-1" and task["number"] == 1
    assert (task["status"], task["priority"], task["position"], task["version"]) == ("todo", "none", 0.0, 1)
    assert task["reporter"] == {"id": member.id, "name": "Member"}
    assert (task["assignee"], task["due_date"], task["completed_at"], task["tags"]) == (None, None, None, [])
    assert task["comment_count"] == 0


def test_numbers_are_sequential_and_never_reused(api: Api) -> None:
    _, people, project = setup(api)
    member = people["member"]
    first, second = create_task(member, project["id"]), create_task(member, project["id"])
    assert (first["number"], second["number"]) == (1, 2)
    assert member.delete(f"/api/tasks/{second['id']}").status_code == 204
    assert create_task(member, project["id"])["number"] == 3


def test_assignees_and_tags_must_belong_to_the_workspace(api: Api) -> None:
    workspace, people, project = setup(api)
    outsider = api.register("Outsider")
    other_workspace = outsider.create_workspace()
    foreign_tag = create_tag(outsider, other_workspace["id"])
    tag = create_tag(people["member"], workspace["id"], "ui", "#00AAFF")
    path = f"/api/projects/{project['id']}/tasks"

    problem = assert_problem(people["member"].post(path, json={"title": "T", "assignee_id": outsider.id}), 400)
    assert problem["errors"] == [{"field": "assignee_id", "message": "not a member of this workspace"}]
    problem = assert_problem(people["member"].post(path, json={"title": "T", "tag_ids": [foreign_tag["id"]]}), 400)
    assert problem["errors"][0]["field"] == "tag_ids"
    # Viewers can be assigned; tags show with name and color.
    task = create_task(people["member"], project["id"], assignee_id=people["viewer"].id, tag_ids=[tag["id"]])
    assert task["assignee"] == {"id": people["viewer"].id, "name": "Viewer"}
    assert task["tags"] == [{"id": tag["id"], "name": "ui", "color": "#00AAFF"}]
    assert people["member"].get(path).json()["total"] == 1  # the refused creates left nothing


def test_viewers_read_but_do_not_write(api: Api) -> None:
    _, people, project = setup(api)
    task = create_task(people["member"], project["id"])
    viewer = people["viewer"]

    assert viewer.get(f"/api/tasks/{task['id']}").status_code == 200
    assert viewer.get(f"/api/projects/{project['id']}/tasks").status_code == 200
    assert_problem(viewer.post(f"/api/projects/{project['id']}/tasks", json={"title": "No"}), 403)
    assert_problem(viewer.patch(f"/api/tasks/{task['id']}", json={"title": "No"}), 403)
    assert_problem(viewer.delete(f"/api/tasks/{task['id']}"), 403)
    assert_problem(viewer.post(f"/api/tasks/{task['id']}/comments", json={"body": "No"}), 403)
    assert viewer.get(f"/api/tasks/{task['id']}").json() == task


def test_patch_is_partial_null_clears_and_completed_at_follows_done(api: Api) -> None:
    workspace, people, project = setup(api)
    member = people["member"]
    tag = create_tag(member, workspace["id"])
    task = create_task(
        member,
        project["id"],
        description="d",
        due_date="2030-01-31",
        assignee_id=member.id,
        tag_ids=[tag["id"]],
    )
    path = f"/api/tasks/{task['id']}"

    done = member.patch(path, json={"status": "done"}).json()
    assert done["completed_at"] is not None and done["version"] == 2
    assert (done["description"], done["due_date"], done["assignee"]["id"]) == ("d", "2030-01-31", member.id)
    cleared = member.patch(path, json={"description": None, "due_date": None, "assignee_id": None, "tag_ids": []})
    assert cleared.status_code == 200
    body = cleared.json()
    assert (body["description"], body["due_date"], body["assignee"], body["tags"]) == (None, None, None, [])
    assert body["completed_at"] == done["completed_at"] and body["version"] == 3
    reopened = member.patch(path, json={"status": "in_progress"}).json()
    assert reopened["completed_at"] is None
    assert_problem(member.patch(path, json={"title": None}), 400)
    assert_problem(member.patch(path, json={"status": "finished"}), 400)
    assert_problem(member.patch(path, json={"title": "t" * 201}), 400)


def test_a_patch_that_changes_nothing_changes_nothing(api: Api) -> None:
    _, people, project = setup(api)
    member = people["member"]
    task = create_task(member, project["id"], title="Same", priority="high")
    path = f"/api/tasks/{task['id']}"

    same = member.patch(path, json={"title": "Same", "priority": "high"})
    assert same.status_code == 200
    assert same.json() == task
    assert member.get(f"{path}/activity").json()["total"] == 1  # only "created"


def test_etag_and_if_match(api: Api) -> None:
    _, people, project = setup(api)
    member = people["member"]
    task = create_task(member, project["id"])
    path = f"/api/tasks/{task['id']}"

    fetched = member.get(path)
    assert fetched.headers["ETag"] == '"1"'
    changed = member.patch(path, json={"title": "New"}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    stale = member.patch(path, json={"title": "Lost update"}, headers={"If-Match": '"1"'})
    assert_problem(stale, 412)
    assert_problem(member.patch(path, json={"title": "x"}, headers={"If-Match": "garbage"}), 412)
    after = member.get(path).json()
    assert (after["title"], after["version"]) == ("New", 2)
    assert member.patch(path, json={"title": "Any"}, headers={"If-Match": "*"}).status_code == 200


def test_comments_count_but_do_not_change_the_task(api: Api) -> None:
    _, people, project = setup(api)
    member, admin, viewer = people["member"], people["admin"], people["viewer"]
    task = create_task(member, project["id"])
    comments = f"/api/tasks/{task['id']}/comments"

    first = member.post(comments, json={"body": "First"})
    assert first.status_code == 201
    comment = first.json()
    assert set(comment) == {"id", "task_id", "author", "body", "created_at", "updated_at"}
    assert comment["author"] == {"id": member.id, "name": "Member"}
    admin.post(comments, json={"body": "Second"})
    assert [c["body"] for c in viewer.get(comments).json()["items"]] == ["First", "Second"]

    after = member.get(f"/api/tasks/{task['id']}").json()
    assert after["comment_count"] == 2
    assert (after["version"], after["updated_at"]) == (task["version"], task["updated_at"])

    assert_problem(admin.patch(f"/api/comments/{comment['id']}", json={"body": "Edited by admin"}), 403)
    assert member.patch(f"/api/comments/{comment['id']}", json={"body": "Edited"}).json()["body"] == "Edited"
    assert_problem(member.post(comments, json={"body": ""}), 400)
    assert_problem(member.post(comments, json={"body": "b" * 20_001}), 400)
    other = admin.post(comments, json={"body": "Third"}).json()
    assert_problem(member.delete(f"/api/comments/{other['id']}"), 403)
    assert admin.delete(f"/api/comments/{comment['id']}").status_code == 204  # an admin removes any comment
    assert member.get(f"/api/tasks/{task['id']}").json()["comment_count"] == 2


def test_activity_records_every_change_oldest_first(api: Api) -> None:
    workspace, people, project = setup(api)
    member = people["member"]
    other_project = create_project(member, workspace["id"])
    task = create_task(member, project["id"], title="Track me")
    member.patch(f"/api/tasks/{task['id']}", json={"title": "Tracked", "priority": "urgent"})
    member.post(f"/api/tasks/{task['id']}/comments", json={"body": "note"})
    member.post(f"/api/tasks/{task['id']}/move", json={"project_id": other_project["id"]})

    activity = member.get(f"/api/tasks/{task['id']}/activity").json()
    assert [row["kind"] for row in activity["items"]] == ["created", "updated", "commented", "moved"]
    updated = activity["items"][1]
    assert updated["changes"] == {"title": ["Track me", "Tracked"], "priority": ["none", "urgent"]}
    assert updated["actor"] == {"id": member.id, "name": "Member"}
    moved = activity["items"][3]["changes"]
    assert moved["key"] == [f"{project['key']}-1", f"{other_project['key']}-1"]


def test_removing_a_member_unassigns_their_tasks(api: Api) -> None:
    _, people, project = setup(api)
    member = people["member"]
    task = create_task(member, project["id"], assignee_id=people["viewer"].id)
    workspace_id = project["workspace_id"]

    assert people["admin"].delete(f"/api/workspaces/{workspace_id}/members/{people['viewer'].id}").status_code == 204
    after = member.get(f"/api/tasks/{task['id']}").json()
    assert after["assignee"] is None and after["version"] == 2
    last = member.get(f"/api/tasks/{task['id']}/activity").json()["items"][-1]
    assert last["changes"] == {"assignee_id": [people["viewer"].id, None]}
