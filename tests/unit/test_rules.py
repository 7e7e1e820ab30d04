"""The business rules both ORMs call (``taskstar.domain.rules``): what a client is told."""

from __future__ import annotations

from uuid import uuid4

import pytest

from taskstar.domain.errors import Conflict, InvalidInput
from taskstar.domain.rules import (
    check_all_in_project,
    check_references,
    new_task_fields,
    referenced_ids,
    tag_name_taken,
)
from taskstar.domain.tasks import Priority, Status


def test_a_new_task_takes_the_defaults_for_what_the_draft_left_out_and_ignores_unowned_fields() -> None:
    fields = new_task_fields({"title": "Ship", "priority": Priority.HIGH, "version": 99, "id": uuid4()})
    assert fields["title"] == "Ship" and fields["priority"] is Priority.HIGH
    assert fields["status"] is Status.TODO and fields["description"] is None and fields["position"] == 0.0
    assert "version" not in fields and "id" not in fields


def test_references_name_every_offending_field_of_every_bulk_item() -> None:
    member, stranger, tag, foreign_tag = uuid4(), uuid4(), uuid4(), uuid4()
    drafts = [
        {"assignee_id": member, "tag_ids": [tag]},
        {"assignee_id": stranger, "tag_ids": [tag, foreign_tag]},
        {"assignee_id": None},
    ]
    assert referenced_ids(drafts) == ({member, stranger}, {tag, foreign_tag})
    with pytest.raises(InvalidInput) as raised:
        check_references(drafts, members={member}, tags={tag}, prefix="items")
    assert [error.field for error in raised.value.errors] == ["items[1].assignee_id", "items[1].tag_ids"]


def test_references_of_one_task_name_plain_fields_and_pass_when_all_belong() -> None:
    member, tag = uuid4(), uuid4()
    check_references([{"assignee_id": member, "tag_ids": [tag]}], members={member}, tags={tag}, prefix=None)
    with pytest.raises(InvalidInput) as raised:
        check_references([{"tag_ids": [uuid4()]}], members=set(), tags={tag}, prefix=None)
    assert [error.field for error in raised.value.errors] == ["tag_ids"]


def test_a_bulk_update_names_each_id_that_is_not_a_task_of_the_project() -> None:
    found, other = uuid4(), uuid4()
    check_all_in_project([found, found], {found})
    with pytest.raises(InvalidInput) as raised:
        check_all_in_project([found, other, other], {found})
    assert [error.field for error in raised.value.errors] == ["ids[1]", "ids[2]"]


def test_a_taken_tag_name_is_a_conflict_on_the_name_field() -> None:
    conflict = tag_name_taken("Bug")
    assert isinstance(conflict, Conflict)
    assert [error.field for error in conflict.errors] == ["name"] and "'Bug'" in conflict.detail
