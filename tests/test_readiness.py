"""Start-up against PostgreSQL: a schema behind the newest migration is refused.

(An unreachable database under load is in the fault suite, tests/test_faults_database.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.deployment import deployment_env
from tests.support.server import Server
from tests.support.targets import ScratchDatabase, Target, selected_targets

pytestmark = pytest.mark.skipif(
    not any(target.database == "postgresql" for target in selected_targets()),
    reason="no PostgreSQL target selected",
)


def test_run_refuses_a_schema_behind_the_newest_migration(tmp_path: Path) -> None:
    database = ScratchDatabase.create("postgresql", tmp_path)
    try:
        env = deployment_env(Target("sqlalchemy-async", "postgresql"), database.url, tmp_path / "data")
        server = Server(env, tmp_path / "server.log")
        try:
            server.process.wait(timeout=60)
        finally:
            server.stop()
        assert server.process.returncode != 0
        assert "taskstar database upgrade" in server.output()
    finally:
        database.drop()
