"""RFC 9110 section 13's evaluation of If-Match and If-None-Match, without a database."""

from __future__ import annotations

import pytest

from taskstar.domain.errors import StaleVersion
from taskstar.domain.preconditions import EntityTags, Preconditions


@pytest.mark.parametrize(
    ("field_value", "parsed"),
    [
        ("*", EntityTags(any=True)),
        ('"3"', EntityTags(tags=((False, "3"),))),
        ('W/"3"', EntityTags(tags=((True, "3"),))),
        ('"1", W/"2" ,"3"', EntityTags(tags=((False, "1"), (True, "2"), (False, "3")))),
        (', ,"1",,', EntityTags(tags=((False, "1"),))),  # empty list elements (RFC 9110 5.6.1)
        ('"a,b"', EntityTags(tags=((False, "a,b"),))),  # a comma is an etagc
        ('"1" "2"', EntityTags()),  # no comma between tags: not a list
        ("3", EntityTags()),
        ('w/"3"', EntityTags()),  # "W/" is case-sensitive
        ('"x"y"', EntityTags()),
        ("", EntityTags()),
        ('*, "1"', EntityTags()),  # "*" stands alone
    ],
)
def test_parsing_follows_the_entity_tag_grammar(field_value: str, parsed: EntityTags) -> None:
    assert EntityTags.parse(field_value) == parsed


def test_if_match_compares_strongly_and_if_none_match_weakly() -> None:
    weak_and_strong = EntityTags.parse('W/"2", "3"')
    assert not weak_and_strong.strong_match("2") and weak_and_strong.strong_match("3")
    assert weak_and_strong.weak_match("2") and weak_and_strong.weak_match("3")
    assert not weak_and_strong.weak_match("4")


def test_a_write_needs_if_match_to_hold_and_if_none_match_not_to() -> None:
    Preconditions.from_fields('"1", "2"').check_write(2)
    Preconditions.from_fields(None, '"1"').check_write(2)
    Preconditions.from_fields("*", None).check_write(2)
    for if_match, if_none_match in [('W/"2"', None), ('"1"', None), (None, "*"), (None, 'W/"2"'), ('"2"', '"2"')]:
        with pytest.raises(StaleVersion):
            Preconditions.from_fields(if_match, if_none_match).check_write(2)


def test_a_read_is_not_modified_when_if_none_match_names_it_and_refused_when_if_match_fails() -> None:
    assert Preconditions.from_fields(None, 'W/"2"').not_modified(2)
    assert not Preconditions.from_fields(None, '"1"').not_modified(2)
    assert not Preconditions().not_modified(2)
    with pytest.raises(StaleVersion):
        Preconditions.from_fields('"1"', '"2"').not_modified(2)
