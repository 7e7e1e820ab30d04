"""SQL functions both ORMs install on every SQLite connection they open.

SQLite's built-in ``lower()`` (and ``LIKE``'s case-insensitivity) fold ASCII letters only, so on
SQLite ``q=über`` would not find "Straße Über" while PostgreSQL, whose ``lower()``/``ILIKE``
follow the database's Unicode character classes, does. Replacing ``lower()`` by Python's
``str.lower`` on each connection (SQLite lets an application function override a built-in one,
https://sqlite.org/appfunc.html) makes case-insensitive search mean the same on both databases.
No index is built on ``lower()``, so no stored index depends on the built-in's behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def unicode_lower(value: Any) -> Any:
    """SQL ``lower(x)`` over all of Unicode; ``NULL`` and non-text values pass unchanged."""
    return value.lower() if isinstance(value, str) else value


#: (name, number of arguments, implementation): for ``create_function(..., deterministic=True)``.
SQLITE_FUNCTIONS: tuple[tuple[str, int, Callable[[Any], Any]], ...] = (("lower", 1, unicode_lower),)
