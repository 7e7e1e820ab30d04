"""``q`` finds text case-insensitively over all of Unicode, alike on SQLite and PostgreSQL
(issue 13, kind 3: SQLite's own ``lower()`` and ``LIKE`` fold ASCII letters only)."""

from __future__ import annotations

import pytest

from tests.contract.api import Api, create_project, create_task

TITLES = ("Straße Über", "Червоний план", "ΣΟΦΙΑ review", "Ärger mit Öl", "plain ascii")


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("über", {"Straße Über"}),
        ("ÜBER", {"Straße Über"}),
        ("червоний", {"Червоний план"}),
        ("ЧЕРВОНИЙ ПЛАН", {"Червоний план"}),
        ("σοφια", {"ΣΟΦΙΑ review"}),
        ("äRGER", {"Ärger mit Öl"}),
        ("öl", {"Ärger mit Öl"}),
        ("PLAIN", {"plain ascii"}),
        ("Ü%", set()),  # wildcards are literal text
    ],
)
def test_text_search_folds_case_over_all_of_unicode(api: Api, q: str, found: set[str]) -> None:
    owner = api.register()
    project = create_project(owner, owner.create_workspace()["id"])
    for title in TITLES:
        create_task(owner, project["id"], title=title)
    create_task(owner, project["id"], title="described", description=f"see {TITLES[1]} for details")

    page = owner.get(f"/api/projects/{project['id']}/tasks", params={"q": q, "limit": 100}).json()

    expected = found | ({"described"} if found == {"Червоний план"} else set())
    assert {task["title"] for task in page["items"]} == expected
