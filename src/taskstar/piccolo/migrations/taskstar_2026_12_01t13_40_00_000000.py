"""What Piccolo's table definitions cannot declare, by hand: the event feed's unique index.

The feed reads "a workspace's events after n", and each number is given once: the SQLAlchemy
schema's ``uq_event_workspace_sequence``. A migration of its own because a migration's raw steps
run before its tables are created (``MigrationManager.run``), so it cannot share the one that
creates ``event``.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-01T13:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "event feed index"

UNIQUE_INDEXES = {
    "uq_event_workspace_sequence": "event (workspace_id, sequence)",
}


class RawTable(Table):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="taskstar", description=DESCRIPTION)

    async def create_indexes():
        for name, target in UNIQUE_INDEXES.items():
            await RawTable.raw(f"CREATE UNIQUE INDEX {name} ON {target}")

    async def drop_indexes():
        for name in UNIQUE_INDEXES:
            await RawTable.raw(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
