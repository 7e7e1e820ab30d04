from __future__ import annotations

import re

from tests.support.api import Api, create_project, create_task


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
        allowed = [method.strip() for method in response.headers.get("allow", "").split(",")]
        expected = served | {"OPTIONS"} | ({"HEAD"} if "GET" in served else set())
        if response.status_code != 204 or allowed != sorted(expected):
            wrong[template] = (response.status_code, response.headers.get("allow"), sorted(served))
    assert not wrong, wrong


def test_head_answers_as_get_without_content_and_405s_name_head_too(api: Api) -> None:
    """RFC 9110 9.3.2: HEAD is GET's status and header fields without content, on every path
    that serves GET; a 405 lists the allowed methods, sorted, HEAD with GET."""
    owner = api.register()
    project = create_project(owner, owner.create_workspace()["id"])
    task = create_task(owner, project["id"])
    for path in ("/api/me", f"/api/tasks/{task['id']}", f"/api/projects/{project['id']}/tasks", "/health"):
        got, head = owner.get(path), owner.request("HEAD", path)
        assert head.status_code == got.status_code == 200, (path, head.status_code)
        assert head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path
        assert head.headers["content-length"] == got.headers["content-length"], path
    assert owner.request("HEAD", f"/api/tasks/{task['id']}").headers["ETag"] == f'"{task["version"]}"'
    # Authorization holds for HEAD as for GET.
    assert api.request("HEAD", "/api/me").status_code == 401
    # Each HEAD gives its database connection back, as the GET does (HEAD once kept it for good).
    for _ in range(25):
        assert owner.request("HEAD", f"/api/tasks/{task['id']}").status_code == 200
    assert owner.get("/api/me").status_code == 200
    assert connections_in_use(owner) == 0

    refused = owner.request("HEAD", "/api/auth/login")
    assert refused.status_code == 405 and refused.headers["Allow"] == "OPTIONS, POST"
    refused = owner.request("PUT", f"/api/tasks/{task['id']}", json={})
    assert refused.status_code == 405 and refused.headers["Allow"] == "DELETE, GET, HEAD, OPTIONS, PATCH"


def connections_in_use(api: Api) -> float:
    """``taskstar_db_pool_connections_in_use`` from ``/metrics``, between requests."""
    metrics = api.get("/metrics").text
    return float(re.search(r"^taskstar_db_pool_connections_in_use (\S+)", metrics, re.MULTILINE)[1])  # type: ignore[index]
