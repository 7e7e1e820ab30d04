"""The event feed's rules without a database (``domain/events.py``): when a cursor is past what is
kept (410, contract v1.1: "an ``after`` older than what is kept is a 410"), and an event's
``data`` and ``changes`` as JSON."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from taskstar.contract import UserRef
from taskstar.domain.errors import Gone, InvalidInput
from taskstar.domain.events import EventKind, check_kept, event_draft


@pytest.mark.parametrize(
    ("after", "first", "newest"),
    [
        (0, 1, 5),  # from the start, nothing pruned
        (3, 4, 9),  # in the middle
        (5, None, 5),  # at the head: nothing newer yet
        (0, None, 0),  # a workspace without events
        (0, 41, 60),  # 0 asks for the oldest kept, whatever was pruned before it
        (0, None, 60),  # ... even when every event was pruned
    ],
)
def test_a_page_that_starts_right_after_the_cursor_is_kept(after: int, first: int | None, newest: int) -> None:
    check_kept(after, first, newest)


def test_a_page_that_starts_later_means_events_were_pruned() -> None:
    with pytest.raises(Gone) as gone:
        check_kept(7, 41, 60)
    assert gone.value.resume_after == 40
    assert "after=40" in gone.value.detail


def test_an_empty_page_below_the_counter_means_everything_after_the_cursor_was_pruned() -> None:
    with pytest.raises(Gone) as gone:
        check_kept(3, None, 12)
    assert gone.value.resume_after == 12


def test_an_event_draft_holds_the_resource_and_changes_as_json() -> None:
    subject = uuid.uuid4()
    resource = UserRef(id=subject, name="Ada")
    changes = {"due_date": [None, date(2030, 1, 2)], "assignee_id": [subject, None]}

    draft = event_draft(EventKind.MEMBER_UPDATED, resource, subject_id=subject, project_id=None, changes=changes)

    assert draft.data == {"id": str(subject), "name": "Ada"}
    assert draft.changes == {"due_date": [None, "2030-01-02"], "assignee_id": [str(subject), None]}
    assert event_draft(EventKind.TAG_CREATED, resource, subject_id=subject, project_id=None).changes == {}


def test_every_kind_is_resource_dot_verb() -> None:
    kinds = {kind.value for kind in EventKind}
    assert len(kinds) == 17
    assert {kind.split(".")[0] for kind in kinds} == {"task", "comment", "project", "tag", "member", "workspace"}


def test_a_cursor_past_the_newest_number_was_never_handed_out() -> None:
    """A poller waiting there would silently skip every event numbered up to its cursor."""
    with pytest.raises(InvalidInput) as refused:
        check_kept(100, None, 15)
    assert refused.value.errors[0].field == "after"
