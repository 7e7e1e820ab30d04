"""The interactive API docs work without internet: Swagger UI and everything it loads come from
the Taskstar server itself (issue 15.1). A real Chromium opens the page with every other host
refused, and the page must list every operation of the OpenAPI document.

The docs page renders the one OpenAPI document the four persistence paths share (asserted in
``test_openapi.py``), so this runs once, on the embedded default, set up as the README says.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.browser import offline_page
from tests.support.server import Server, taskstar

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}


@pytest.fixture(scope="module")
def default_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("docs")
    env = {"TASKSTAR_DATA_DIR": str(directory), "TASKSTAR_SECRET_KEY": "d" * 40}
    upgrade = taskstar("database", "upgrade", "--no-prompt", env=env)
    assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
    server = Server(env, directory / "server.log")
    try:
        server.wait_until_healthy()
        yield server
    finally:
        server.stop()


def operation_count(server: Server) -> int:
    document = httpx.get(f"{server.url}/schema/openapi.json").json()
    return sum(1 for item in document["paths"].values() for method in item if method in HTTP_METHODS)


@pytest.mark.parametrize("docs_path", ["/schema/swagger", "/schema"])
def test_the_docs_page_lists_every_operation_with_the_network_off(
    default_server: Server, docs_path: str, tmp_path: Path
) -> None:
    expected = operation_count(default_server)
    with offline_page(default_server.url) as offline:
        offline.page.goto(f"{default_server.url}{docs_path}")
        offline.page.locator(".opblock").first.wait_for(timeout=30_000)
        shown = offline.page.locator(".opblock").count()
        title = offline.page.locator(".info .title").inner_text()
        offline.page.screenshot(path=tmp_path / "docs.png")  # kept by pytest for a look after a failure

    assert offline.refused == [], "the docs page asked for files from elsewhere"
    assert offline.errors == []
    assert title.startswith("Taskstar")
    assert shown == expected, f"{shown} operations shown of the document's {expected}"


def test_swagger_ui_files_are_served_pinned_and_cacheable(default_server: Server) -> None:
    page = httpx.get(f"{default_server.url}/schema/swagger").text
    script = next(part.split('"')[0] for part in page.split('src="')[1:] if "swagger-ui-bundle.js" in part)
    assert script.startswith("/schema/swagger-ui-5.")  # same origin, Swagger UI's version in the path

    answer = httpx.get(f"{default_server.url}{script}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert "immutable" in answer.headers["cache-control"]
    # The files are public like the document, and not operations of the API.
    document = httpx.get(f"{default_server.url}/schema/openapi.json").json()
    assert not any(path.startswith("/schema") for path in document["paths"])
