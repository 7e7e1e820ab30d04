from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from uuid_utils.compat import uuid7

from taskstar.domain.tasks import ActivityKind
from taskstar.piccolo.tables import Activity

from .base import now

#: workspace, task, actor, kind, ``{field: [old, new]}``
Entry = tuple[UUID, UUID, UUID, ActivityKind, dict[str, list[Any]]]


async def record_activity(entries: list[Entry]) -> None:
    """Activity rows in one INSERT, in the transaction of the change they describe."""
    if not entries:
        return
    at = now()
    await Activity.insert(
        *(
            Activity(
                id=uuid7(), workspace_id=workspace_id, task_id=task_id, actor_id=actor_id, kind=kind.value,
                changes=json.dumps(changes), created_at=at, updated_at=at,
            )
            for workspace_id, task_id, actor_id, kind, changes in entries
        )
    )  # fmt: skip
