"""The OpenAPI document: no secret in any response schema, every error documented, links
from what an operation creates to the operations its id opens."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from litestar import Litestar, get, post
from litestar.params import FromPath

from taskstar.http.openapi_links import LINKS, NEW_ID, LinkError, Links, add_links
from tests.contract.api import INTERNAL_KEYS, Api

PUBLIC_OPERATIONS = {"register", "login", "health", "ready"}


def resolve(document: dict[str, Any], schema: dict[str, Any], seen: set[str] | None = None) -> list[str]:
    """Every property name reachable from ``schema``."""
    seen = seen if seen is not None else set()
    names: list[str] = []
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref in seen:
            return []
        seen.add(ref)
        target = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        return resolve(document, target, seen)
    for name, sub in schema.get("properties", {}).items():
        names.append(name)
        names += resolve(document, sub, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            names += resolve(document, schema[key], seen)
    for key in ("oneOf", "anyOf", "allOf"):
        for sub in schema.get(key, []):
            names += resolve(document, sub, seen)
    return names


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_no_response_schema_carries_a_password_hash_or_internal_column(api: Api) -> None:
    document = api.get("/schema/openapi.json").json()
    for method, path, operation in operations(document):
        for status, response in operation.get("responses", {}).items():
            for content in response.get("content", {}).values():
                names = resolve(document, content.get("schema", {}))
                secret = [
                    name
                    for name in names
                    if "password" in name.lower() or "hash" in name.lower() or name in INTERNAL_KEYS
                ]
                assert not secret, f"{method} {path} {status} exposes {secret}"
    register = document["paths"]["/api/auth/register"]["post"]["requestBody"]["content"]["application/json"]
    assert "password" in resolve(document, register["schema"])  # the check can see a password where one is


def test_every_operation_is_named_and_documents_its_errors(api: Api) -> None:
    document = api.get("/schema/openapi.json").json()
    for method, path, operation in operations(document):
        assert operation.get("operationId"), (method, path)
        statuses = set(operation["responses"])
        if operation["operationId"] not in PUBLIC_OPERATIONS:
            assert {"400", "401", "503"} <= statuses, (method, path, statuses)
        if "{workspace_id}" in path:
            assert "404" in statuses, (method, path, statuses)
        if method in {"PATCH", "DELETE"} or (method == "POST" and "{workspace_id}" in path):
            assert "403" in statuses, (method, path, statuses)


def test_links_lead_from_what_is_created_to_the_operations_its_id_opens(api: Api) -> None:
    document = api.get("/schema/openapi.json").json()
    by_id = {operation["operationId"]: operation for _, _, operation in operations(document)}
    declared = {
        (source, name, link["operationId"], tuple(sorted(link["parameters"].items())))
        for source, operation in by_id.items()
        for response in operation["responses"].values()
        for name, link in response.get("links", {}).items()
    }
    for _, _, target, parameters in declared:
        assert target in by_id, target
        assert {name for name, _ in parameters} <= {parameter["name"] for parameter in by_id[target]["parameters"]}
    expected = {
        (entry.source, target, target, tuple(sorted(entry.parameters.items())))
        for entry in LINKS
        for target in entry.targets
    }
    assert declared == expected
    created_task = by_id["createTask"]["responses"]["201"]["links"]["getTask"]
    assert created_task == {"operationId": "getTask", "parameters": {"task_id": "$response.body#/id"}}


@post("/things", operation_id="createThing", sync_to_thread=False)
def create_thing() -> dict[str, str]:
    return {"id": "0"}


@get("/things/{thing_id:uuid}", operation_id="getThing", sync_to_thread=False)
def get_thing(thing_id: FromPath[UUID]) -> dict[str, str]:
    return {"id": str(thing_id)}


@pytest.mark.parametrize(
    ("links", "problem"),
    [
        ([Links("createThing", {"thing_id": NEW_ID}, ("getThign",))], "createThing -> getThign: no such operation"),
        ([Links("createThign", {"thing_id": NEW_ID}, ("getThing",))], "createThign: no such operation"),
        ([Links("createThing", {"id": NEW_ID}, ("getThing",))], "getThing has no parameter id"),
        ([Links("createThing", {"thing_id": "$request.path.thing_id"}, ("getThing",))], "has no such parameter"),
    ],
)
def test_a_link_that_does_not_fit_the_api_fails_loudly(links: list[Links], problem: str) -> None:
    document = Litestar([create_thing, get_thing]).openapi_schema
    with pytest.raises(LinkError, match=problem):
        add_links(document, links)


def test_a_link_names_its_target_and_where_its_parameters_come_from() -> None:
    document = Litestar([create_thing, get_thing]).openapi_schema
    add_links(document, [Links("createThing", {"thing_id": NEW_ID}, ("getThing",))])
    links = document.to_schema()["paths"]["/things"]["post"]["responses"]["201"]["links"]
    assert links == {"getThing": {"operationId": "getThing", "parameters": {"thing_id": "$response.body#/id"}}}
