"""Keyset (seek) pagination for any ``select``: advanced-alchemy has ``LimitOffset`` only.

A page continues strictly after the last row of the previous one in the sort
order, so rows inserted meanwhile never shift it: nothing is skipped or repeated.
Each sort key says how to read its value back from a row (for the next cursor)
and which Python type a cursor value converts to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, SQLColumnExpression, and_, false, or_
from sqlalchemy.sql.elements import ColumnElement

from taskstar.domain.listing import sort_values


@dataclass(frozen=True)
class SortKey:
    expression: SQLColumnExpression[Any]  # a column, a mapped attribute or an expression
    descending: bool
    value_of: Callable[[Any], Any]
    python_type: Any

    def ordered(self) -> ColumnElement[Any]:
        return self.expression.desc() if self.descending else self.expression.asc()

    def beyond(self, value: object) -> ColumnElement[bool]:
        if value is None:  # NULLs sit at one end and are ordered by the next key only
            return false()
        return self.expression < value if self.descending else self.expression > value


def order_by(keys: Sequence[SortKey]) -> list[ColumnElement[Any]]:
    return [key.ordered() for key in keys]


def seek(statement: Select[Any], keys: Sequence[SortKey], after: Sequence[Any]) -> Select[Any]:
    """Rows strictly after ``after`` in the order of ``keys`` (an expanded row comparison,
    which both PostgreSQL and SQLite plan on a matching index)."""
    values = sort_values(after, [key.python_type for key in keys])
    branches = []
    for index, key in enumerate(keys):
        equal_before = [keys[i].expression.is_not_distinct_from(values[i]) for i in range(index)]
        branches.append(and_(*equal_before, key.beyond(values[index])))
    return statement.where(or_(*branches))


def cursor_values(row: Any, keys: Sequence[SortKey]) -> list[Any]:
    return [key.value_of(row) for key in keys]
