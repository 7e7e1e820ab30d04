"""The event feed (contract v1.1): every committed change is an event, in the change's own
transaction, read back gap-free in commit order through ``GET /api/workspaces/{id}/events``."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.support.api import Api, assert_problem, create_project, create_tag, create_task, team

EVENT_FIELDS = {
    "id",
    "sequence",
    "kind",
    "workspace_id",
    "project_id",
    "subject_id",
    "actor",
    "data",
    "changes",
    "created_at",
}


def feed(user: Api, workspace_id: str, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Every event after ``after``, read page by page with ``next_after`` as a poller would."""
    events: list[dict[str, Any]] = []
    while True:
        response = user.get(f"/api/workspaces/{workspace_id}/events", params={"after": after, "limit": limit})
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"items", "next_after"}
        events += page["items"]
        if not page["items"]:
            assert page["next_after"] == after
            return events
        assert page["next_after"] == page["items"][-1]["sequence"]
        after = page["next_after"]


def newest(user: Api, workspace_id: str) -> int:
    events = feed(user, workspace_id)
    return events[-1]["sequence"] if events else 0


def test_every_kind_of_write_records_its_event_with_the_resource_as_get_answers_it(api: Api) -> None:
    workspace, people = team(api)
    owner, member = people["owner"], people["member"]
    ws = workspace["id"]
    # Creating the workspace is not among the kinds; adding its team is.
    team_added = feed(owner, ws)
    assert [(event["kind"], event["subject_id"]) for event in team_added] == [
        ("member.added", people[role].id) for role in ("admin", "member", "viewer")
    ]

    project = create_project(owner, ws, key="EVT")
    other = create_project(owner, ws, key="OTH")
    tag = create_tag(owner, ws, name="bug")
    task = create_task(member, project["id"], title="Write the feed", assignee_id=people["viewer"].id)
    patched = member.patch(f"/api/tasks/{task['id']}", json={"status": "done", "tag_ids": [tag["id"]]})
    assert patched.status_code == 200
    comment = member.post(f"/api/tasks/{task['id']}/comments", json={"body": "First"}).json()
    member.patch(f"/api/comments/{comment['id']}", json={"body": "Edited"})
    member.delete(f"/api/comments/{comment['id']}")
    moved = member.post(f"/api/tasks/{task['id']}/move", json={"project_id": other["id"]}).json()
    owner.patch(f"/api/tags/{tag['id']}", json={"color": "#00ff00"})
    owner.patch(f"/api/projects/{project['id']}", json={"name": "Renamed"})
    owner.patch(f"/api/workspaces/{ws}", json={"name": "Renamed team"})
    final_task = member.get(f"/api/tasks/{task['id']}").json()
    assert member.delete(f"/api/tasks/{task['id']}").status_code == 204
    owner.delete(f"/api/tags/{tag['id']}")
    owner.delete(f"/api/projects/{project['id']}")

    events = feed(people["viewer"], ws, after=len(team_added))
    assert [event["kind"] for event in events] == [
        "project.created",
        "project.created",
        "tag.created",
        "task.created",
        "task.updated",
        "comment.created",
        "comment.updated",
        "comment.deleted",
        "task.moved",
        "tag.updated",
        "project.updated",
        "workspace.updated",
        "task.deleted",
        "tag.deleted",
        "project.deleted",
    ]
    assert [event["sequence"] for event in team_added + events] == list(range(1, len(team_added + events) + 1))
    for event in events:
        assert set(event) == EVENT_FIELDS
        assert event["workspace_id"] == ws
    by_kind = {event["kind"]: event for event in events}

    created = by_kind["task.created"]
    assert created["subject_id"] == task["id"] and created["project_id"] == project["id"]
    assert created["actor"] == {"id": member.id, "name": "Member"}
    assert created["data"] == task  # as POST answered (the same shape GET answers)
    assert created["changes"] == {}

    updated = by_kind["task.updated"]
    assert updated["data"] == patched.json()
    assert updated["changes"]["status"] == ["todo", "done"]
    assert updated["changes"]["tag_ids"] == [[], [tag["id"]]]

    assert by_kind["comment.created"]["data"] == comment
    assert by_kind["comment.created"]["project_id"] == project["id"]
    assert by_kind["comment.updated"]["changes"] == {"body": ["First", "Edited"]}
    assert by_kind["comment.deleted"]["data"]["body"] == "Edited"  # the last state

    move = by_kind["task.moved"]
    assert move["data"] == moved and move["project_id"] == other["id"]
    assert move["changes"]["project_id"] == [project["id"], other["id"]]
    assert move["changes"]["key"] == [task["key"], moved["key"]]

    assert by_kind["tag.updated"]["changes"] == {"color": ["#ff0000", "#00ff00"]}
    assert by_kind["tag.updated"]["project_id"] is None
    assert by_kind["project.updated"]["changes"] == {"name": ["Project", "Renamed"]}
    assert by_kind["project.updated"]["subject_id"] == by_kind["project.updated"]["project_id"] == project["id"]
    assert by_kind["workspace.updated"]["changes"] == {"name": ["Web team", "Renamed team"]}
    assert by_kind["workspace.updated"]["data"]["name"] == "Renamed team"
    assert by_kind["task.deleted"]["data"] == final_task
    assert by_kind["tag.deleted"]["data"]["color"] == "#00ff00"
    assert by_kind["project.deleted"]["data"]["name"] == "Renamed"


