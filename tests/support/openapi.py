"""Reading the OpenAPI document in tests: its operations, and the document an app serves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.testing import TestClient

#: Operations anyone may call, without a token.
PUBLIC_OPERATIONS = {"register", "login", "health", "ready"}


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) for every operation of ``document``."""
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def document_served_by(persistence: str, data_dir: Path) -> bytes:
    """``/schema/openapi.json`` as an app of ``persistence`` serves it, built in this process;
    the document needs no database, so none is touched."""
    from taskstar.app import create_app
    from taskstar.settings import Settings

    env = {"TASKSTAR_PERSISTENCE": persistence, "TASKSTAR_DATA_DIR": str(data_dir), "TASKSTAR_SECRET_KEY": "k" * 40}
    app = create_app(Settings.from_env(env))
    with TestClient(app) as client:  # the document as /schema/openapi.json serves it
        response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.content
