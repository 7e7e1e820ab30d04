"""What Piccolo's table definitions cannot declare, by hand: the API tokens' composite index.

``GET /api/me/tokens`` reads one user's tokens, newest first: the SQLAlchemy schema's
``ix_api_token_user_created``. A migration of its own because a migration's raw steps run
before its tables are created (``MigrationManager.run``), so it cannot share the one that
creates ``api_token``.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-01T09:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "api token index"

INDEXES = {
    "ix_api_token_user_created": "api_token (user_id, created_at)",
}


class RawTable(Table):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="taskstar", description=DESCRIPTION)

    async def create_indexes():
        for name, target in INDEXES.items():
            await RawTable.raw(f"CREATE INDEX {name} ON {target}")

    async def drop_indexes():
        for name in INDEXES:
            await RawTable.raw(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
