from __future__ import annotations

from tests.support.api import Api, assert_problem, team, unique


def roles(owner: Api, workspace_id: str) -> dict[str, str]:
    listed = owner.get(f"/api/workspaces/{workspace_id}/members", params={"limit": 100}).json()
    return {item["user"]["id"]: item["role"] for item in listed["items"]}


def test_members_list_shows_user_role_and_join_time(api: Api) -> None:
    workspace, people = team(api)
    listed = people["viewer"].get(f"/api/workspaces/{workspace['id']}/members").json()

    assert listed["total"] == 4
    assert [item["role"] for item in listed["items"]] == ["owner", "admin", "member", "viewer"]
    first = listed["items"][0]
    assert set(first) == {"user", "role", "created_at", "updated_at"}
    assert first["user"] == {"id": people["owner"].id, "name": "Owner", "email": people["owner"].email}
    paged = people["viewer"].get(f"/api/workspaces/{workspace['id']}/members", params={"limit": 3, "offset": 3})
    assert [item["user"]["id"] for item in paged.json()["items"]] == [people["viewer"].id]


def test_adding_a_member_by_email(api: Api) -> None:
    workspace, people = team(api)
    newcomer = api.register("Newcomer")
    path = f"/api/workspaces/{workspace['id']}/members"

    added = people["admin"].post(path, json={"email": newcomer.email.upper(), "role": "member"})
    assert added.status_code == 201
    assert added.json()["user"] == {"id": newcomer.id, "name": "Newcomer", "email": newcomer.email}
    assert newcomer.get(f"/api/workspaces/{workspace['id']}").json()["role"] == "member"

    assert_problem(people["admin"].post(path, json={"email": newcomer.email, "role": "viewer"}), 409)
    no_account = people["admin"].post(path, json={"email": f"{unique('nobody')}@example.com", "role": "member"})
    assert assert_problem(no_account, 400)["errors"][0]["field"] == "email"
    assert_problem(people["admin"].post(path, json={"email": newcomer.email, "role": "emperor"}), 400)


def test_members_and_viewers_cannot_manage_members(api: Api) -> None:
    workspace, people = team(api)
    outsider = api.register()
    path = f"/api/workspaces/{workspace['id']}/members"
    before = roles(people["owner"], workspace["id"])

    for role in ("member", "viewer"):
        caller = people[role]
        assert_problem(caller.post(path, json={"email": outsider.email, "role": "viewer"}), 403)
        assert_problem(caller.patch(f"{path}/{people['viewer'].id}", json={"role": "admin"}), 403)
        assert_problem(caller.delete(f"{path}/{people['viewer'].id}"), 403)
    assert roles(people["owner"], workspace["id"]) == before


def test_only_an_owner_grants_or_touches_owner(api: Api) -> None:
    workspace, people = team(api)
    outsider = api.register()
    path = f"/api/workspaces/{workspace['id']}/members"
    admin = people["admin"]
    before = roles(people["owner"], workspace["id"])

    assert_problem(admin.post(path, json={"email": outsider.email, "role": "owner"}), 403)
    assert_problem(admin.patch(f"{path}/{people['member'].id}", json={"role": "owner"}), 403)
    assert_problem(admin.patch(f"{path}/{admin.id}", json={"role": "owner"}), 403)
    assert_problem(admin.patch(f"{path}/{people['owner'].id}", json={"role": "viewer"}), 403)
    assert_problem(admin.delete(f"{path}/{people['owner'].id}"), 403)
    assert roles(people["owner"], workspace["id"]) == before

    promoted = people["owner"].patch(f"{path}/{admin.id}", json={"role": "owner"})
    assert promoted.status_code == 200
    assert promoted.json()["role"] == "owner"


def test_the_last_owner_stays(api: Api) -> None:
    workspace, people = team(api)
    owner = people["owner"]
    path = f"/api/workspaces/{workspace['id']}/members"

    assert_problem(owner.patch(f"{path}/{owner.id}", json={"role": "admin"}), 409)
    assert_problem(owner.delete(f"{path}/{owner.id}"), 409)
    assert roles(owner, workspace["id"])[owner.id] == "owner"

    # With a second owner, the first may step down.
    owner.patch(f"{path}/{people['admin'].id}", json={"role": "owner"})
    assert owner.patch(f"{path}/{owner.id}", json={"role": "admin"}).status_code == 200
    assert roles(people["admin"], workspace["id"])[owner.id] == "admin"


def test_a_removed_member_loses_access(api: Api) -> None:
    workspace, people = team(api)
    path = f"/api/workspaces/{workspace['id']}/members"

    assert people["admin"].delete(f"{path}/{people['member'].id}").status_code == 204
    assert_problem(people["member"].get(f"/api/workspaces/{workspace['id']}"), 404)
    assert people["member"].id not in roles(people["owner"], workspace["id"])
    assert_problem(people["admin"].delete(f"{path}/{people['member'].id}"), 404)
