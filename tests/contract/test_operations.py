from __future__ import annotations

import re

from tests.support.api import Api


def test_health_and_ready(api: Api) -> None:
    assert api.get("/health").json() == {"status": "ok"}
    assert api.get("/ready").status_code == 200


def test_metrics_count_requests_latencies_and_pool_use(api: Api) -> None:
    user = api.register()
    user.get("/api/workspaces")

    metrics = api.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert re.search(r'taskstar_requests_total\{[^}]*path="/api/workspaces"[^}]*\} [1-9]', text), text[:2000]
    assert "taskstar_request_duration_seconds_bucket" in text
    assert re.search(r"^taskstar_db_pool_connections_in_use \d+", text, re.MULTILINE)


def test_api_docs_are_served(api: Api) -> None:
    document = api.get("/schema/openapi.json")
    assert document.status_code == 200
    assert document.json()["openapi"].startswith("3.1")
    assert "swagger" in api.get("/schema/swagger").text.lower()


def test_options_allows_every_method_each_path_serves(api: Api) -> None:
    """RFC 9110 10.2.1: ``Allow`` lists the methods the target resource supports; the OpenAPI
    document lists them too (Litestar 2 named only the first handler's: litestar#4169)."""
    document = api.get("/schema/openapi.json").json()
    some_id = "0190a0b0-0000-7000-8000-000000000000"
    wrong = {}
    for template, operations in document["paths"].items():
        path = re.sub(r"\{[^}]+\}", some_id, template)
        served = {method.upper() for method in operations if method in {"get", "post", "patch", "put", "delete"}}
        response = api.request("OPTIONS", path)
        allowed = {method.strip() for method in response.headers.get("allow", "").split(",")}
        if response.status_code != 204 or allowed != served | {"OPTIONS"}:
            wrong[template] = (response.status_code, response.headers.get("allow"), sorted(served))
    assert not wrong, wrong
