"""Case-insensitive keys: how an email or a tag name is stored so that uniqueness ignores case.

A key is ``str.lower()`` of the value, and lower-casing can lengthen a string: ``"İ"`` (U+0130)
becomes ``"i̇"``, two code points (Unicode's SpecialCasing.txt; the only such character for
``lower()``). A key must still fit the column that holds it, alike on PostgreSQL, which refuses a
longer value, and on SQLite, which would store it. The rule Taskstar holds: a value is accepted
when its key is within the contract's limit for the value, so a 200-character tag name that
lower-cases to 201 characters is a 400, on every path and database, and never reaches the column.
"""

from __future__ import annotations

from taskstar.domain.errors import InvalidInput

#: The contract's limits (shared/spec/api.md, "Limits"), which are also the key columns' widths.
MAX_EMAIL_LENGTH = 254
MAX_TAG_NAME_LENGTH = 200


def case_key(value: str, *, field: str, max_length: int) -> str:
    """``value`` lower-cased; raises ``InvalidInput`` on ``field`` when that is longer than
    ``max_length`` characters."""
    key = value.lower()
    if len(key) > max_length:
        raise InvalidInput.on(
            field, f"at most {max_length} characters once lower-cased (it has {len(key)}; İ lower-cases to two)"
        )
    return key


def email_key(email: str) -> str:
    """The stored, lower-cased form of an email address; ``InvalidInput`` if it outgrows 254."""
    return case_key(email, field="email", max_length=MAX_EMAIL_LENGTH)


def tag_name_key(name: str) -> str:
    """The lower-cased key of a tag name; ``InvalidInput`` if it outgrows 200."""
    return case_key(name, field="name", max_length=MAX_TAG_NAME_LENGTH)
