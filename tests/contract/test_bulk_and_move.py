from __future__ import annotations

from tests.support.api import Api, assert_problem, create_project, create_task, team


def test_bulk_create_is_all_or_nothing_and_names_the_failing_items(api: Api) -> None:
    workspace, people = team(api)
    member = people["member"]
    pid = create_project(member, workspace["id"])["id"]
    outsider = api.register("Outsider")
    path = f"/api/projects/{pid}/tasks/bulk"

    items = [{"title": "ok 1"}, {"title": "bad", "assignee_id": outsider.id}, {"title": "ok 2"}]
    problem = assert_problem(member.post(path, json={"items": items}), 400)
    assert problem["errors"] == [{"field": "items[1].assignee_id", "message": "not a member of this workspace"}]
    problem = assert_problem(member.post(path, json={"items": [{"title": "ok"}, {"title": ""}]}), 400)
    assert "items" in problem["errors"][0]["field"]
    assert_problem(member.post(path, json={"items": []}), 400)
    assert_problem(member.post(path, json={"items": [{"title": "x"}] * 101}), 400)
    assert member.get(f"/api/projects/{pid}/tasks").json()["total"] == 0

    created = member.post(path, json={"items": [{"title": f"T{i}"} for i in range(100)]})
    assert created.status_code == 201
    assert [task["number"] for task in created.json()["items"]] == list(range(1, 101))
    assert create_task(member, pid)["number"] == 101  # refused batches consumed no numbers


def test_bulk_update_is_all_or_nothing(api: Api) -> None:
    workspace, people = team(api)
    member = people["member"]
    project, other = create_project(member, workspace["id"]), create_project(member, workspace["id"])
    tasks = [create_task(member, project["id"]) for _ in range(3)]
    elsewhere = create_task(member, other["id"])
    path = f"/api/projects/{project['id']}/tasks/bulk"
    ids = [task["id"] for task in tasks]

    problem = assert_problem(member.patch(path, json={"ids": [*ids, elsewhere["id"]], "set": {"status": "done"}}), 400)
    assert problem["errors"] == [{"field": "ids[3]", "message": "no task with this id in the project"}]
    assert_problem(member.patch(path, json={"ids": ids, "set": {"assignee_id": api.register().id}}), 400)
    assert all(t["status"] == "todo" for t in member.get(f"/api/projects/{project['id']}/tasks").json()["items"])

    updated = member.patch(path, json={"ids": ids, "set": {"status": "done", "assignee_id": people["viewer"].id}})
    assert updated.status_code == 200
    items = updated.json()["items"]
    assert [task["id"] for task in items] == ids
    assert all(t["status"] == "done" and t["completed_at"] and t["version"] == 2 for t in items)
    assert all(t["assignee"]["id"] == people["viewer"].id for t in items)
    assert member.get(f"/api/tasks/{ids[0]}/activity").json()["total"] == 2


def test_move_renumbers_in_the_target_project(api: Api) -> None:
    workspace, people = team(api)
    member = people["member"]
    source, target = create_project(member, workspace["id"]), create_project(member, workspace["id"])
    create_task(member, target["id"])
    task = create_task(member, source["id"], title="Mover")

    same = member.post(f"/api/tasks/{task['id']}/move", json={"project_id": source["id"]})
    assert same.status_code == 200 and same.json() == task

    moved = member.post(f"/api/tasks/{task['id']}/move", json={"project_id": target["id"]})
    assert moved.status_code == 200
    body = moved.json()
    assert (body["project_id"], body["number"], body["key"]) == (target["id"], 2, f"{target['key']}-2")
    assert body["version"] == 2
    assert member.get(f"/api/projects/{source['id']}/tasks").json()["total"] == 0
    assert create_task(member, source["id"])["number"] == 2  # the source's numbers are not reused

    outsider = api.register()
    foreign = create_project(outsider, outsider.create_workspace()["id"])
    problem = assert_problem(member.post(f"/api/tasks/{task['id']}/move", json={"project_id": foreign["id"]}), 400)
    assert problem["errors"][0]["field"] == "project_id"
    assert member.get(f"/api/tasks/{task['id']}").json() == body