def test_members_bulk_writes_and_removal_record_one_event_per_change(api: Api) -> None:
    workspace, people = team(api)
    owner, member = people["owner"], people["member"]
    ws = workspace["id"]
    project = create_project(owner, ws)
    newcomer = api.register("Newcomer")

    owner.post(f"/api/workspaces/{ws}/members", json={"email": newcomer.email, "role": "viewer"})
    owner.patch(f"/api/workspaces/{ws}/members/{newcomer.id}", json={"role": "member"})
    bulk = member.post(
        f"/api/projects/{project['id']}/tasks/bulk",
        json={"items": [{"title": "One", "assignee_id": newcomer.id}, {"title": "Two"}, {"title": "Three"}]},
    ).json()["items"]
    ids = [task["id"] for task in bulk]
    # The first task is already high: one task.updated each for the two that change.
    member.patch(f"/api/tasks/{ids[0]}", json={"priority": "high"})
    start = newest(owner, ws)
    member.patch(f"/api/projects/{project['id']}/tasks/bulk", json={"ids": ids, "set": {"priority": "high"}})
    after_bulk = feed(owner, ws, after=start)
    assert [event["kind"] for event in after_bulk] == ["task.updated", "task.updated"]
    assert {event["subject_id"] for event in after_bulk} == set(ids[1:])
    assert all(event["changes"] == {"priority": ["none", "high"]} for event in after_bulk)

    assert owner.delete(f"/api/workspaces/{ws}/members/{newcomer.id}").status_code == 204

    events = feed(owner, ws, after=3)  # after the team's member.added
    kinds = [event["kind"] for event in events]
    assert kinds[:5] == ["project.created", "member.added", "member.updated", "task.created", "task.created"]
    assert [event["data"]["title"] for event in events if event["kind"] == "task.created"] == ["One", "Two", "Three"]
    added, role_change = events[1], events[2]
    assert added["subject_id"] == newcomer.id and added["data"]["role"] == "viewer"
    assert added["data"]["user"] == {"id": newcomer.id, "name": "Newcomer", "email": newcomer.email}
    assert role_change["changes"] == {"role": ["viewer", "member"]}
    # The removal, then the unassigned task's change, in the same transaction.
    removed, unassigned = events[-2], events[-1]
    assert removed["kind"] == "member.removed" and removed["subject_id"] == newcomer.id
    assert removed["data"]["role"] == "member"
    assert unassigned["kind"] == "task.updated" and unassigned["subject_id"] == ids[0]
    assert unassigned["changes"] == {"assignee_id": [newcomer.id, None]}
    assert unassigned["data"]["assignee"] is None
    assert unassigned["data"] == owner.get(f"/api/tasks/{ids[0]}").json()


def test_a_refused_or_empty_write_records_no_event(api: Api) -> None:
    owner = api.register()
    ws = owner.create_workspace()["id"]
    project = create_project(owner, ws, key="NOOP")
    task = create_task(owner, project["id"], title="Same")
    before = newest(owner, ws)

    assert owner.patch(f"/api/tasks/{task['id']}", json={"title": "Same"}).status_code == 200
    stale = owner.patch(f"/api/tasks/{task['id']}", json={"title": "New"}, headers={"If-Match": '"99"'})
    assert_problem(stale, 412)
    assert_problem(owner.post(f"/api/workspaces/{ws}/projects", json={"key": "NOOP", "name": "Twin"}), 409)
    bad_bulk = owner.post(f"/api/projects/{project['id']}/tasks/bulk", json={"items": [{"title": "ok"}, {"title": ""}]})
    assert_problem(bad_bulk, 400)
    assert owner.patch(f"/api/projects/{project['id']}", json={"name": project["name"]}).status_code == 200

    assert newest(owner, ws) == before


