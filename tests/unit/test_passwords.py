"""Password hashing (``domain/passwords.py``): argon2id at RFC 9106's cost unless
``TASKSTAR_PASSWORD_HASH_MEMORY`` lowers it, and every stored hash verifying whatever the setting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from taskstar.domain import passwords
from taskstar.settings import Settings


@pytest.fixture(autouse=True)
def default_cost() -> Iterator[None]:
    # Before as well as after: an in-process app built earlier in this worker process (every
    # test app sets 1 MiB) leaves its cost behind, which a CI run met (m=1024 for the default).
    passwords.use_memory_cost(passwords.DEFAULT_MEMORY_KIB)
    yield
    passwords.use_memory_cost(passwords.DEFAULT_MEMORY_KIB)


def test_the_default_is_rfc_9106s_second_profile() -> None:
    assert Settings.from_env({"TASKSTAR_DATA_DIR": "/tmp"}).password_hash_memory_kib == 65_536
    stored = passwords.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_lower_memory_cost_applies_to_new_hashes_and_old_ones_still_verify() -> None:
    old = passwords.hash_password("correct horse battery")
    passwords.use_memory_cost(1024)
    new = passwords.hash_password("correct horse battery")

    assert new.startswith("$argon2id$v=19$m=1024,t=3,p=4$")
    assert passwords.verify_password(old, "correct horse battery")
    assert passwords.verify_password(new, "correct horse battery")
    assert not passwords.verify_password(new, "wrong horse battery")
    assert not passwords.verify_password(None, "correct horse battery")  # an unknown email
