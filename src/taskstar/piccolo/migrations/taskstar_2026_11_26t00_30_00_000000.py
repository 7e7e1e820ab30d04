"""What Piccolo's table definitions cannot declare, by hand: composite indexes.

The unique ones keep numbers, keys, names and memberships unique under
concurrency (Piccolo's ``Unique`` constraint is added with ALTER TABLE, which
SQLite lacks). The others serve one sort of the task list each, ending in
``id`` for the tie-break, and the lookups of pages and tenancy checks: the same
set as the SQLAlchemy schema's.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-26T00:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes for sorts and lookups"

UNIQUE_INDEXES = {
    "uq_membership_workspace_user": "membership (workspace_id, user_id)",
    "uq_project_workspace_key": "project (workspace_id, key)",
    "uq_tag_workspace_name_key": "tag (workspace_id, name_key)",
    "uq_task_project_number": "task (project_id, number)",
    "uq_task_tag_task_tag": "task_tag (task_id, tag_id)",
}
INDEXES = {
    "ix_task_project_created": "task (project_id, created_at, id)",
    "ix_task_project_updated": "task (project_id, updated_at, id)",
    "ix_task_project_due": "task (project_id, due_date, id)",
    "ix_task_project_priority": "task (project_id, priority, id)",
    "ix_task_project_position": "task (project_id, position, id)",
    "ix_task_project_status": "task (project_id, status)",
    "ix_membership_user_workspace": "membership (user_id, workspace_id)",
    "ix_comment_task_created": "comment (task_id, created_at, id)",
    "ix_activity_task_created": "activity (task_id, created_at, id)",
}


class RawTable(Table):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="taskstar", description=DESCRIPTION)

    async def create_indexes():
        for name, target in UNIQUE_INDEXES.items():
            await RawTable.raw(f"CREATE UNIQUE INDEX {name} ON {target}")
        for name, target in INDEXES.items():
            await RawTable.raw(f"CREATE INDEX {name} ON {target}")

    async def drop_indexes():
        for name in [*UNIQUE_INDEXES, *INDEXES]:
            await RawTable.raw(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
