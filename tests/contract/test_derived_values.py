"""Every value that reaches the database fits its column after every transformation the server
applies (issue 13, kind 2): case folding, time-zone conversion, integer width. Whatever a
client sends, the answer is a 400 naming the field, or success; never a 500, never a 409 for
something that is no duplicate, and the same on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.api import PASSWORD, Api, assert_problem, create_project, create_task, unique

DOTTED_CAPITAL_I = "\u0130"  # "İ": lower-cases to two code points, "i" and a combining dot


def test_a_tag_name_whose_lower_case_outgrows_200_characters_is_400_on_create_and_rename(api: Api) -> None:
    owner = api.register()
    workspace = owner.create_workspace()
    tags = f"/api/workspaces/{workspace['id']}/tags"
    too_long = DOTTED_CAPITAL_I + "a" * 199  # 200 characters, 201 once lower-cased

    problem = assert_problem(owner.post(tags, json={"name": too_long, "color": "#123456"}), 400)
    assert [error["field"] for error in problem["errors"]] == ["name"]
    assert owner.get(tags).json()["total"] == 0

    fits = DOTTED_CAPITAL_I + "a" * 198  # 200 once lower-cased: the limit itself
    created = owner.post(tags, json={"name": fits, "color": "#123456"})
    assert created.status_code == 201, created.text
    assert created.json()["name"] == fits
    problem = assert_problem(owner.patch(f"/api/tags/{created.json()['id']}", json={"name": too_long}), 400)
    assert [error["field"] for error in problem["errors"]] == ["name"]
    assert owner.get(tags).json()["items"][0]["name"] == fits
    # The key still ignores case: the same name in capitals is the same tag.
    assert_problem(owner.post(tags, json={"name": fits.upper(), "color": "#123456"}), 409)


def test_an_email_whose_lower_case_outgrows_254_characters_is_400(api: Api) -> None:
    domain = "@example.com"
    too_long = DOTTED_CAPITAL_I + "a" * (253 - len(domain)) + domain  # 254 characters, 255 lower-cased
    response = api.post("/api/auth/register", json={"email": too_long, "password": PASSWORD, "name": "Long"})
    problem = assert_problem(response, 400)
    assert [error["field"] for error in problem["errors"]] == ["email"]
    login = api.post("/api/auth/login", json={"email": too_long, "password": PASSWORD})
    assert_problem(login, 401)

    fits = DOTTED_CAPITAL_I + unique("a")[:20] + "a" * (252 - 21 - len(domain)) + domain  # 254 lower-cased
    registered = api.post("/api/auth/register", json={"email": fits, "password": PASSWORD, "name": "Fits"})
    assert registered.status_code == 201, registered.text
    assert registered.json()["email"] == fits.lower()
    assert api.post("/api/auth/login", json={"email": fits, "password": PASSWORD}).status_code == 200


@pytest.mark.parametrize(
    "updated_after",
    ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "9999-12-31T23:00:00-01:00"],
)
def test_a_timestamp_that_utc_cannot_hold_is_400(api: Api, updated_after: str) -> None:
    owner = api.register()
    project = create_project(owner, owner.create_workspace()["id"])
    problem = assert_problem(
        owner.get(f"/api/projects/{project['id']}/tasks", params={"updated_after": updated_after}), 400
    )
    assert [error["field"] for error in problem["errors"]] == ["updated_after"]


def test_an_offset_timestamp_filters_at_its_instant_in_utc(api: Api) -> None:
    owner = api.register()
    project = create_project(owner, owner.create_workspace()["id"])
    task = create_task(owner, project["id"])
    tasks = f"/api/projects/{project['id']}/tasks"
    updated = datetime.fromisoformat(task["updated_at"])
    ahead = timezone(timedelta(hours=14))
    # The task's own instant, written 14 hours ahead of UTC: nothing changed strictly after it.
    assert owner.get(tasks, params={"updated_after": updated.astimezone(ahead).isoformat()}).json()["total"] == 0
    just_before = (updated - timedelta(milliseconds=1)).astimezone(ahead).isoformat()
    assert owner.get(tasks, params={"updated_after": just_before}).json()["total"] == 1


def _pages_of_two(owner: Api, project_id: str, order_by: str) -> dict:
    for _ in range(3):
        create_task(owner, project_id, due_date="2030-01-01", priority="high")
    page = owner.get(f"/api/projects/{project_id}/tasks", params={"limit": 2, "order_by": order_by}).json()
    assert page["next_cursor"], page
    return page


def _edited(cursor: str, edit: object) -> str:
    """The cursor with its payload's values replaced and its MAC (or whatever follows) kept."""
    payload, dot, rest = cursor.partition(".")
    fingerprint, _ = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps([fingerprint, edit]).encode()).decode().rstrip("=")
    return f"{forged}{dot}{rest}"


