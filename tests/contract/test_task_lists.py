"""Filters, sorts and pages of the task list: deterministic, whitelisted, and keyset-stable."""

from __future__ import annotations

from typing import Any

from tests.support.api import Api, assert_problem, create_project, create_tag, create_task, team


def listing(user: Api, project_id: str, **params: Any) -> dict[str, Any]:
    response = user.get(f"/api/projects/{project_id}/tasks", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def numbers(user: Api, project_id: str, **params: Any) -> list[int]:
    return [task["number"] for task in listing(user, project_id, limit=100, **params)["items"]]


def test_filters(api: Api) -> None:
    workspace, people = team(api)
    member = people["member"]
    project = create_project(member, workspace["id"])
    bug, ui = create_tag(member, workspace["id"], "bug"), create_tag(member, workspace["id"], "ui", "#0000ff")
    pid = project["id"]
    crash = {"status": "in_progress", "priority": "urgent", "assignee_id": member.id, "due_date": "2030-01-10"}
    create_task(member, pid, title="Login crashes", tag_ids=[bug["id"]], **crash)
    polish = {"description": "the LOGIN page", "priority": "low", "due_date": "2030-01-20"}
    create_task(member, pid, title="Polish buttons", tag_ids=[ui["id"]], **polish)
    create_task(member, pid, title="100% done_ish", status="done", assignee_id=people["viewer"].id)
    create_task(member, pid, title="Write tests", status="canceled", tag_ids=[bug["id"], ui["id"]])

    assert numbers(member, pid, status=["todo"]) == [2]
    assert numbers(member, pid, status=["done", "canceled"]) == [3, 4]
    assert numbers(member, pid, priority=["urgent", "low"]) == [1, 2]
    assert numbers(member, pid, assignee_id=member.id) == [1]
    assert numbers(member, pid, assignee_id="none") == [2, 4]
    assert numbers(member, pid, tag_id=[bug["id"]]) == [1, 4]
    assert numbers(member, pid, tag_id=[bug["id"], ui["id"]]) == [1, 2, 4]
    assert numbers(member, pid, q="login") == [1, 2]
    assert numbers(member, pid, q="100%") == [3]  # LIKE wildcards are matched literally
    assert numbers(member, pid, q="done_") == [3]
    assert numbers(member, pid, due_before="2030-01-20") == [1]
    assert numbers(member, pid, due_after="2030-01-10") == [2]
    assert numbers(member, pid, status=["todo", "in_progress"], tag_id=[bug["id"]]) == [1]
    assert listing(member, pid, status=["done"])["total"] == 1
    everything = listing(member, pid)
    assert numbers(member, pid, updated_after=everything["items"][1]["updated_at"]) == [3, 4]


def test_sorts_break_ties_by_id_and_put_missing_due_dates_last(api: Api) -> None:
    workspace, people = team(api)
    member = people["member"]
    pid = create_project(member, workspace["id"])["id"]
    for priority, due, position in [
        ("low", "2030-03-01", 2.0),
        ("urgent", None, 1.0),
        ("none", "2030-01-01", 2.0),
        ("urgent", "2030-02-01", 0.5),
        ("medium", None, 1.0),
    ]:
        create_task(member, pid, priority=priority, due_date=due, position=position)

    assert numbers(member, pid) == [1, 2, 3, 4, 5]
    assert numbers(member, pid, order_by="number", sort_order="desc") == [5, 4, 3, 2, 1]
    assert numbers(member, pid, order_by="priority", sort_order="desc") == [4, 2, 5, 1, 3]
    assert numbers(member, pid, order_by="priority") == [3, 1, 5, 2, 4]
    assert numbers(member, pid, order_by="due_date") == [3, 4, 1, 2, 5]
    assert numbers(member, pid, order_by="due_date", sort_order="desc") == [1, 4, 3, 5, 2]
    assert numbers(member, pid, order_by="position") == [4, 2, 5, 1, 3]
    assert numbers(member, pid, order_by="created_at") == [1, 2, 3, 4, 5]


def test_only_whitelisted_parameters(api: Api) -> None:
    workspace, people = team(api)
    member = people["member"]
    pid = create_project(member, workspace["id"])["id"]
    path = f"/api/projects/{pid}/tasks"
    for params in [
        {"order_by": "title"},
        {"order_by": "number; DROP TABLE task"},
        {"sort_order": "up"},
        {"status": "open"},
        {"priority": "p1"},
        {"assignee_id": "someone"},
        {"tag_id": "not-a-uuid"},
        {"due_before": "tomorrow"},
        {"limit": 101},
        {"limit": 0},
        {"cursor": "garbage"},
        {"cursor": "eyJmb28iOiAxfQ", "offset": 5},
    ]:
        assert_problem(member.get(path, params=params), 400)


def test_offset_pages_and_keyset_pages_see_every_task_once(api: Api) -> None:
    workspace, people = team(api)
    member = people["member"]
    pid = create_project(member, workspace["id"])["id"]
    response = member.post(
        f"/api/projects/{pid}/tasks/bulk",
        json={"items": [{"title": f"T{i}", "priority": ["low", "high"][i % 2]} for i in range(23)]},
    )
    assert response.status_code == 201

    by_offset = []
    for offset in range(0, 30, 5):
        page = listing(member, pid, order_by="priority", limit=5, offset=offset)
        assert page["total"] == 23
        by_offset += [task["number"] for task in page["items"]]
    expected = numbers(member, pid, order_by="priority")
    assert by_offset == expected and sorted(expected) == list(range(1, 24))

    # Keyset: other clients insert between our pages; we still see each original task exactly once.
    seen, cursor, inserted = [], None, 0
    while True:
        params: dict[str, Any] = {"order_by": "priority", "limit": 5}
        if cursor:
            params["cursor"] = cursor
        page = listing(member, pid, **params)
        seen += [task["number"] for task in page["items"]]
        create_task(member, pid, title="late", priority="none")  # sorts before everything seen
        inserted += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == list(range(1, 24)) and seen == expected
    assert listing(member, pid)["total"] == 23 + inserted

    # A cursor belongs to its list: other filters or another sort are refused.
    first = listing(member, pid, order_by="priority", limit=5)
    assert_problem(
        member.get(f"/api/projects/{pid}/tasks", params={"order_by": "number", "cursor": first["next_cursor"]}),
        400,
    )
    assert_problem(
        member.get(
            f"/api/projects/{pid}/tasks",
            params={"order_by": "priority", "status": ["done"], "cursor": first["next_cursor"]},
        ),
        400,
    )


def test_keyset_on_due_date_with_nulls(api: Api) -> None:
    workspace, people = team(api)
    member = people["member"]
    pid = create_project(member, workspace["id"])["id"]
    dues = [None, "2030-01-02", None, "2030-01-01", "2030-01-02", None, "2030-01-03"]
    member.post(f"/api/projects/{pid}/tasks/bulk", json={"items": [{"title": "t", "due_date": d} for d in dues]})
    for order in ("asc", "desc"):
        expected = numbers(member, pid, order_by="due_date", sort_order=order)
        seen, cursor = [], None
        while True:
            params: dict[str, Any] = {"order_by": "due_date", "sort_order": order, "limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = listing(member, pid, **params)
            seen += [task["number"] for task in page["items"]]
            if not (cursor := page["next_cursor"]):
                break
        assert seen == expected, order
        assert seen[-3:] == [1, 3, 6] if order == "asc" else seen[-3:] == [6, 3, 1]