def test_polling_with_next_after_pages_through_every_event_once(api: Api) -> None:
    owner = api.register()
    ws = owner.create_workspace()["id"]
    project = create_project(owner, ws)
    for number in range(7):
        create_task(owner, project["id"], title=f"Task {number}")

    paged = feed(owner, ws, limit=3)
    assert [event["sequence"] for event in paged] == list(range(1, 9))
    head = owner.get(f"/api/workspaces/{ws}/events", params={"after": 8}).json()
    assert head == {"items": [], "next_after": 8}
    # A cursor never handed out (past the newest number) would wait while events 9.. go by: 400.
    ahead = assert_problem(owner.get(f"/api/workspaces/{ws}/events", params={"after": 100}), 400)
    assert ahead["errors"][0]["field"] == "after"
    middle = owner.get(f"/api/workspaces/{ws}/events", params={"after": 5, "limit": 2}).json()
    assert [event["sequence"] for event in middle["items"]] == [6, 7] and middle["next_after"] == 7
    default = owner.get(f"/api/workspaces/{ws}/events").json()
    assert len(default["items"]) == 8  # default limit 20


def test_the_feed_is_for_members_only_and_checks_its_parameters(api: Api) -> None:
    workspace, people = team(api)
    ws = workspace["id"]
    create_project(people["owner"], ws)
    stranger = api.register("Stranger")
    path = f"/api/workspaces/{ws}/events"

    assert people["viewer"].get(path).status_code == 200
    assert_problem(stranger.get(path), 404)
    assert_problem(api.get(path), 401)
    for params in ({"after": -1}, {"after": "x"}, {"limit": 0}, {"limit": 101}, {"after": "1.5"}):
        problem = assert_problem(people["viewer"].get(path, params=params), 400)
        assert problem["errors"][0]["field"] == next(iter(params))


def test_an_api_token_reads_only_its_workspaces_feed(api: Api) -> None:
    owner = api.register()
    mine, other = owner.create_workspace()["id"], owner.create_workspace("Other")["id"]
    create_project(owner, mine)
    token = owner.post("/api/me/tokens", json={"name": "feed", "workspace_ids": [mine], "max_role": "viewer"})
    scripted = Api(owner.http, token=token.json()["token"])

    assert [event["kind"] for event in feed(scripted, mine)] == ["project.created"]
    assert_problem(scripted.get(f"/api/workspaces/{other}/events"), 404)


def test_a_cursor_older_than_the_kept_events_is_a_410_saying_where_to_resume(
    app_client: TestClient[Litestar], in_process_api: Api
) -> None:
    """Pruning (``EventsPort.prune``, run hourly by each worker) drives this: events created before
    the cutoff go, oldest first, and the feed says so rather than skip them silently."""
    owner = in_process_api.register()
    ws = owner.create_workspace()["id"]
    create_project(owner, ws, key="OLD")
    create_project(owner, ws, key="OLDER")
    time.sleep(0.05)
    cutoff = datetime.now(UTC)
    time.sleep(0.05)
    create_project(owner, ws, key="NEW")
    prune = app_client.app.state.persistence.prune_events

    assert app_client.blocking_portal.call(prune, cutoff) >= 2
    gone = assert_problem(owner.get(f"/api/workspaces/{ws}/events", params={"after": 1}), 410)
    assert gone["resume_after"] == 2
    assert [event["sequence"] for event in feed(owner, ws, after=gone["resume_after"])] == [3]
    assert [event["sequence"] for event in feed(owner, ws, after=0)] == [3]  # 0: from the oldest kept

    app_client.blocking_portal.call(prune, datetime.now(UTC) + timedelta(seconds=1))  # all of them
    assert assert_problem(owner.get(f"/api/workspaces/{ws}/events", params={"after": 2}), 410)["resume_after"] == 3
    assert owner.get(f"/api/workspaces/{ws}/events", params={"after": 3}).json() == {"items": [], "next_after": 3}
    create_project(owner, ws, key="NEWER")
    assert [event["sequence"] for event in feed(owner, ws, after=3)] == [4]
