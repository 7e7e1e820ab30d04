"""Password hashing with argon2id, off the event loop and timing-safe for unknown users."""

from __future__ import annotations

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: argon2-cffi's default memory cost, RFC 9106's second recommended profile (t=3, 64 MiB, p=4).
DEFAULT_MEMORY_KIB = 65_536
_DUMMY_PASSWORD = "taskstar-dummy-password-for-timing"

_hasher = PasswordHasher(memory_cost=DEFAULT_MEMORY_KIB)

# Verified against when the email is unknown, so that a login for a missing
# account costs the same argon2 work as one with a wrong password. Made when the
# app sets the cost (``use_memory_cost``), not at import: every process imports
# this module (each CLI command too), and a hash at the default cost is ~0.15 s of CPU.
_DUMMY_HASH: str | None = None


def use_memory_cost(memory_kib: int) -> None:
    """Hash new passwords with ``memory_kib`` KiB of argon2id memory (``TASKSTAR_PASSWORD_HASH_MEMORY``;
    the time cost and parallelism stay RFC 9106's). A stored hash names its own parameters, so every
    existing password still verifies; the unknown-email dummy follows the new cost."""
    global _hasher, _DUMMY_HASH
    if memory_kib != _hasher.memory_cost:
        _hasher = PasswordHasher(memory_cost=memory_kib)
        _DUMMY_HASH = None
    _dummy_hash()  # now, so that no login pays for making it


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash(_DUMMY_PASSWORD)
    return _DUMMY_HASH


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; with ``password_hash=None`` burns the same time and fails."""
    try:
        ok = _hasher.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None


# On the event loop, argon2's ~50 ms of CPU runs in a worker thread. (The sync
# persistence path calls the functions above: its handlers already run in threads.)


async def hash_password_async(password: str) -> str:
    return await anyio.to_thread.run_sync(hash_password, password)


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    return await anyio.to_thread.run_sync(verify_password, password_hash, password)
