"""Tasks: numbering, optimistic concurrency, bulk operations, moves, and their activity."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy.orm.exc import StaleDataError
from uuid_utils.compat import uuid7

from taskstar.contract import ActivityRead, TaskRead
from taskstar.domain.access import Membership as Access
from taskstar.domain.errors import InvalidInput, NotFound, StaleVersion
from taskstar.domain.events import EventDraft, EventKind, event_draft
from taskstar.domain.listing import TaskQuery, decode_cursor, encode_cursor
from taskstar.domain.preconditions import NO_PRECONDITIONS, Preconditions
from taskstar.domain.rules import (
    WRITABLE_TASK_FIELDS,
    check_all_in_project,
    check_references,
    new_task_fields,
    referenced_ids,
)
from taskstar.domain.tasks import ActivityKind, changes_between, completed_at_for, task_key
from taskstar.sqlalchemy.models import Tag, Task
from taskstar.sqlalchemy.reads import activity_read, task_read

from ..repositories import (
    ActivityRepository,
    MembershipRepository,
    ProjectRepository,
    TagRepository,
    TaskRepository,
    activity_entry,
)
from .base import Service, repository

#: A new task row's counters (Piccolo's tables hold them as column defaults).
NEW_TASK_COUNTERS: dict[str, Any] = {"version": 1, "comment_count": 0}


def _state(task: Task, fields: Iterable[str]) -> dict[str, Any]:
    """The task's current values of ``fields`` (tags are only loaded when a change names them)."""
    return {
        field: sorted(tag.id for tag in task.tags) if field == "tag_ids" else getattr(task, field)
        for field in fields
        if field in WRITABLE_TASK_FIELDS or field == "tag_ids"
    }


def activity_row(task: Task, actor_id: UUID, kind: ActivityKind, changes: dict[str, list[Any]]) -> dict[str, Any]:
    return activity_entry(task.workspace_id, task.id, actor_id, kind, changes)


def _task_event(kind: EventKind, task: TaskRead, changes: dict[str, list[Any]] | None = None) -> EventDraft:
    return event_draft(kind, task, subject_id=task.id, project_id=task.project_id, changes=changes)


