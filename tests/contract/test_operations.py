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
