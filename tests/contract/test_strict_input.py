"""Bodies are held to the JSON types the contract declares, and a 400 names every invalid field,
in the same words on every path (issue 15, points 4 and 5)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import Api, assert_problem, create_project, create_tag, create_task

#: For each JSON Schema type, a value of another JSON type that a lax decoder would coerce.
WRONG_TYPE: dict[str, Any] = {
    "string": 12345,
    "integer": "3",
    "number": "2.5",
    "boolean": 0,
    "array": "not a list",
    "object": ["not", "an", "object"],
}
EXPECTED_ALSO = {"boolean": ["true", 1]}  # more coercions that must be refused


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _json_type(schema: dict[str, Any], document: dict[str, Any]) -> str | None:
    schema = _resolve(schema, document)
    for option in schema.get("oneOf", schema.get("anyOf", [])):
        kind = _json_type(option, document)
        if kind not in (None, "null"):
            return kind
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind


@pytest.fixture
def resources(api: Api) -> tuple[Api, dict[str, str]]:
    """A user owning one of everything, by the path parameter that names it."""
    owner = api.register()
    workspace = owner.create_workspace()
    project = create_project(owner, workspace["id"])
    task = create_task(owner, project["id"])
    tag = create_tag(owner, workspace["id"])
    comment = owner.post(f"/api/tasks/{task['id']}/comments", json={"body": "hi"}).json()
    member = api.register("Member")
    owner.add_member(workspace["id"], member, "member")
    ids = {
        "workspace_id": workspace["id"],
        "project_id": project["id"],
        "task_id": task["id"],
        "tag_id": tag["id"],
        "comment_id": comment["id"],
        "user_id": member.id,
    }
    return owner, ids


def test_every_body_field_refuses_a_value_of_another_json_type(resources: tuple[Api, dict[str, str]]) -> None:
    owner, ids = resources
    document = owner.get("/schema/openapi.json").json()
    wrong: list[str] = []
    checked = 0
    for template, operations in document["paths"].items():
        path = template
        for name, value in ids.items():
            path = path.replace("{" + name + "}", value)
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if body is None:
                continue
            schema = _resolve(body["content"]["application/json"]["schema"], document)
            for field, field_schema in schema.get("properties", {}).items():
                kind = _json_type(field_schema, document)
                if kind not in WRONG_TYPE:
                    continue
                for value in [WRONG_TYPE[kind], *EXPECTED_ALSO.get(kind, [])]:
                    checked += 1
                    response = owner.request(method.upper(), path, json={field: value})
                    errors = response.json().get("errors", []) if response.status_code == 400 else []
                    if field not in {error.get("field") for error in errors}:
                        wrong.append(f"{method.upper()} {template} {field}={value!r}: {response.status_code}")
    assert checked > 40, checked
    assert not wrong, wrong


def test_a_400_lists_every_invalid_field_in_the_apis_words(api: Api) -> None:
    user = api.register()
    problem = assert_problem(user.post("/api/workspaces", json={"name": "", "slug": "A"}), 400)
    assert problem["detail"] == "Validation failed for POST /api/workspaces"
    assert problem["errors"] == [
        {"field": "name", "message": "must be a string of 1 to 200 characters, not blank", "source": "body"},
        {
            "field": "slug",
            "message": "must be a string of 2 to 50 characters (lower-case letters, digits, hyphens)",
            "source": "body",
        },
    ]
    missing = assert_problem(user.post("/api/workspaces", json={}), 400)
    assert [(error["field"], error["message"]) for error in missing["errors"]] == [
        ("name", "is required"),
        ("slug", "is required"),
    ]
    assert user.get("/api/workspaces").json()["total"] == 0


def test_strings_are_not_booleans_and_numbers_are_not_strings_on_patch(api: Api) -> None:
    owner = api.register()
    workspace = owner.create_workspace()
    project = create_project(owner, workspace["id"])
    task = create_task(owner, project["id"])
    for body in ({"archived": "true"}, {"archived": 0}, {"archived": 1}):
        problem = assert_problem(owner.patch(f"/api/projects/{project['id']}", json=body), 400)
        assert problem["errors"] == [{"field": "archived", "message": "must be true or false", "source": "body"}]
    problem = assert_problem(owner.patch(f"/api/tasks/{task['id']}", json={"position": "2.5", "status": 1}), 400)
    assert [error["field"] for error in problem["errors"]] == ["status", "position"]
    assert owner.get(f"/api/tasks/{task['id']}").json()["version"] == task["version"]  # nothing changed


def test_each_invalid_item_of_a_bulk_request_is_named(api: Api) -> None:
    owner = api.register()
    workspace = owner.create_workspace()
    project = create_project(owner, workspace["id"])
    items = [{"title": "fine"}, {"title": ""}, {"priority": "soon"}]
    problem = assert_problem(owner.post(f"/api/projects/{project['id']}/tasks/bulk", json={"items": items}), 400)
    assert [error["field"] for error in problem["errors"]] == ["items[1].title", "items[2].title", "items[2].priority"]
    assert owner.get(f"/api/projects/{project['id']}/tasks").json()["total"] == 0


def test_query_parameters_are_refused_in_the_same_words_as_body_fields(api: Api) -> None:
    owner = api.register()
    workspace = owner.create_workspace()
    project = create_project(owner, workspace["id"])
    query = {"limit": "0", "offset": "-1", "status": "nope", "order_by": "x", "due_before": "yesterday", "tag_id": "z"}
    problem = assert_problem(owner.get(f"/api/projects/{project['id']}/tasks", params=query), 400)
    assert {error["field"]: error["message"] for error in problem["errors"]} == {
        "limit": "must be an integer from 1 to 100",
        "offset": "must be an integer from 0 to 9007199254740991",
        "status": "must be one of: todo, in_progress, done, canceled (each value)",
        "order_by": "must be one of: number, created_at, updated_at, due_date, priority, position",
        "due_before": "must be a date (YYYY-MM-DD)",
        "tag_id": "must be a UUID (each value)",
    }
    assert all(error["source"] == "query" for error in problem["errors"])
    # A value the declared type refuses is named beside the others, not after them.
    problem = assert_problem(
        owner.get(f"/api/projects/{project['id']}/tasks", params={"assignee_id": "bob", "limit": "0"}), 400
    )
    assert {error["field"]: error["message"] for error in problem["errors"]} == {
        "assignee_id": "must be a string (a user id or none)",
        "limit": "must be an integer from 1 to 100",
    }
    # The other lists share the page parameters, and their words.
    problem = assert_problem(owner.get("/api/workspaces", params={"limit": "abc"}), 400)
    assert problem["errors"] == [{"field": "limit", "message": "must be an integer from 1 to 100", "source": "query"}]


def test_formats_are_named_in_words_not_as_patterns(api: Api) -> None:
    problem = assert_problem(
        api.post("/api/auth/register", json={"email": "x", "password": "p" * 12, "name": "N"}), 400
    )
    assert problem["errors"] == [
        {
            "field": "email",
            "message": "must be a string of at most 254 characters (an email address, name@example.com)",
            "source": "body",
        }
    ]
    owner = api.register()
    workspace = owner.create_workspace()
    problem = assert_problem(
        owner.post(f"/api/workspaces/{workspace['id']}/tags", json={"name": "a", "color": "red"}), 400
    )
    assert problem["errors"] == [
        {"field": "color", "message": "must be a string (a colour as #RRGGBB in hexadecimal)", "source": "body"}
    ]


def test_a_missing_body_is_named_as_such(api: Api) -> None:
    owner = api.register()
    for response in (owner.post("/api/workspaces"), owner.post("/api/workspaces", content=b"")):
        problem = assert_problem(response, 400)
        assert problem["errors"] == [
            {"field": None, "message": "must be a JSON object (the request has no body)", "source": "body"}
        ]


def test_no_string_may_carry_a_nul_not_even_a_password(api: Api) -> None:
    body = {"email": "nul@example.com", "password": "pass\u0000word", "name": "N"}
    problem = assert_problem(api.post("/api/auth/register", json=body), 400)
    assert problem["errors"] == [
        {
            "field": "password",
            "message": "must be a string of 8 to 128 characters without NUL characters",
            "source": "body",
        }
    ]
