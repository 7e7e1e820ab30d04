"""Conditional requests follow RFC 9110 section 13 on every route that sends a task's ``ETag``
(issue 13, kind 5): lists of entity tags, ``*``, the strong comparison for ``If-Match``, the weak
one for ``If-None-Match``, 304 for a read and 412 for a change, and nothing changes on a 412."""

from __future__ import annotations

import pytest

from tests.contract.api import Api, assert_problem, create_project, create_task


@pytest.fixture
def task_at_version_2(api: Api) -> tuple[Api, dict]:
    owner = api.register()
    project = create_project(owner, owner.create_workspace()["id"])
    task = create_task(owner, project["id"])
    changed = owner.patch(f"/api/tasks/{task['id']}", json={"title": "Second"})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"', changed.text
    return owner, changed.json()


@pytest.mark.parametrize(
    "if_match",
    ['"2"', '"1", "2"', '"7","2"', '"1" ,, "2"', "*", '"1", "2", "3"', ', "2"'],
)
def test_if_match_listing_the_current_version_lets_the_change_through(
    task_at_version_2: tuple[Api, dict], if_match: str
) -> None:
    owner, task = task_at_version_2
    response = owner.patch(f"/api/tasks/{task['id']}", json={"title": "Third"}, headers={"If-Match": if_match})
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"3"'


@pytest.mark.parametrize(
    "if_match",
    ['"1"', '"1", "3"', 'W/"2"', 'W/"1", W/"2"', '"02"', "2", '"2', "garbage", '"2" garbage', ""],
)
def test_if_match_naming_no_current_version_strongly_is_412_and_changes_nothing(
    task_at_version_2: tuple[Api, dict], if_match: str
) -> None:
    owner, task = task_at_version_2
    path = f"/api/tasks/{task['id']}"
    assert_problem(owner.patch(path, json={"title": "Lost"}, headers={"If-Match": if_match}), 412)
    other_project = create_project(owner, task_workspace(owner, task))
    moved = owner.post(f"{path}/move", json={"project_id": other_project["id"]}, headers={"If-Match": if_match})
    assert_problem(moved, 412)
    assert owner.get(path).json() == task


@pytest.mark.parametrize("if_none_match", ['"2"', 'W/"2"', '"1", W/"2"', "*"])
def test_if_none_match_naming_the_current_version_is_304_on_read_and_412_on_change(
    task_at_version_2: tuple[Api, dict], if_none_match: str
) -> None:
    owner, task = task_at_version_2
    path = f"/api/tasks/{task['id']}"
    read = owner.get(path, headers={"If-None-Match": if_none_match})
    assert read.status_code == 304, read.text
    assert read.headers["ETag"] == '"2"' and read.content == b""
    assert_problem(owner.patch(path, json={"title": "Lost"}, headers={"If-None-Match": if_none_match}), 412)
    assert owner.get(path).json() == task


@pytest.mark.parametrize("if_none_match", ['"1"', 'W/"1", "3"', "garbage"])
def test_if_none_match_naming_another_version_reads_and_changes(
    task_at_version_2: tuple[Api, dict], if_none_match: str
) -> None:
    owner, task = task_at_version_2
    path = f"/api/tasks/{task['id']}"
    read = owner.get(path, headers={"If-None-Match": if_none_match})
    assert read.status_code == 200 and read.json() == task and read.headers["ETag"] == '"2"'
    changed = owner.patch(path, json={"title": "Third"}, headers={"If-None-Match": if_none_match})
    assert changed.status_code == 200, changed.text


def test_if_match_is_evaluated_before_if_none_match_and_a_failing_read_is_412(
    task_at_version_2: tuple[Api, dict],
) -> None:
    owner, task = task_at_version_2
    path = f"/api/tasks/{task['id']}"
    assert_problem(owner.get(path, headers={"If-Match": '"1"', "If-None-Match": '"2"'}), 412)
    assert owner.get(path, headers={"If-Match": '"2"', "If-None-Match": '"1"'}).status_code == 200


def test_a_missing_task_is_404_whatever_its_conditions(task_at_version_2: tuple[Api, dict]) -> None:
    owner, _ = task_at_version_2
    missing = "/api/tasks/01900000-0000-7000-8000-000000000009"
    assert_problem(owner.get(missing, headers={"If-None-Match": "*"}), 404)
    assert_problem(owner.patch(missing, json={"title": "x"}, headers={"If-Match": '"1"'}), 404)


def task_workspace(owner: Api, task: dict) -> str:
    return owner.get(f"/api/projects/{task['project_id']}").json()["workspace_id"]
