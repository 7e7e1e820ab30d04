from __future__ import annotations

from tests.support.api import Api, assert_problem, unique

WORKSPACE_FIELDS = {"id", "name", "slug", "role", "created_at", "updated_at"}


def test_creator_owns_a_new_workspace(api: Api) -> None:
    owner = api.register("Owner")
    slug = unique("acme")
    response = owner.post("/api/workspaces", json={"name": "Acme", "slug": slug})

    assert response.status_code == 201
    workspace = response.json()
    assert set(workspace) == WORKSPACE_FIELDS
    assert (workspace["name"], workspace["slug"], workspace["role"]) == ("Acme", slug, "owner")
    assert owner.get(f"/api/workspaces/{workspace['id']}").json() == workspace


def test_slugs_are_unique_and_validated(api: Api) -> None:
    owner = api.register()
    taken = owner.create_workspace()["slug"]

    assert (
        assert_problem(owner.post("/api/workspaces", json={"name": "X", "slug": taken}), 409)["errors"][0]["field"]
        == "slug"
    )
    for bad_slug in ["A-upper", "x", "s" * 51, "under_score", "spa ce"]:
        problem = assert_problem(owner.post("/api/workspaces", json={"name": "X", "slug": bad_slug}), 400)
        assert problem["errors"][0]["field"] == "slug"


def test_list_shows_only_the_callers_workspaces_in_stable_pages(api: Api) -> None:
    owner, other = api.register(), api.register()
    mine = [owner.create_workspace(f"Mine {index}")["id"] for index in range(3)]
    other.create_workspace("Not yours")

    listed = owner.get("/api/workspaces").json()
    assert [item["id"] for item in listed["items"]] == mine
    assert (listed["total"], listed["limit"], listed["offset"]) == (3, 20, 0)
    pages = [owner.get("/api/workspaces", params={"limit": 2, "offset": offset}).json() for offset in (0, 2)]
    assert [item["id"] for page in pages for item in page["items"]] == mine
    assert all(page["total"] == 3 for page in pages)


def test_limit_and_offset_are_validated_never_clamped(api: Api) -> None:
    owner = api.register()
    for params in [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "ten"}]:
        assert_problem(owner.get("/api/workspaces", params=params), 400)
    assert owner.get("/api/workspaces", params={"limit": 100}).json()["limit"] == 100


def test_admins_rename_members_cannot(api: Api) -> None:
    owner, admin, member = api.register(), api.register(), api.register()
    workspace = owner.create_workspace()
    path = f"/api/workspaces/{workspace['id']}"
    owner.add_member(workspace["id"], admin, "admin")
    owner.add_member(workspace["id"], member, "member")

    assert_problem(member.patch(path, json={"name": "Hijacked"}), 403)
    renamed = admin.patch(path, json={"name": "Renamed"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Renamed"
    assert renamed.json()["slug"] == workspace["slug"]  # omitted fields stay as they are
    assert renamed.json()["role"] == "admin"
    assert owner.get(path).json()["name"] == "Renamed"


def test_patch_validates_and_refuses_a_taken_slug(api: Api) -> None:
    owner = api.register()
    first, second = owner.create_workspace(), owner.create_workspace()
    path = f"/api/workspaces/{second['id']}"

    assert_problem(owner.patch(path, json={"slug": first["slug"]}), 409)
    assert_problem(owner.patch(path, json={"name": "n" * 201}), 400)
    assert_problem(owner.patch(path, json={"name": None}), 400)
    assert owner.get(path).json() == second


def test_only_the_owner_deletes_and_everything_goes_with_it(api: Api) -> None:
    owner, admin = api.register(), api.register()
    workspace = owner.create_workspace()
    path = f"/api/workspaces/{workspace['id']}"
    owner.add_member(workspace["id"], admin, "admin")

    assert_problem(admin.delete(path), 403)
    assert owner.delete(path).status_code == 204
    assert_problem(owner.get(path), 404)
    assert_problem(admin.get(f"{path}/members"), 404)
    assert admin.get("/api/workspaces").json()["total"] == 0
    # The slug is free again: nothing of the workspace is left behind.
    assert owner.post("/api/workspaces", json={"name": "Again", "slug": workspace["slug"]}).status_code == 201


def test_strangers_get_404_on_every_workspace_route(api: Api) -> None:
    owner, stranger = api.register(), api.register("Stranger")
    workspace = owner.create_workspace()
    base = f"/api/workspaces/{workspace['id']}"
    missing = "/api/workspaces/01900000-0000-7000-8000-000000000000"

    for path in (base, missing):
        requests = [
            ("GET", path, None),
            ("PATCH", path, {"name": "Mine now"}),
            ("DELETE", path, None),
            ("GET", f"{path}/members", None),
            ("POST", f"{path}/members", {"email": stranger.email, "role": "owner"}),
            ("PATCH", f"{path}/members/{owner.id}", {"role": "viewer"}),
            ("DELETE", f"{path}/members/{owner.id}", None),
        ]
        for method, url, body in requests:
            response = stranger.request(method, url, json=body)
            problem = assert_problem(response, 404)
            assert "workspace" in problem["detail"].lower(), (method, url)
    # Nothing the stranger tried took effect.
    assert owner.get(base).json() == workspace
    members = owner.get(f"{base}/members").json()
    assert [(m["user"]["id"], m["role"]) for m in members["items"]] == [(owner.id, "owner")]
