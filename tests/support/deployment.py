"""A migrated database and the environment that points Taskstar at it, for one target."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from tests.support.targets import Target


@dataclass(frozen=True)
class Deployment:
    """A migrated database and the environment that points Taskstar at it."""

    target: Target
    env: dict[str, str]


def deployment_env(target: Target, database_url: str, data_dir: Path) -> dict[str, str]:
    return {
        "TASKSTAR_PERSISTENCE": target.persistence,
        "TASKSTAR_DATABASE_URL": database_url,
        "TASKSTAR_DATA_DIR": str(data_dir),
        "TASKSTAR_SECRET_KEY": secrets.token_urlsafe(48),
        # Tests register many users from one address; the limit itself has its own tests.
        "TASKSTAR_AUTH_RATE_LIMIT": "100000/minute",
        "TASKSTAR_LOG_LEVEL": "WARNING",
        # argon2id with 1 MiB instead of 64: the suite registers thousands of users, and at the
        # default cost hashing was a fifth of CI's CPU. Same algorithm, same checks; the default
        # cost has its own test (tests/unit/test_passwords.py).
        "TASKSTAR_PASSWORD_HASH_MEMORY": "1024",
    }
