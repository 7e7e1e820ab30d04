"""Case-insensitive keys for emails and tag names (``domain/keys.py``), without a database: one
key per spelling ignoring case, and a value whose key outgrows its column is a 400 on its field."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from taskstar.domain.errors import InvalidInput
from taskstar.domain.keys import MAX_EMAIL_LENGTH, MAX_TAG_NAME_LENGTH, email_key, tag_name_key

DOTTED_I = "\u0130"  # "İ": lower-cases to "i" and a combining dot above, two characters


def test_spellings_that_differ_only_in_case_share_a_key() -> None:
    assert email_key("Ada.Lovelace@Example.COM") == email_key("ada.lovelace@example.com") == "ada.lovelace@example.com"
    assert tag_name_key("Bug") == tag_name_key("BUG") == tag_name_key("bug") == "bug"
    assert tag_name_key("ÄRGER") == tag_name_key("ärger")


def test_other_spellings_keep_other_keys() -> None:
    assert tag_name_key("bug") != tag_name_key("bugs")
    assert tag_name_key("front end") != tag_name_key("front-end")


def test_the_contracts_limits_are_the_columns_widths() -> None:
    assert (MAX_EMAIL_LENGTH, MAX_TAG_NAME_LENGTH) == (254, 200)


def test_a_value_at_its_limit_is_accepted() -> None:
    email = "a" * (MAX_EMAIL_LENGTH - len("@example.com")) + "@example.com"
    assert email_key(email.upper()) == email
    assert len(tag_name_key("T" * MAX_TAG_NAME_LENGTH)) == MAX_TAG_NAME_LENGTH
    # İ lower-cases to two characters: one fewer leaves room for them.
    assert len(tag_name_key(DOTTED_I + "t" * (MAX_TAG_NAME_LENGTH - 2))) == MAX_TAG_NAME_LENGTH


@pytest.mark.parametrize(
    ("make_key", "field", "limit"),
    [(email_key, "email", MAX_EMAIL_LENGTH), (tag_name_key, "name", MAX_TAG_NAME_LENGTH)],
    ids=["email", "tag name"],
)
def test_a_value_whose_key_outgrows_the_limit_is_refused_on_its_field(
    make_key: Callable[[str], str], field: str, limit: int
) -> None:
    for value in ("x" * (limit + 1), DOTTED_I + "x" * (limit - 1)):  # the second has `limit` characters
        with pytest.raises(InvalidInput) as refused:
            make_key(value)
        assert [error.field for error in refused.value.errors] == [field]
        assert f"at most {limit} characters" in refused.value.detail and f"it has {limit + 1}" in refused.value.detail
