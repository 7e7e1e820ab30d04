"""The lower-case mapping Taskstar installs on SQLite connections is PostgreSQL's, character for
character, so that ``q`` finds the same tasks on both databases (issue 13, kind 3)."""

from __future__ import annotations

import asyncio
import sys

import asyncpg

from taskstar.sqlite_functions import unicode_lower
from tests.support.targets import POSTGRES_ADMIN_URL

EVERY_CHARACTER = [chr(code) for code in range(1, sys.maxunicode + 1) if not 0xD800 <= code < 0xE000]


def test_sqlite_lower_is_postgresqls_lower_for_every_code_point() -> None:
    async def lowered_by_postgresql() -> list[str]:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            query = "SELECT lower(c) FROM unnest($1::text[]) WITH ORDINALITY AS t(c, n) ORDER BY n"
            rows = await connection.fetch(query, EVERY_CHARACTER)
            return [row[0] for row in rows]
        finally:
            await connection.close()

    expected = asyncio.run(lowered_by_postgresql())
    differing = [
        f"U+{ord(c):04X}: {unicode_lower(c)!r} != {lower!r}"
        for c, lower in zip(EVERY_CHARACTER, expected, strict=True)
        if unicode_lower(c) != lower
    ]
    assert not differing, differing[:20]
    assert unicode_lower("ΟΔΟΣ İSTANBUL") == "οδοσ istanbul"  # whole words too, no final-sigma rule
