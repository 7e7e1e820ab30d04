"""SQL functions both ORMs install on every SQLite connection they open.

SQLite's built-in ``lower()`` (and ``LIKE``'s case-insensitivity) fold ASCII letters only, so on
SQLite ``q=über`` would not find "Straße Über" while PostgreSQL, whose ``lower()``/``ILIKE``
lower-case every character (``towlower`` under the database's UTF-8 locale), does. Replacing
``lower()`` on each connection (SQLite lets an application function override a built-in one,
https://sqlite.org/appfunc.html) by the same per-character mapping makes case-insensitive search
mean the same on both databases. No index is built on ``lower()``, so no stored index depends on
the built-in's behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def unicode_lower(value: Any) -> Any:
    """SQL ``lower(x)`` over all of Unicode, one character at a time, as PostgreSQL's: Unicode's
    simple lower-case mapping (UnicodeData.txt). Python's ``str.lower`` applies the two full
    mappings of SpecialCasing.txt besides: "İ" to "i" + U+0307 and a word-final "Σ" to "ς";
    replacing those two first gives the simple mapping. ``NULL`` and non-text values pass."""
    if not isinstance(value, str):
        return value
    return value.replace("\u0130", "i").replace("\u03a3", "\u03c3").lower()


#: (name, number of arguments, implementation): for ``create_function(..., deterministic=True)``.
SQLITE_FUNCTIONS: tuple[tuple[str, int, Callable[[Any], Any]], ...] = (("lower", 1, unicode_lower),)
