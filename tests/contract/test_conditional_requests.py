"""Conditional requests follow RFC 9110 section 13 on every route that sends a task's ``ETag``
(issue 13, kind 5): lists of entity tags, ``*``, the strong comparison for ``If-Match``, the weak
one for ``If-None-Match``, 304 for a read and 412 for a change, and nothing changes on a 412."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.api import Api, assert_problem, create_project, create_task

#: If-Match values that list version 2 (strongly) or are ``*``.
MATCHING_VERSION_2 = ['"2"', '"1", "2"', '"7","2"', '"1" ,, "2"', "*", '"1", "2", "3"', ', "2"']
#: If-Match values that name no current version strongly: other versions, weak tags, malformed lists.
NOT_MATCHING_VERSION_2 = ['"1"', '"1", "3"', 'W/"2"', 'W/"1", W/"2"', '"02"', "2", '"2', "garbage", '"2" garbage', ""]
#: If-None-Match values that name version 2 under the weak comparison, and ones that do not.
NAMING_VERSION_2 = ['"2"', 'W/"2"', '"1", W/"2"', "*"]
NOT_NAMING_VERSION_2 = ['"1"', 'W/"1", "3"', "garbage"]

TaskAtVersion2 = Callable[[], dict[str, Any]]


@pytest.fixture
def owner_and_tasks(api: Api) -> tuple[Api, TaskAtVersion2, str]:
    """An owner, a maker of fresh tasks at version 2, and a second project to move them to."""
    owner = api.register()
    workspace_id = owner.create_workspace()["id"]
    project, other = create_project(owner, workspace_id), create_project(owner, workspace_id)

    def task_at_version_2() -> dict[str, Any]:
        task = create_task(owner, project["id"])
        changed = owner.patch(f"/api/tasks/{task['id']}", json={"title": "Second"})
        assert changed.status_code == 200 and changed.headers["ETag"] == '"2"', changed.text
        return changed.json()

    return owner, task_at_version_2, other["id"]


def test_if_match_listing_the_current_version_lets_the_change_through(
    owner_and_tasks: tuple[Api, TaskAtVersion2, str],
) -> None:
    owner, task_at_version_2, other_project = owner_and_tasks
    for if_match in MATCHING_VERSION_2:
        path = f"/api/tasks/{task_at_version_2()['id']}"
        response = owner.patch(path, json={"title": "Third"}, headers={"If-Match": if_match})
        assert response.status_code == 200 and response.headers["ETag"] == '"3"', (if_match, response.text)
        moved = owner.post(f"{path}/move", json={"project_id": other_project}, headers={"If-Match": '"2"'})
        assert_problem(moved, 412)  # version 2 is gone: the task is at 3 now
        moved = owner.post(f"{path}/move", json={"project_id": other_project}, headers={"If-Match": '"3"'})
        assert moved.status_code == 200 and moved.json()["project_id"] == other_project, moved.text


def test_if_match_naming_no_current_version_strongly_is_412_and_changes_nothing(
    owner_and_tasks: tuple[Api, TaskAtVersion2, str],
) -> None:
    owner, task_at_version_2, other_project = owner_and_tasks
    task = task_at_version_2()
    path = f"/api/tasks/{task['id']}"
    for if_match in NOT_MATCHING_VERSION_2:
        assert_problem(owner.patch(path, json={"title": "Lost"}, headers={"If-Match": if_match}), 412)
        moved = owner.post(f"{path}/move", json={"project_id": other_project}, headers={"If-Match": if_match})
        assert_problem(moved, 412)
        assert_problem(owner.get(path, headers={"If-Match": if_match}), 412)
    assert owner.get(path).json() == task


def test_if_none_match_naming_the_current_version_is_304_on_read_and_412_on_change(
    owner_and_tasks: tuple[Api, TaskAtVersion2, str],
) -> None:
    owner, task_at_version_2, _ = owner_and_tasks
    task = task_at_version_2()
    path = f"/api/tasks/{task['id']}"
    for if_none_match in NAMING_VERSION_2:
        read = owner.get(path, headers={"If-None-Match": if_none_match})
        assert read.status_code == 304, (if_none_match, read.text)
        assert read.headers["ETag"] == '"2"' and read.content == b""
        assert_problem(owner.patch(path, json={"title": "Lost"}, headers={"If-None-Match": if_none_match}), 412)
    assert owner.get(path).json() == task


def test_if_none_match_naming_another_version_reads_and_changes(
    owner_and_tasks: tuple[Api, TaskAtVersion2, str],
) -> None:
    owner, task_at_version_2, _ = owner_and_tasks
    for if_none_match in NOT_NAMING_VERSION_2:
        task = task_at_version_2()
        path = f"/api/tasks/{task['id']}"
        read = owner.get(path, headers={"If-None-Match": if_none_match})
        assert read.status_code == 200 and read.json() == task and read.headers["ETag"] == '"2"', if_none_match
        changed = owner.patch(path, json={"title": "Third"}, headers={"If-None-Match": if_none_match})
        assert changed.status_code == 200, (if_none_match, changed.text)


def test_if_match_is_evaluated_before_if_none_match_and_a_missing_task_is_404_whatever_its_conditions(
    owner_and_tasks: tuple[Api, TaskAtVersion2, str],
) -> None:
    owner, task_at_version_2, _ = owner_and_tasks
    path = f"/api/tasks/{task_at_version_2()['id']}"
    assert_problem(owner.get(path, headers={"If-Match": '"1"', "If-None-Match": '"2"'}), 412)
    assert owner.get(path, headers={"If-Match": '"2"', "If-None-Match": '"1"'}).status_code == 200

    missing = "/api/tasks/01900000-0000-7000-8000-000000000009"
    assert_problem(owner.get(missing, headers={"If-None-Match": "*"}), 404)
    assert_problem(owner.patch(missing, json={"title": "x"}, headers={"If-Match": '"1"'}), 404)


def test_a_conditional_delete_removes_only_the_version_it_names(
    owner_and_tasks: tuple[Api, TaskAtVersion2, str],
) -> None:
    owner, task_at_version_2, _ = owner_and_tasks
    path = f"/api/tasks/{task_at_version_2()['id']}"
    for if_match in NOT_MATCHING_VERSION_2:
        assert_problem(owner.delete(path, headers={"If-Match": if_match}), 412)
    assert_problem(owner.delete(path, headers={"If-None-Match": '"2"'}), 412)
    assert owner.get(path).status_code == 200
    assert owner.delete(path, headers={"If-Match": '"1", "2"'}).status_code == 204
    assert_problem(owner.get(path), 404)
    assert_problem(owner.delete(path, headers={"If-Match": "*"}), 404)


def test_a_field_sent_on_several_lines_is_one_list(owner_and_tasks: tuple[Api, TaskAtVersion2, str]) -> None:
    """RFC 9110 5.3: ``If-Match: "9"`` and ``If-Match: "2"`` on two lines mean ``"9", "2"``: the
    current version counts on any line, not only on the first."""
    owner, task_at_version_2, _ = owner_and_tasks
    path = f"/api/tasks/{task_at_version_2()['id']}"
    named = owner.get(path, headers=[("If-None-Match", '"9"'), ("If-None-Match", '"2"')])
    assert named.status_code == 304, named.text
    changed = owner.patch(path, json={"title": "Third"}, headers=[("If-Match", '"9"'), ("If-Match", '"2"')])
    assert changed.status_code == 200 and changed.headers["ETag"] == '"3"', changed.text
    refused = owner.patch(path, json={"title": "Fourth"}, headers=[("If-Match", '"2"'), ("If-Match", '"9"')])
    assert_problem(refused, 412)
