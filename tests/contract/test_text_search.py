"""``q`` finds text case-insensitively over all of Unicode, alike on SQLite and PostgreSQL
(issue 13, kind 3: SQLite's own ``lower()`` and ``LIKE`` fold ASCII letters only; Python's
``str.lower`` differs from PostgreSQL's on "İ" and a word-final "Σ")."""

from __future__ import annotations

from tests.support.api import Api, create_project, create_task

TITLES = ("Straße Über", "Червоний план", "ΣΟΦΙΑ review", "Ärger mit Öl", "plain ascii", "ΟΔΟΣ", "İSTANBUL")


#: (q, the titles it finds): every case-insensitive match over Unicode, wildcards literal.
SEARCHES = [
    ("über", {"Straße Über"}),
    ("ÜBER", {"Straße Über"}),
    ("червоний", {"Червоний план", "described"}),
    ("ЧЕРВОНИЙ ПЛАН", {"Червоний план", "described"}),
    ("σοφια", {"ΣΟΦΙΑ review"}),
    ("äRGER", {"Ärger mit Öl"}),
    ("öl", {"Ärger mit Öl"}),
    ("PLAIN", {"plain ascii"}),
    ("Ü%", set()),
    # One character at a time, as PostgreSQL lower-cases: a capital sigma is the medial small
    # sigma wherever it stands (medial and final small sigma are two letters); a dotted capital I is i.
    ("οδοσ", {"ΟΔΟΣ"}),
    ("οδος", set()),
    ("Σ", {"ΣΟΦΙΑ review", "ΟΔΟΣ"}),
    ("istanbul", {"İSTANBUL"}),
    ("İstanbul", {"İSTANBUL"}),
]


def test_text_search_folds_case_over_all_of_unicode(api: Api) -> None:
    owner = api.register()
    project = create_project(owner, owner.create_workspace()["id"])
    for title in TITLES:
        create_task(owner, project["id"], title=title)
    create_task(owner, project["id"], title="described", description=f"see {TITLES[1]} for details")

    for q, found in SEARCHES:
        page = owner.get(f"/api/projects/{project['id']}/tasks", params={"q": q, "limit": 100}).json()
        assert {task["title"] for task in page["items"]} == found, q
