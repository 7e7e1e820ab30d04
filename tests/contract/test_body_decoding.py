"""A body the decoder cannot take is a 400 problem on every operation that takes a body, whatever
the reason it cannot be decoded, and nothing stored changes (issue 13, kind 1)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import Api, create_project, create_tag, create_task

#: Bodies that no JSON decoder may accept, each for another reason. The UTF-8 ones were 500s.
UNDECODABLE = {
    "invalid UTF-8 in a value": b'{"name": "caf\xe9", "email": "caf\xe9@example.test", "title": "\xff"}',
    "invalid UTF-8 in a key": b'{"n\xe4me": "x"}',
    "an encoded surrogate (CESU-8)": b'{"name": "\xed\xa0\x80"}',
    "an overlong encoding": b'{"name": "\xc0\xaf"}',
    "a truncated sequence at the end": b'{"name": "x"}\xe2\x82',
    "a lone surrogate escape": b'{"name": "\\ud800", "title": "\\udc00x"}',
    "nesting deeper than any decoder recurses": b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "a byte order mark": b'\xef\xbb\xbf{"name": "x"}',
    "truncated JSON": b'{"name": "x"',
    "JSON's NaN, which JSON lacks": b'{"name": NaN}',
    "a number beyond a double": b'{"position": 1e400, "name": "x"}',
}


def _operations_with_bodies(api: Api) -> list[tuple[str, str]]:
    document = api.get("/schema/openapi.json").json()
    return [
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and "requestBody" in operation
    ]


@pytest.fixture
def addressed(api: Api) -> tuple[Api, dict[str, str]]:
    """An owner with one of everything a body-taking route can address, by path parameter name."""
    owner, member = api.register(), api.register("Bo")
    workspace = owner.create_workspace()
    owner.add_member(workspace["id"], member, "member")
    project = create_project(owner, workspace["id"])
    task = create_task(owner, project["id"])
    tag = create_tag(owner, workspace["id"])
    comment = owner.post(f"/api/tasks/{task['id']}/comments", json={"body": "first"})
    assert comment.status_code == 201, comment.text
    ids = {
        "workspace_id": workspace["id"],
        "project_id": project["id"],
        "task_id": task["id"],
        "tag_id": tag["id"],
        "comment_id": comment.json()["id"],
        "user_id": member.id,
    }
    return owner, ids


def _state(owner: Api, ids: dict[str, str]) -> list[Any]:
    """What a client can read of everything the bodies could have changed."""
    reads = [
        f"/api/workspaces/{ids['workspace_id']}",
        f"/api/workspaces/{ids['workspace_id']}/members",
        f"/api/workspaces/{ids['workspace_id']}/projects",
        f"/api/workspaces/{ids['workspace_id']}/tags",
        f"/api/projects/{ids['project_id']}/tasks",
        f"/api/tasks/{ids['task_id']}/comments",
        "/api/workspaces",
    ]
    return [owner.get(path).json() for path in reads]


def test_an_undecodable_body_is_400_on_every_operation_and_changes_nothing(
    api: Api, addressed: tuple[Api, dict[str, str]]
) -> None:
    owner, ids = addressed
    before = _state(owner, ids)
    operations = _operations_with_bodies(api)
    assert len(operations) >= 17, operations  # every body-taking operation of the contract
    not_refused = []
    for reason, body in UNDECODABLE.items():
        for method, template in operations:
            response = owner.request(
                method, template.format(**ids), content=body, headers={"content-type": "application/json"}
            )
            if response.status_code != 400 or not response.headers["content-type"].startswith(
                "application/problem+json"
            ):
                not_refused.append(f"{reason}: {method} {template} -> {response.status_code} {response.text[:120]}")
    assert not not_refused, not_refused
    assert _state(owner, ids) == before
