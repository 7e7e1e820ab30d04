"""Task rules every persistence path applies alike (``domain/tasks.py``), without a database: the
``changes`` an ``updated`` activity row shows, ``completed_at``, priorities' order and task keys."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from taskstar.domain.tasks import Priority, Status, changes_between, completed_at_for, task_key

NOW = datetime(2024, 5, 6, 12, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=3)


def test_changes_name_only_the_fields_that_differ_as_old_and_new() -> None:
    before = {"title": "Fix login", "status": Status.TODO, "position": 1.0, "description": None}
    after = {"title": "Fix the login", "status": Status.TODO, "position": 2.5, "description": "Steps"}
    assert changes_between(before, after) == {
        "title": ["Fix login", "Fix the login"],
        "position": [1.0, 2.5],
        "description": [None, "Steps"],
    }


def test_a_change_to_the_same_values_is_no_change() -> None:
    """A PATCH that changes nothing writes no activity (the contract): no field is listed."""
    task = {"title": "Fix login", "status": Status.DONE, "due_date": date(2024, 6, 1), "assignee_id": None}
    assert changes_between(task, dict(task)) == {}


def test_a_value_sent_as_its_json_form_is_the_same_value() -> None:
    """Whichever side holds enums, dates and ids and whichever their strings (a row read back,
    a decoded body), equal values make no spurious change."""
    assignee = uuid.uuid4()
    before = {"status": Status.IN_PROGRESS, "priority": Priority.HIGH, "due_date": date(2024, 6, 1)}
    before["assignee_id"] = assignee
    after = {"status": "in_progress", "priority": "high", "due_date": "2024-06-01", "assignee_id": str(assignee)}
    assert changes_between(before, after) == {}


def test_changes_hold_json_values_not_python_objects() -> None:
    old_assignee, new_assignee, tag = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    before = {
        "status": Status.TODO,
        "priority": Priority.NONE,
        "assignee_id": old_assignee,
        "due_date": None,
        "tag_ids": [],
        "updated_at": EARLIER,
    }
    after = {
        "status": Status.DONE,
        "priority": Priority.URGENT,
        "assignee_id": new_assignee,
        "due_date": date(2024, 6, 1),
        "tag_ids": [tag],
        "updated_at": NOW,
    }
    assert changes_between(before, after) == {
        "status": ["todo", "done"],
        "priority": ["none", "urgent"],
        "assignee_id": [str(old_assignee), str(new_assignee)],
        "due_date": [None, "2024-06-01"],
        "tag_ids": [[], [str(tag)]],
        "updated_at": [EARLIER.isoformat(), NOW.isoformat()],
    }


def test_only_the_fields_asked_about_are_compared() -> None:
    """Fields the request did not send are not changes, whatever the row holds."""
    before = {"title": "Fix login", "status": Status.TODO, "position": 1.0}
    assert changes_between(before, {"status": Status.DONE}) == {"status": ["todo", "done"]}


def test_completed_at_is_set_on_entering_done() -> None:
    for old in (None, Status.TODO, Status.IN_PROGRESS, Status.CANCELED):
        assert completed_at_for(old, Status.DONE, NOW, None) == NOW


def test_completed_at_is_kept_while_a_task_stays_done() -> None:
    assert completed_at_for(Status.DONE, Status.DONE, NOW, EARLIER) == EARLIER


def test_completed_at_is_cleared_on_leaving_done_and_absent_elsewhere() -> None:
    for new in (Status.TODO, Status.IN_PROGRESS, Status.CANCELED):
        assert completed_at_for(Status.DONE, new, NOW, EARLIER) is None
        assert completed_at_for(None, new, NOW, None) is None


def test_priorities_rank_by_urgency_and_come_back_from_their_rank() -> None:
    """Sorting by priority sorts by the stored rank: none < low < medium < high < urgent."""
    ordered = [Priority.NONE, Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.URGENT]
    assert sorted(Priority, key=lambda priority: priority.rank) == ordered
    assert [priority.rank for priority in ordered] == [0, 1, 2, 3, 4]
    assert [Priority.from_rank(priority.rank) for priority in ordered] == ordered


def test_a_task_key_is_the_project_key_and_the_number() -> None:
    assert task_key("WEB", 42) == "WEB-42"
    assert task_key("P2", 1) == "P2-1"
