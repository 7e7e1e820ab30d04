"""Personal API tokens (``shared/spec/api.md``, "Personal API tokens"), against the real server."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any

import httpx

from tests.support.api import Api, assert_problem, create_project, create_task, team, unique

TOKEN_SHAPE = re.compile(r"^tsk_[0-9A-Za-z]{36}$")
LISTED_FIELDS = {"id", "name", "prefix", "workspace_ids", "max_role", "expires_at", "created_at", "updated_at",
                 "last_used_at"}  # fmt: skip


def create_token(user: Api, **fields: Any) -> dict[str, Any]:
    response = user.post("/api/me/tokens", json={"name": "script", **fields})
    assert response.status_code == 201, response.text
    return response.json()


def as_token(user: Api, token: str) -> Api:
    """The same client, authenticating with ``token`` instead of the login token."""
    return Api(user.http, token=token, user=user.user)


def test_a_token_is_shown_once_with_a_checksum_and_listed_without_it(api: Api) -> None:
    user = api.register("Scripter")
    before = time.time()
    created = create_token(user, name="deploy bot")

    assert set(created) == LISTED_FIELDS | {"token"}
    assert TOKEN_SHAPE.match(created["token"]), created["token"]
    assert created["prefix"] == created["token"][:12]
    assert created["name"] == "deploy bot"
    assert created["workspace_ids"] is None and created["max_role"] == "member"
    assert created["last_used_at"] is None
    days = (_epoch(created["expires_at"]) - before) / 86400
    assert 89.9 < days < 90.1, created["expires_at"]

    listed = user.get("/api/me/tokens").json()
    assert listed["total"] == 1 and listed["limit"] == 20 and listed["offset"] == 0
    [item] = listed["items"]
    assert set(item) == LISTED_FIELDS
    assert item == {key: value for key, value in created.items() if key != "token"}
    assert created["token"] not in user.get("/api/me/tokens").text


def test_a_token_works_where_a_login_token_works(api: Api) -> None:
    owner = api.register("Owner")
    workspace = owner.create_workspace()
    project = create_project(owner, workspace["id"])
    script = as_token(owner, create_token(owner, max_role="owner")["token"])

    assert script.get("/api/me").json()["id"] == owner.id
    task = script.post(f"/api/projects/{project['id']}/tasks", json={"title": "From CI"})
    assert task.status_code == 201, task.text
    assert task.json()["reporter"]["id"] == owner.id
    assert script.get(f"/api/tasks/{task.json()['id']}").status_code == 200
    assert script.patch(f"/api/workspaces/{workspace['id']}", json={"name": "Renamed"}).status_code == 200


def test_max_role_caps_the_role_and_a_lower_membership_stays_lower(api: Api) -> None:
    workspace, people = team(api)
    project = create_project(people["owner"], workspace["id"])
    capped = as_token(people["owner"], create_token(people["owner"], max_role="viewer")["token"])

    assert capped.get(f"/api/workspaces/{workspace['id']}").json()["role"] == "viewer"
    [listed] = capped.get("/api/workspaces").json()["items"]
    assert listed["role"] == "viewer"
    assert capped.get(f"/api/projects/{project['id']}/tasks").status_code == 200
    assert_problem(capped.post(f"/api/projects/{project['id']}/tasks", json={"title": "No"}), 403)
    assert_problem(capped.delete(f"/api/workspaces/{workspace['id']}"), 403)

    # max_role is a cap, not a grant: a viewer's owner-capped token is still a viewer's.
    viewer = as_token(people["viewer"], create_token(people["viewer"], max_role="owner")["token"])
    assert viewer.get(f"/api/workspaces/{workspace['id']}").json()["role"] == "viewer"
    assert_problem(viewer.post(f"/api/projects/{project['id']}/tasks", json={"title": "No"}), 403)
    assert people["owner"].get(f"/api/projects/{project['id']}/tasks").json()["total"] == 0


def test_outside_its_workspaces_a_token_is_a_stranger(api: Api) -> None:
    owner = api.register("Owner")
    allowed, hidden = owner.create_workspace("Allowed"), owner.create_workspace("Hidden")
    hidden_project = create_project(owner, hidden["id"])
    hidden_task = create_task(owner, hidden_project["id"])
    script = as_token(owner, create_token(owner, workspace_ids=[allowed["id"]], max_role="admin")["token"])

    listed = script.get("/api/workspaces").json()
    assert [item["id"] for item in listed["items"]] == [allowed["id"]] and listed["total"] == 1
    assert script.get(f"/api/workspaces/{allowed['id']}").status_code == 200
    for path in (f"/api/workspaces/{hidden['id']}", f"/api/projects/{hidden_project['id']}",
                 f"/api/tasks/{hidden_task['id']}", f"/api/workspaces/{hidden['id']}/members"):  # fmt: skip
        assert_problem(script.get(path), 404)
    # Bulk and move routes are covered by the same guard, not by a rule of their own.
    bulk = script.patch(
        f"/api/projects/{hidden_project['id']}/tasks/bulk", json={"ids": [hidden_task["id"]], "set": {"status": "done"}}
    )
    assert_problem(bulk, 404)
    assert_problem(script.post(f"/api/tasks/{hidden_task['id']}/move", json={"project_id": hidden_project["id"]}), 404)
    assert owner.get(f"/api/tasks/{hidden_task['id']}").json()["status"] == "todo"


def test_tokens_cannot_manage_tokens(api: Api) -> None:
    user = api.register("Scripter")
    created = create_token(user, max_role="owner")
    script = as_token(user, created["token"])

    assert_problem(script.get("/api/me/tokens"), 403)
    assert_problem(script.post("/api/me/tokens", json={"name": "wider"}), 403)
    assert_problem(script.delete(f"/api/me/tokens/{created['id']}"), 403)
    assert user.get("/api/me/tokens").json()["total"] == 1


def test_revoked_unknown_malformed_and_tampered_tokens_are_401(api: Api) -> None:
    user = api.register("Scripter")
    created = create_token(user)
    token = created["token"]
    script = as_token(user, token)
    assert script.get("/api/me").status_code == 200

    revoked = user.delete(f"/api/me/tokens/{created['id']}")
    assert revoked.status_code == 204
    assert_problem(script.get("/api/me"), 401)
    assert user.get("/api/me/tokens").json()["total"] == 0
    assert_problem(user.delete(f"/api/me/tokens/{created['id']}"), 404)

    other = create_token(user)["token"]
    last = other[-1]
    tampered = other[:-1] + ("A" if last != "A" else "B")  # checksum no longer holds
    for bad in (tampered, "tsk_", "tsk_" + "A" * 36, other[:-2], other + "A", other.upper()):
        if bad == other:
            continue
        assert_problem(as_token(user, bad).get("/api/me"), 401)
    assert as_token(user, other).get("/api/me").status_code == 200


def test_someone_elses_token_cannot_be_revoked(api: Api) -> None:
    alice, mallory = api.register("Alice"), api.register("Mallory")
    created = create_token(alice)
    assert_problem(mallory.delete(f"/api/me/tokens/{created['id']}"), 404)
    assert as_token(alice, created["token"]).get("/api/me").status_code == 200


def test_a_demoted_owner_acts_with_the_lower_role_at_once(api: Api) -> None:
    workspace, people = team(api)
    project = create_project(people["owner"], workspace["id"])
    script = as_token(people["admin"], create_token(people["admin"], max_role="owner")["token"])
    assert script.post(f"/api/projects/{project['id']}/tasks", json={"title": "Yes"}).status_code == 201

    demoted = people["owner"].patch(f"/api/workspaces/{workspace['id']}/members/{people['admin'].id}",
                                    json={"role": "viewer"})  # fmt: skip
    assert demoted.status_code == 200
    assert_problem(script.post(f"/api/projects/{project['id']}/tasks", json={"title": "No"}), 403)
    removed = people["owner"].delete(f"/api/workspaces/{workspace['id']}/members/{people['admin'].id}")
    assert removed.status_code == 204
    assert_problem(script.get(f"/api/projects/{project['id']}"), 404)


def test_bad_token_requests_name_every_field(api: Api) -> None:
    user = api.register("Scripter")
    mine = user.create_workspace()
    theirs = api.register("Other").create_workspace()

    wrong = user.post(
        "/api/me/tokens",
        json={"name": "", "max_role": "emperor", "expires_in_days": 366, "workspace_ids": ["not-a-uuid"]},
    )
    fields = {error["field"] for error in assert_problem(wrong, 400)["errors"]}
    assert {"name", "max_role", "expires_in_days", "workspace_ids"} <= fields, fields
    for days in (0, 366, 1.5, "30", True):
        assert_problem(user.post("/api/me/tokens", json={"name": "t", "expires_in_days": days}), 400)
    assert_problem(user.post("/api/me/tokens", json={"name": "t", "workspace_ids": []}), 400)
    foreign = user.post("/api/me/tokens", json={"name": "t", "workspace_ids": [mine["id"], theirs["id"]]})
    problem = assert_problem(foreign, 400)
    assert [error["field"] for error in problem["errors"]] == ["workspace_ids"]
    assert theirs["id"] in problem["detail"] and mine["id"] not in problem["detail"]
    assert user.get("/api/me/tokens").json()["total"] == 0

    one_day = create_token(user, expires_in_days=1, workspace_ids=[mine["id"], mine["id"]])
    assert one_day["workspace_ids"] == [mine["id"]]


def test_last_used_at_is_recorded_without_a_write_per_request(api: Api) -> None:
    user = api.register("Scripter")
    created = create_token(user)
    script = as_token(user, created["token"])
    for _ in range(5):
        assert script.get("/api/me").status_code == 200

    deadline = time.monotonic() + 10
    while (listed := user.get("/api/me/tokens").json()["items"][0])["last_used_at"] is None:
        assert time.monotonic() < deadline, "last_used_at was not recorded within 10 s"
        time.sleep(0.2)
    first_use = listed["last_used_at"]
    assert _epoch(first_use) >= _epoch(created["created_at"])
    assert listed["updated_at"] == created["updated_at"], "a use is not a change of the token"

    for _ in range(5):
        assert script.get("/api/me").status_code == 200
    time.sleep(2.5)  # more than the recorder's interval: a second write would have landed
    assert user.get("/api/me/tokens").json()["items"][0]["last_used_at"] == first_use


def test_tokens_page_newest_first(api: Api) -> None:
    user = api.register("Scripter")
    names = [create_token(user, name=f"t{index}")["name"] for index in range(3)]
    first = user.get("/api/me/tokens", params={"limit": 2}).json()
    second = user.get("/api/me/tokens", params={"limit": 2, "offset": 2}).json()
    assert [item["name"] for item in first["items"] + second["items"]] == list(reversed(names))
    assert first["total"] == second["total"] == 3


def test_a_deleted_workspace_leaves_the_token_working_elsewhere(api: Api) -> None:
    owner = api.register("Owner")
    kept, dropped = owner.create_workspace("Kept"), owner.create_workspace("Dropped")
    script = as_token(owner, create_token(owner, workspace_ids=[kept["id"], dropped["id"]])["token"])
    assert owner.delete(f"/api/workspaces/{dropped['id']}").status_code == 204
    assert [item["id"] for item in script.get("/api/workspaces").json()["items"]] == [kept["id"]]
    assert_problem(script.get(f"/api/workspaces/{dropped['id']}"), 404)


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def test_options_on_the_token_routes_answers_allow(api: Api) -> None:
    user = api.register("Scripter")
    created = create_token(user)
    for client in (api, user, as_token(user, created["token"])):
        for path in ("/api/me/tokens", f"/api/me/tokens/{created['id']}"):
            answered = client.request("OPTIONS", path)
            assert answered.status_code == 204, f"OPTIONS {path}: {answered.status_code} {answered.text}"
            assert "OPTIONS" in answered.headers["allow"]


def test_only_an_unlimited_writing_token_creates_workspaces(api: Api) -> None:
    owner = api.register("Owner")
    mine = owner.create_workspace()
    limited = as_token(owner, create_token(owner, workspace_ids=[mine["id"]], max_role="owner")["token"])
    viewer = as_token(owner, create_token(owner, max_role="viewer")["token"])
    member = as_token(owner, create_token(owner, max_role="member")["token"])

    for refused in (limited, viewer):
        assert_problem(refused.post("/api/workspaces", json={"name": "No", "slug": unique("no")}), 403)
    created = member.post("/api/workspaces", json={"name": "By a script", "slug": unique("script")})
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "member", "the role the token acts with, not the membership's"
    assert member.get(f"/api/workspaces/{created.json()['id']}").json()["role"] == "member"
    assert owner.get(f"/api/workspaces/{created.json()['id']}").json()["role"] == "owner"
    assert owner.get("/api/workspaces").json()["total"] == 2


def test_two_authorization_header_lines_are_refused(api: Api) -> None:
    user = api.register("Scripter")
    token = create_token(user, max_role="viewer")["token"]
    for first, second in ((user.token, token), (token, user.token)):
        headers = httpx.Headers([("Authorization", f"Bearer {first}"), ("Authorization", f"Bearer {second}")])
        assert_problem(api.get("/api/me/tokens", headers=headers), 401)
