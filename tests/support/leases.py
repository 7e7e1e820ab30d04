"""Checks shared by the stream cap's two cross-process counters (Redis leases, slot locks)."""

from __future__ import annotations

import uuid

from taskstar.http.stream_leases import MAX_STREAMS_PER_USER, StreamLeases


async def assert_two_holders_share_each_users_cap(first: StreamLeases, second: StreamLeases) -> None:
    """``first`` and ``second`` stand for two worker processes: a user's streams, opened on both
    in turn, stop at the cap on both; another user is not affected; a place given back on one
    side is free on the other, once."""
    user, other_user = uuid.uuid4(), uuid.uuid4()
    held = [await (first if index % 2 else second).acquire(user) for index in range(MAX_STREAMS_PER_USER)]
    assert all(lease is not None for lease in held)
    assert await first.acquire(user) is None
    assert await second.acquire(user) is None
    assert await first.acquire(other_user) is not None, "the cap is per user"

    await held[0].release()  # type: ignore[union-attr]
    assert await first.acquire(user) is not None, "a place given back by one holder is free in the other"
    assert await second.acquire(user) is None
