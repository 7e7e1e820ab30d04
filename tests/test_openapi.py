"""The OpenAPI document: no secret in any response schema, every error documented."""

from __future__ import annotations

from typing import Any

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
