"""Keyset cursors of task lists (``domain/listing.py``), without a database: a cursor gives back
what it was made from, only for the list it came from, and anything this server did not issue is
a 400 on ``cursor`` (``shared/spec/api.md``: "``next_cursor`` is an opaque string that clients
URL-encode and send back with the same filters and sort (otherwise 400)")."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from taskstar.domain.errors import InvalidInput
from taskstar.domain.listing import TaskFilters, TaskQuery, cursor_signing_key, decode_cursor, encode_cursor
from taskstar.domain.tasks import Priority, SortField, SortOrder, Status

KEY = cursor_signing_key("a server secret of at least thirty-two characters")
PROJECT = uuid.uuid4()
QUERY = TaskQuery(list_of=PROJECT, cursor_key=KEY)


def next_page(query: TaskQuery, values: list[Any]) -> TaskQuery:
    """The query a client sends for the next page: the same one, with the cursor it was given."""
    return replace(query, cursor=encode_cursor(query, values))


def refusal(query: TaskQuery) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        decode_cursor(query)
    assert [error.field for error in refused.value.errors] == ["cursor"]
    return refused.value


def test_a_first_page_has_no_cursor() -> None:
    assert decode_cursor(QUERY) is None


def test_a_cursor_gives_back_the_sort_values_it_was_made_from() -> None:
    created_at = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    task_id = uuid.uuid4()
    values = decode_cursor(next_page(QUERY, [created_at, task_id, 42, None, 2.5, date(2024, 1, 2)]))
    assert values is not None
    assert datetime.fromisoformat(values[0]) == created_at
    assert uuid.UUID(values[1]) == task_id
    assert values[2:] == [42, None, 2.5, "2024-01-02"]


def test_a_cursor_needs_no_escaping_in_a_url() -> None:
    cursor = encode_cursor(QUERY, [datetime(2024, 5, 6, tzinfo=UTC), uuid.uuid4(), "a/b+c=d?"])
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", cursor), cursor


def test_a_cursor_keeps_working_with_another_page_size() -> None:
    """The page size is not part of the list: a client may ask for more rows on the next page."""
    query = next_page(QUERY, [7])
    assert decode_cursor(replace(query, limit=100)) == [7]


def _other(character: str) -> str:
    return "A" if character != "A" else "B"


#: Ways a client could edit a cursor it was given (its two halves: payload and MAC), or make one up.
EDITS: dict[str, Callable[[str, str], str]] = {
    "a value changed": lambda payload, mac: f"{payload[:10]}{_other(payload[10])}{payload[11:]}.{mac}",
    # Not the last character: it carries padding bits that decoding ignores.
    "the MAC changed": lambda payload, mac: f"{payload}.{_other(mac[0])}{mac[1:]}",
    "the MAC cut short": lambda payload, mac: f"{payload}.{mac[:-2]}",
    "bytes appended": lambda payload, mac: f"{payload}.{mac}AAAA",
    "no MAC": lambda payload, mac: payload,
    "an empty MAC": lambda payload, mac: f"{payload}.",
    "no payload": lambda payload, mac: f".{mac}",
    "halves swapped": lambda payload, mac: f"{mac}.{payload}",
    "empty": lambda payload, mac: "",
    "a dot": lambda payload, mac: ".",
    "not base64": lambda payload, mac: "not a cursor!",
    "made up": lambda payload, mac: "WzEsMl0.WzEsMl0",  # base64url of [1,2] as both halves
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_an_edited_or_made_up_cursor_is_refused(edit: Callable[[str, str], str]) -> None:
    payload, mac = encode_cursor(QUERY, [5, "2024-01-01T00:00:00Z"]).split(".")
    refusal(replace(QUERY, cursor=edit(payload, mac)))


def test_a_cursor_signed_with_another_servers_key_is_refused() -> None:
    """After the secret changes, cursors issued before are a 400, not trusted."""
    issued = encode_cursor(QUERY, [5])
    elsewhere = replace(QUERY, cursor=issued, cursor_key=cursor_signing_key("another secret, also thirty-two chars"))
    refusal(elsewhere)
    assert decode_cursor(replace(QUERY, cursor=issued)) == [5]


def test_the_signing_key_is_derived_from_the_secret_and_not_the_secret_itself() -> None:
    secret = "a server secret of at least thirty-two characters"
    assert cursor_signing_key(secret) == KEY  # the same secret, the same key: cursors survive a restart
    assert len(KEY) == 32
    assert KEY not in (secret.encode(), secret.encode()[:32])  # a JWT is signed with the secret itself
    assert cursor_signing_key(secret + "!") != KEY


@pytest.mark.parametrize(
    "other_list",
    [
        pytest.param({"list_of": uuid.uuid4()}, id="another project"),
        pytest.param({"list_of": None}, id="no project"),
        pytest.param({"filters": TaskFilters(statuses=(Status.DONE,))}, id="a status filter"),
        pytest.param({"filters": TaskFilters(priorities=(Priority.HIGH,))}, id="a priority filter"),
        pytest.param({"filters": TaskFilters(text="login")}, id="a text filter"),
        pytest.param({"filters": TaskFilters(unassigned=True)}, id="unassigned"),
        pytest.param({"filters": TaskFilters(due_before=date(2030, 1, 1))}, id="a due date"),
        pytest.param({"sort": SortField.PRIORITY}, id="another sort"),
        pytest.param({"order": SortOrder.DESC}, id="another order"),
    ],
)
def test_a_cursor_is_refused_on_another_list(other_list: dict[str, Any]) -> None:
    query = next_page(QUERY, [5])
    error = refusal(replace(query, **other_list))
    assert "other filters or another sort" in error.detail


def test_a_cursor_with_the_same_filters_is_accepted() -> None:
    filters = TaskFilters(statuses=(Status.TODO, Status.DONE), tag_ids=(uuid.uuid4(),), text="login")
    query = next_page(replace(QUERY, filters=filters, sort=SortField.DUE_DATE, order=SortOrder.DESC), ["2024-01-01", 3])
    rebuilt = TaskQuery(
        filters=replace(filters), sort=SortField.DUE_DATE, order=SortOrder.DESC, list_of=PROJECT, cursor_key=KEY
    )
    assert decode_cursor(replace(rebuilt, cursor=query.cursor)) == ["2024-01-01", 3]


@pytest.mark.parametrize(
    "values",
    [
        [2**31 - 1, -(2**31)],  # 32-bit INTEGER columns: task numbers, priority ranks
        ["x" * 40],  # the longest string a sort column holds (a timestamp, a UUID)
        [1e12, -1e12],  # the contract's bound on positions
        [None],
    ],
    ids=["integers", "string", "floats", "null"],
)
def test_values_at_the_columns_bounds_are_accepted(values: list[Any]) -> None:
    assert decode_cursor(next_page(QUERY, values)) == values


@pytest.mark.parametrize(
    "values",
    [[2**31], [-(2**31) - 1], ["x" * 41], [1e12 * 1.5], [-1e13], [{"number": 1}], [[1, 2]], [True]],
    ids=["int too big", "int too small", "long string", "float too big", "float too small", "object", "list", "bool"],
)
def test_values_beyond_the_columns_are_refused_even_when_signed(values: list[Any]) -> None:
    """Nothing out of a column's range reaches a query, whoever signed it."""
    refusal(next_page(QUERY, values))


def test_cursor_and_offset_do_not_combine() -> None:
    with pytest.raises(InvalidInput) as refused:
        TaskQuery(cursor=encode_cursor(QUERY, [1]), offset=20, list_of=PROJECT, cursor_key=KEY)
    assert [error.field for error in refused.value.errors] == ["cursor"]
    TaskQuery(cursor=encode_cursor(QUERY, [1]), offset=0, list_of=PROJECT, cursor_key=KEY)


def test_the_signing_key_never_shows_in_a_repr() -> None:
    """A query logged or shown in a traceback does not leak what cursors are signed with."""
    assert "cursor_key" not in repr(QUERY) and repr(KEY) not in repr(QUERY)
