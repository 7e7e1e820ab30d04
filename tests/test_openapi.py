"""The OpenAPI document: no secret in any response schema, every error documented, links
from what an operation creates to the operations its id opens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from litestar import Litestar, get, post
from litestar.params import FromPath
from litestar.types import Empty

from taskstar.http.openapi_links import LINKS, NEW_ID, LinkError, Links, add_links
from tests.support.api import INTERNAL_KEYS, Api
from tests.support.openapi import PUBLIC_OPERATIONS, document_served_by, operations
from tests.support.targets import PERSISTENCE_PATHS


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


def test_the_document_is_byte_identical_on_every_persistence_path(tmp_path: Path) -> None:
    """A client generated from one path's document works against every other path (issue 14).
    The app is built without touching a database: the document does not depend on one."""
    documents = {path: document_served_by(path, tmp_path / path) for path in PERSISTENCE_PATHS}
    reference = documents["sqlalchemy-async"]
    assert reference == document_served_by("sqlalchemy-async", tmp_path / "again"), "the document must be stable"
    differing = [path for path, document in documents.items() if document != reference]
    assert not differing, f"the OpenAPI documents of {differing} differ from sqlalchemy-async's"

    components = json.loads(reference)["components"]["schemas"]
    internal = [name for name in components if "." in name or name.endswith(("RequestBody", "ResponseBody"))]
    assert not internal, f"components named after handlers or modules: {internal}"
    assert {"ProjectRead", "TagRead", "UserRead", "ProjectCreate", "ProjectUpdate"} <= set(components)


#: The routes whose bodies the seed has each path shape with its own DTO machinery.
SERIALIZED_BY_DTO = {"register", "createProject", "getProject", "listProjects", "updateProject", "createTag"}
SERIALIZED_BY_DTO |= {"listTags", "updateTag"}
PAGES_OF_MODELS = {"listProjects", "listTags"}
PICCOLO_REQUEST_DTOS = {"createProject", "updateProject", "createTag", "updateTag"}
PICCOLO_REQUEST_DTOS |= {"createWorkspace", "updateWorkspace"}


def _handlers(persistence: str, data_dir: Path) -> dict[str, Any]:
    from taskstar.app import create_app
    from taskstar.settings import Settings

    env = {"TASKSTAR_PERSISTENCE": persistence, "TASKSTAR_DATA_DIR": str(data_dir), "TASKSTAR_SECRET_KEY": "k" * 40}
    app = create_app(Settings.from_env(env))
    return {
        handler.operation_id: handler
        for route in app.routes
        for handler in getattr(route, "route_handlers", ())
        if isinstance(handler.operation_id, str)
    }


@pytest.mark.parametrize("persistence", ["sqlalchemy-async", "sqlalchemy-split", "sqlalchemy-sync"])
def test_sqlalchemy_paths_serialize_models_through_the_plugins_own_dtos(persistence: str, tmp_path: Path) -> None:
    """The seed's demonstration: a handler that returns a model, with no DTO declared, is
    serialized by the DTO the SQLAlchemy serialization plugin generates (combined plugin on async)."""
    from advanced_alchemy.extensions.litestar import SQLAlchemyDTO

    handlers = _handlers(persistence, tmp_path)
    for operation_id in sorted(PAGES_OF_MODELS):  # a page wrapper names its item DTO explicitly
        dto = handlers[operation_id].return_dto
        assert isinstance(dto, type) and issubclass(dto, SQLAlchemyDTO), (operation_id, dto)
    for operation_id in sorted(SERIALIZED_BY_DTO - PAGES_OF_MODELS):
        handler = handlers[operation_id]
        assert handler.return_dto in (None, Empty), f"{operation_id} declares a DTO of its own"
        dto = handler.resolve_return_dto()
        assert dto is not None and issubclass(dto, SQLAlchemyDTO), (operation_id, dto)
        assert not dto.__module__.startswith("taskstar"), f"{operation_id}: {dto} is not the plugin's"


def test_piccolo_shapes_requests_and_responses_with_piccolo_dtos(tmp_path: Path) -> None:
    from litestar.contrib import piccolo as litestar_piccolo

    handlers = _handlers("piccolo", tmp_path)
    for operation_id in sorted(SERIALIZED_BY_DTO):
        dto = handlers[operation_id].resolve_return_dto()
        assert dto is not None and issubclass(dto, litestar_piccolo.PiccoloDTO), (operation_id, dto)
    for operation_id in sorted(PICCOLO_REQUEST_DTOS):
        dto = handlers[operation_id].resolve_data_dto()
        assert dto is not None and issubclass(dto, litestar_piccolo.PiccoloDTO), (operation_id, dto)
        assert dto.config.partial == operation_id.startswith("update"), operation_id  # PATCH is partial
        assert {"id", "created_at", "updated_at", "workspace_id"} <= set(dto.config.exclude), operation_id


@pytest.mark.parametrize(
    ("persistence", "composed_by_hand"),
    [("sqlalchemy-async", False), ("sqlalchemy-split", True), ("sqlalchemy-sync", False)],
)
def test_the_automatic_dtos_come_from_the_plugins_each_path_names(
    persistence: str, composed_by_hand: bool, tmp_path: Path
) -> None:
    """async and sync: the combined ``SQLAlchemyPlugin``; split: ``SQLAlchemyInitPlugin`` and
    ``SQLAlchemySerializationPlugin`` registered by the app itself, without the combined one."""
    from advanced_alchemy.extensions.litestar import (
        SQLAlchemyInitPlugin,
        SQLAlchemyPlugin,
        SQLAlchemySerializationPlugin,
    )

    from taskstar.app import build_persistence
    from taskstar.settings import Settings

    env = {"TASKSTAR_PERSISTENCE": persistence, "TASKSTAR_DATA_DIR": str(tmp_path), "TASKSTAR_SECRET_KEY": "k" * 40}
    declared = [type(plugin) for plugin in build_persistence(Settings.from_env(env)).plugins]
    if composed_by_hand:
        assert declared == [SQLAlchemyInitPlugin, SQLAlchemySerializationPlugin]
    else:
        assert declared == [SQLAlchemyPlugin]