#: Edited cursor values: beyond a 32-bit or 64-bit INTEGER, a naive timestamp, a year past 9999,
#: a double's extreme, an impossible date, a value short, not a UUID.
EDITS = [
    ("number", [2**31, "01900000-0000-7000-8000-000000000001"]),
    ("number", [2**63, "01900000-0000-7000-8000-000000000001"]),
    ("number", [-(2**70), "01900000-0000-7000-8000-000000000001"]),
    ("number", [1, "not-a-uuid"]),
    ("number", [1]),
    ("updated_at", ["2030-01-01T00:00:00", "01900000-0000-7000-8000-000000000001"]),
    ("updated_at", ["99999-01-01T00:00:00Z", "01900000-0000-7000-8000-000000000001"]),
    ("priority", [2**40, "01900000-0000-7000-8000-000000000001"]),
    ("position", [1e308, "01900000-0000-7000-8000-000000000001"]),
    ("due_date", ["2030-02-30", "01900000-0000-7000-8000-000000000001"]),
]


def test_an_edited_cursor_is_400_and_the_connection_serves_on(api: Api) -> None:
    owner = api.register()
    project = create_project(owner, owner.create_workspace()["id"])
    tasks = f"/api/projects/{project['id']}/tasks"
    for _ in range(3):
        create_task(owner, project["id"], due_date="2030-01-01", priority="high")
    for order_by, edit in EDITS:
        page = owner.get(tasks, params={"limit": 2, "order_by": order_by}).json()
        edited = _edited(page["next_cursor"], edit)
        response = owner.get(tasks, params={"limit": 2, "order_by": order_by, "cursor": edited})
        problem = assert_problem(response, 400)
        assert [error["field"] for error in problem["errors"]] == ["cursor"], (order_by, edit)

        # The genuine cursor still works, and so do writes (no connection was left broken).
        rest = owner.get(tasks, params={"limit": 2, "order_by": order_by, "cursor": page["next_cursor"]})
        assert rest.status_code == 200 and len(rest.json()["items"]) == 1, rest.text
        assert owner.patch(f"/api/tasks/{page['items'][0]['id']}", json={"title": "edited"}).status_code == 200


def test_a_cursor_from_another_server_key_or_unsigned_is_400(api: Api) -> None:
    owner = api.register()
    project = create_project(owner, owner.create_workspace()["id"])
    page = _pages_of_two(owner, project["id"], "number")
    tasks = f"/api/projects/{project['id']}/tasks"
    payload, _, mac = page["next_cursor"].partition(".")
    for forged in (payload, f"{payload}.", f"{payload}.{mac[::-1]}", f"{payload}.{'A' * len(mac)}", "é.é"):
        assert_problem(owner.get(tasks, params={"limit": 2, "cursor": forged}), 400)


def test_a_cursor_belongs_to_its_project_and_not_to_the_order_of_repeated_filters(api: Api) -> None:
    owner = api.register()
    workspace_id = owner.create_workspace()["id"]
    first, second = create_project(owner, workspace_id), create_project(owner, workspace_id)
    for project in (first, second):
        for status in ("todo", "done", "todo"):
            create_task(owner, project["id"], status=status)
    filters = {"limit": 1, "status": ["todo", "done"]}
    page = owner.get(f"/api/projects/{first['id']}/tasks", params=filters).json()

    elsewhere = owner.get(f"/api/projects/{second['id']}/tasks", params={**filters, "cursor": page["next_cursor"]})
    problem = assert_problem(elsewhere, 400)
    assert [error["field"] for error in problem["errors"]] == ["cursor"]

    reordered = {"limit": 1, "status": ["done", "todo", "done"], "cursor": page["next_cursor"]}
    rest = owner.get(f"/api/projects/{first['id']}/tasks", params=reordered)
    assert rest.status_code == 200, rest.text
    assert rest.json()["items"][0]["number"] == 2