class TaskService(Service):
    tasks = repository(TaskRepository)
    projects = repository(ProjectRepository)
    tags = repository(TagRepository)
    memberships = repository(MembershipRepository)
    activity = repository(ActivityRepository)

    # --- reads ---------------------------------------------------------------

    async def page(self, access: Access, project_id: UUID, query: TaskQuery) -> tuple[list[TaskRead], int, str | None]:
        """The guard has resolved ``project_id`` within the caller's workspace already."""
        tasks, total, last = await self.tasks.page(
            access.workspace_id,
            project_id,
            query.filters,
            query.sort,
            query.order,
            limit=query.limit,
            offset=query.offset,
            after=decode_cursor(query),
        )
        return [task_read(task) for task in tasks], total, encode_cursor(query, last) if last is not None else None

    async def get(self, access: Access, task_id: UUID) -> TaskRead:
        return await self._read(access, task_id)

    async def activity_page(
        self, access: Access, task_id: UUID, *, limit: int, offset: int
    ) -> tuple[list[ActivityRead], int]:
        rows, total = await self.activity.page_for_task(task_id, limit=limit, offset=offset)
        return [activity_read(entry) for entry in rows], total

    # --- writes --------------------------------------------------------------

    async def create_many(
        self, access: Access, actor_id: UUID, project_id: UUID, drafts: Sequence[Mapping[str, Any]], *, bulk: bool
    ) -> list[TaskRead]:
        """All drafts or none: references are checked for every item before anything is written."""
        await self._check_references(access, drafts, prefix="items" if bulk else None)
        numbers = await self.projects.take_numbers(project_id, len(drafts))
        now = datetime.now(UTC)
        rows, links = [], []
        for number, draft in zip(numbers, drafts, strict=True):
            row = {**NEW_TASK_COUNTERS, **new_task_fields(draft)}
            row |= {
                "id": uuid7(),
                "workspace_id": access.workspace_id,
                "project_id": project_id,
                "number": number,
                "reporter_id": actor_id,
                "completed_at": completed_at_for(None, row["status"], now, None),
            }
            rows.append(row)
            links += [{"task_id": row["id"], "tag_id": tag_id} for tag_id in dict.fromkeys(draft.get("tag_ids", []))]
        # Multi-row INSERTs (no unit of work to flush): the same statements for 1 task or 100.
        await self.tasks.insert_rows(rows, links)
        entries = []
        for row in rows:
            changes = {"title": [None, row["title"]]}
            entries.append(activity_entry(access.workspace_id, row["id"], actor_id, ActivityKind.CREATED, changes))
        await self.activity.record(entries)
        created = [task_read(task) for task in await self.tasks.views(access.workspace_id, [row["id"] for row in rows])]
        await self.commit_with_events(access, [_task_event(EventKind.TASK_CREATED, task) for task in created])
        return created

    async def update(
        self,
        access: Access,
        actor_id: UUID,
        task_id: UUID,
        changes: Mapping[str, Any],
        preconditions: Preconditions = NO_PRECONDITIONS,
    ) -> TaskRead:
        task = await self.tasks.for_update(access.workspace_id, task_id, with_tags="tag_ids" in changes)
        if task is None:
            raise NotFound("No task with this id")
        preconditions.check_write(task.version)
        tags = await self._check_references(access, [changes], prefix=None)
        changed = self._apply(task, changes, tags)
        if changed:  # nothing changed: no new version, no activity, no event
            await self._flush_versioned()
            await self.activity.record([activity_row(task, actor_id, ActivityKind.UPDATED, changed)])
        updated = await self._read(access, task.id)
        await self.commit_with_events(
            access, [_task_event(EventKind.TASK_UPDATED, updated, changed)] if changed else []
        )
        return updated

    async def update_many(
        self, access: Access, actor_id: UUID, project_id: UUID, task_ids: Sequence[UUID], changes: Mapping[str, Any]
    ) -> list[TaskRead]:
        ids = list(dict.fromkeys(task_ids))
        tasks = await self.tasks.many_for_update(access.workspace_id, ids)
        found = {task.id for task in tasks if task.project_id == project_id}
        check_all_in_project(task_ids, found)
        await self._check_references(access, [changes], prefix=None)
        changed_by_task: dict[UUID, dict[str, list[Any]]] = {}
        for task in tasks:
            changed = changes_between(_state(task, changes), changes)
            if changed:
                changed_by_task[task.id] = changed
        if changed_by_task:
            await self.tasks.set_on_many(access.workspace_id, list(changed_by_task), changes)
            entries = [
                activity_row(task, actor_id, ActivityKind.UPDATED, changed_by_task[task.id])
                for task in tasks
                if task.id in changed_by_task
            ]
            await self.activity.record(entries)
        updated = [task_read(task) for task in await self.tasks.views(access.workspace_id, ids)]
        events = [
            _task_event(EventKind.TASK_UPDATED, task, changed_by_task[task.id])
            for task in updated
            if task.id in changed_by_task
        ]
        await self.commit_with_events(access, events)
        return updated

    async def move(
        self,
        access: Access,
        actor_id: UUID,
        task_id: UUID,
        target_project_id: UUID,
        preconditions: Preconditions = NO_PRECONDITIONS,
    ) -> TaskRead:
        task = await self.tasks.for_update(access.workspace_id, task_id, with_tags=True)
        if task is None:
            raise NotFound("No task with this id")
        preconditions.check_write(task.version)
        if target_project_id == task.project_id:
            return await self._read(access, task.id)
        target = await self.projects.in_workspace(access.workspace_id, target_project_id)
        if target is None:
            raise InvalidInput.on("project_id", "no project with this id in the task's workspace")
        [number] = await self.projects.take_numbers(target.id, 1)
        changed: dict[str, list[Any]] = {
            "project_id": [str(task.project_id), str(target.id)],
            "number": [task.number, number],
            "key": [task_key(task.project.key, task.number), task_key(target.key, number)],
        }
        task.project_id, task.number, task.updated_at = target.id, number, datetime.now(UTC)
        await self._flush_versioned()
        await self.activity.record([activity_row(task, actor_id, ActivityKind.MOVED, changed)])
        moved = await self._read(access, task.id)
        await self.commit_with_events(access, [_task_event(EventKind.TASK_MOVED, moved, changed)])
        return moved

    async def delete(self, access: Access, task_id: UUID, preconditions: Preconditions = NO_PRECONDITIONS) -> None:
        if preconditions.sent:  # the version must be read (and locked) first
            task = await self.tasks.for_update(access.workspace_id, task_id, with_tags=False)
            if task is None:
                raise NotFound("No task with this id")
            preconditions.check_write(task.version)
        last_state = await self._read(access, task_id)  # the task.deleted event carries it
        if not await self.tasks.remove(access.workspace_id, task_id):
            raise NotFound("No task with this id")
        await self.commit_with_events(access, [_task_event(EventKind.TASK_DELETED, last_state)])

    # --- rules ---------------------------------------------------------------

    async def _read(self, access: Access, task_id: UUID) -> TaskRead:
        """The task as responses show it; ``NotFound`` if it is not in the caller's workspace."""
        view = await self.tasks.view(access.workspace_id, task_id)
        if view is None:
            raise NotFound("No task with this id")
        return task_read(view)

    def _apply(self, task: Task, changes: Mapping[str, Any], tags: dict[UUID, Tag]) -> dict[str, list[Any]]:
        """Apply the fields that differ; return them as activity ``changes``."""
        before = _state(task, changes)
        wanted = {field: value for field, value in changes.items() if field in before}
        if "tag_ids" in wanted:
            wanted["tag_ids"] = sorted(dict.fromkeys(wanted["tag_ids"]))
        changed = changes_between(before, wanted)
        if not changed:
            return {}
        now = datetime.now(UTC)
        for field in changed.keys() & set(WRITABLE_TASK_FIELDS):
            setattr(task, field, wanted[field])
        if "tag_ids" in changed:
            task.tags = [tags[tag_id] for tag_id in wanted["tag_ids"]]
        if "status" in changed:
            task.completed_at = completed_at_for(before["status"], task.status, now, task.completed_at)
        task.updated_at = now
        return changed

    async def _flush_versioned(self) -> None:
        try:
            await self.session.flush()
        except StaleDataError:
            raise StaleVersion("The task changed meanwhile; reload it and retry") from None

    async def _check_references(
        self, access: Access, drafts: Sequence[Mapping[str, Any]], *, prefix: str | None
    ) -> dict[UUID, Tag]:
        """The drafts' tags by id, after ``domain.rules.check_references`` (400 naming each offender)."""
        assignees, tag_ids = referenced_ids(drafts)
        members = await self.memberships.users_among_members(access.workspace_id, assignees)
        tags = await self.tags.many_in_workspace(access.workspace_id, tag_ids)
        check_references(drafts, members, tags, prefix=prefix)
        return tags
