"""Tasks: numbering, optimistic concurrency, bulk operations, moves, and their activity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from piccolo.columns import Column
from piccolo.querystring import QueryString
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
from taskstar.domain.tasks import ActivityKind, Priority, Status, changes_between, completed_at_for, task_key
from taskstar.piccolo import queries
from taskstar.piccolo.reads import activity_read, task_read
from taskstar.piccolo.tables import Activity, Membership, Project, Tag, Task, TaskTag

from .activity import record_activity
from .base import Service, now


def _stored(field: str, value: Any) -> Any:
    """A domain value as its column holds it (priorities by rank, statuses by value)."""
    if field == "priority":
        return Priority(value).rank
    if field == "status":
        return Status(value).value
    return value


def _domain(row: dict[str, Any]) -> dict[str, Any]:
    """The writable fields of a task row as domain values."""
    values = {field: row[field] for field in WRITABLE_TASK_FIELDS}
    values["status"] = Status(row["status"])
    values["priority"] = Priority.from_rank(row["priority"])
    return values


def _task_event(kind: EventKind, task: TaskRead, changes: dict[str, list[Any]] | None = None) -> EventDraft:
    return event_draft(kind, task, subject_id=task.id, project_id=task.project_id, changes=changes)


def _locked(query: Any, *, is_sqlite: bool) -> Any:
    """Rows locked for the rest of the transaction on PostgreSQL (SQLite serializes writers,
    and Piccolo refuses FOR UPDATE there)."""
    return query if is_sqlite else query.lock_rows(of=(Task,))


class TaskService(Service):
    # --- reads ---------------------------------------------------------------

    async def page(self, access: Access, project_id: UUID, query: TaskQuery) -> tuple[list[TaskRead], int, str | None]:
        """The guard has resolved ``project_id`` within the caller's workspace already."""
        async with self.db.reading():
            tasks, total, last = await queries.task_page(
                access.workspace_id,
                project_id,
                query.filters,
                query.sort,
                query.order,
                limit=query.limit,
                offset=query.offset,
                after=decode_cursor(query),
                is_sqlite=self.db.is_sqlite,
            )
        return [task_read(task) for task in tasks], total, encode_cursor(query, last) if last is not None else None

    async def get(self, access: Access, task_id: UUID) -> TaskRead:
        async with self.db.reading():
            task = await queries.task_view(access.workspace_id, task_id)
        if task is None:
            raise NotFound("No task with this id")
        return task_read(task)

    async def activity_page(
        self, access: Access, task_id: UUID, *, limit: int, offset: int
    ) -> tuple[list[ActivityRead], int]:
        """Entries with their actor, oldest first."""
        of_task = Activity.task_id == task_id
        async with self.db.reading():
            rows = await (
                Activity.select(*Activity._meta.columns, Activity.actor_id.name.as_alias("actor_name"))
                .where(of_task)
                .order_by(Activity.created_at, Activity.id)
                .limit(limit)
                .offset(offset)
                .output(load_json=True)
            )
            return [activity_read(row) for row in rows], await Activity.count().where(of_task)

    # --- writes --------------------------------------------------------------

    async def create_many(
        self, access: Access, actor_id: UUID, project_id: UUID, drafts: Sequence[Mapping[str, Any]], *, bulk: bool
    ) -> list[TaskRead]:
        """All drafts or none: references are checked for every item before anything is written."""
        async with self.writing_with_events(access) as events:
            await self._check_references(access, drafts, prefix="items" if bulk else None)
            numbers = await self._take_numbers(project_id, len(drafts))
            at = now()
            tasks, links, entries = [], [], []
            for number, draft in zip(numbers, drafts, strict=True):
                values = new_task_fields(draft)
                task = Task(
                    **{field: _stored(field, value) for field, value in values.items()},
                    id=uuid7(), workspace_id=access.workspace_id, project_id=project_id, number=number,
                    reporter_id=actor_id, completed_at=completed_at_for(None, values["status"], at, None),
                    version=1, comment_count=0, created_at=at, updated_at=at,
                )  # fmt: skip
                tasks.append(task)
                links += [
                    TaskTag(id=uuid7(), task_id=task.id, tag_id=tag_id)
                    for tag_id in dict.fromkeys(draft.get("tag_ids", []))
                ]
                changes = {"title": [None, values["title"]]}
                entries.append((access.workspace_id, task.id, actor_id, ActivityKind.CREATED, changes))
            # Multi-row INSERTs: the same statements for 1 task or 100.
            await Task.insert(*tasks)
            if links:
                await TaskTag.insert(*links)
            await record_activity(entries)
            views = await queries.task_views(access.workspace_id, [task.id for task in tasks])
            created = [task_read(task) for task in views]
            events += [_task_event(EventKind.TASK_CREATED, task) for task in created]
        return created

    async def update(
        self,
        access: Access,
        actor_id: UUID,
        task_id: UUID,
        changes: Mapping[str, Any],
        preconditions: Preconditions = NO_PRECONDITIONS,
    ) -> TaskRead:
        async with self.writing_with_events(access) as events:
            task = await self._for_update(access, task_id)
            preconditions.check_write(task["version"])
            await self._check_references(access, [changes], prefix=None)
            before = _domain(task)
            wanted = {field: value for field, value in changes.items() if field in WRITABLE_TASK_FIELDS}
            if "tag_ids" in changes:
                links = await TaskTag.select(TaskTag.tag_id).where(TaskTag.task_id == task_id)
                before["tag_ids"] = sorted(link["tag_id"] for link in links)
                wanted["tag_ids"] = sorted(dict.fromkeys(changes["tag_ids"]))
            changed = changes_between(before, wanted)
            if changed:  # nothing changed: no new version, no activity, no event
                values = {field: _stored(field, wanted[field]) for field in changed.keys() & set(WRITABLE_TASK_FIELDS)}
                if "status" in changed:
                    values["completed_at"] = completed_at_for(
                        before["status"], wanted["status"], now(), task["completed_at"]
                    )
                await self._write_versioned(task, values)
                if "tag_ids" in changed:
                    await TaskTag.delete().where(TaskTag.task_id == task_id)
                    if wanted["tag_ids"]:
                        await TaskTag.insert(
                            *(TaskTag(id=uuid7(), task_id=task_id, tag_id=tag_id) for tag_id in wanted["tag_ids"])
                        )
                await record_activity([(access.workspace_id, task_id, actor_id, ActivityKind.UPDATED, changed)])
            updated = await self._view(access, task_id)
            if changed:
                events.append(_task_event(EventKind.TASK_UPDATED, updated, changed))
        return updated

    async def update_many(
        self, access: Access, actor_id: UUID, project_id: UUID, task_ids: Sequence[UUID], changes: Mapping[str, Any]
    ) -> list[TaskRead]:
        ids = list(dict.fromkeys(task_ids))
        async with self.writing_with_events(access) as events:
            tasks = await _locked(
                Task.select(
                    Task.id, Task.project_id, *(Task._meta.get_column_by_name(field) for field in WRITABLE_TASK_FIELDS)
                ).where(Task.id.is_in(ids), Task.workspace_id == access.workspace_id),
                is_sqlite=self.db.is_sqlite,
            )
            found = {task["id"] for task in tasks if task["project_id"] == project_id}
            check_all_in_project(task_ids, found)
            await self._check_references(access, [changes], prefix=None)
            changed_by_task: dict[UUID, dict[str, list[Any]]] = {}
            for task in tasks:
                changed = changes_between(_domain(task), changes)
                if changed:
                    changed_by_task[task["id"]] = changed
            if changed_by_task:
                await self._set_on_many(access, list(changed_by_task), changes)
                await record_activity(
                    [
                        (access.workspace_id, task_id, actor_id, ActivityKind.UPDATED, changed)
                        for task_id, changed in changed_by_task.items()
                    ]
                )
            updated = [task_read(task) for task in await queries.task_views(access.workspace_id, ids)]
            events += [
                _task_event(EventKind.TASK_UPDATED, task, changed_by_task[task.id])
                for task in updated
                if task.id in changed_by_task
            ]
        return updated

    async def move(
        self,
        access: Access,
        actor_id: UUID,
        task_id: UUID,
        target_project_id: UUID,
        preconditions: Preconditions = NO_PRECONDITIONS,
    ) -> TaskRead:
        async with self.writing_with_events(access) as events:
            task = await self._for_update(access, task_id)
            preconditions.check_write(task["version"])
            if target_project_id == task["project_id"]:  # no change: nothing written, no event
                return await self._view(access, task_id)
            target = (
                await Project.select(Project.id, Project.key)
                .where(Project.id == target_project_id, Project.workspace_id == access.workspace_id)
                .first()
            )
            if target is None:
                raise InvalidInput.on("project_id", "no project with this id in the task's workspace")
            [number] = await self._take_numbers(target["id"], 1)
            changed = {
                "project_id": [str(task["project_id"]), str(target["id"])],
                "number": [task["number"], number],
                "key": [task_key(task["project_key"], task["number"]), task_key(target["key"], number)],
            }
            await self._write_versioned(task, {"project_id": target["id"], "number": number})
            await record_activity([(access.workspace_id, task_id, actor_id, ActivityKind.MOVED, changed)])
            moved = await self._view(access, task_id)
            events.append(_task_event(EventKind.TASK_MOVED, moved, changed))
        return moved

    async def delete(self, access: Access, task_id: UUID, preconditions: Preconditions = NO_PRECONDITIONS) -> None:
        """The task is read first (its last state is the ``task.deleted`` event's data), and with
        conditional header fields read and locked to check them; then one DELETE: comments,
        activity and tag links go with it (ON DELETE CASCADE)."""
        async with self.writing_with_events(access) as events:
            if preconditions.sent:
                preconditions.check_write((await self._for_update(access, task_id))["version"])
            view = await queries.task_view(access.workspace_id, task_id)
            if view is None:
                raise NotFound("No task with this id")
            last_state = task_read(view)
            deleted = (
                await Task.delete()
                .where(Task.id == task_id, Task.workspace_id == access.workspace_id)
                .returning(Task.id)
            )
            if not deleted:
                raise NotFound("No task with this id")
            events.append(_task_event(EventKind.TASK_DELETED, last_state))

    # --- rules ---------------------------------------------------------------

    async def _for_update(self, access: Access, task_id: UUID) -> dict[str, Any]:
        """The task's row with its project's key, locked for the rest of the transaction."""
        task: dict[str, Any] | None = await _locked(
            Task.select(*Task._meta.columns, Task.project_id.key.as_alias("project_key")).where(
                Task.id == task_id, Task.workspace_id == access.workspace_id
            ),
            is_sqlite=self.db.is_sqlite,
        ).first()
        if task is None:
            raise NotFound("No task with this id")
        return task

    async def _view(self, access: Access, task_id: UUID) -> TaskRead:
        view = await queries.task_view(access.workspace_id, task_id)
        if view is None:  # locked and written in this transaction: only a bug gets here
            raise NotFound("No task with this id")
        return task_read(view)

    async def _write_versioned(self, task: dict[str, Any], values: dict[str, Any]) -> None:
        """UPDATE ... WHERE version = the version read: a change never lands on a version it did not see."""
        columns: dict[Column | str, Any] = {
            Task._meta.get_column_by_name(field): value for field, value in values.items()
        }
        written = await (
            Task.update({**columns, Task.version: task["version"] + 1, Task.updated_at: now()})
            .where(Task.id == task["id"], Task.version == task["version"])
            .returning(Task.id)
        )
        if not written:
            raise StaleVersion("The task changed meanwhile; reload it and retry")

    async def _set_on_many(self, access: Access, task_ids: list[UUID], changes: Mapping[str, Any]) -> None:
        """One UPDATE for a bulk change, however many tasks: each gets a new version and
        ``updated_at``; ``completed_at`` follows ``status`` per row."""
        at = now()
        values: dict[Any, Any] = {
            Task._meta.get_column_by_name(field): _stored(field, value) for field, value in changes.items()
        }
        values |= {Task.version: Task.version + 1, Task.updated_at: at}
        if "status" in changes:
            values[Task.completed_at] = (
                QueryString("CASE WHEN status = {} THEN completed_at ELSE {} END", Status.DONE.value, at)
                if changes["status"] is Status.DONE
                else None
            )
        await Task.update(values).where(Task.id.is_in(task_ids), Task.workspace_id == access.workspace_id)

    async def _take_numbers(self, project_id: UUID, count: int) -> range:
        """Reserve ``count`` task numbers: one atomic UPDATE, so concurrent creates never share
        a number, and numbers only grow, so none is ever reused. Not a change to the project:
        its ``updated_at`` stays."""
        [row] = await (
            Project.update({Project.last_task_number: Project.last_task_number + count})
            .where(Project.id == project_id)
            .returning(Project.last_task_number)
        )
        last = row["last_task_number"]
        return range(last - count + 1, last + 1)

    async def _check_references(
        self, access: Access, drafts: Sequence[Mapping[str, Any]], *, prefix: str | None
    ) -> None:
        """``domain.rules.check_references`` on the ids the workspace has (400 naming each offender)."""
        assignees, tag_ids = referenced_ids(drafts)
        members: set[UUID] = set()
        tags: set[UUID] = set()
        if assignees:
            rows = await Membership.select(Membership.user_id).where(
                Membership.workspace_id == access.workspace_id, Membership.user_id.is_in(list(assignees))
            )
            members = {row["user_id"] for row in rows}
        if tag_ids:
            rows = await Tag.select(Tag.id).where(Tag.workspace_id == access.workspace_id, Tag.id.is_in(list(tag_ids)))
            tags = {row["id"] for row in rows}
        check_references(drafts, members, tags, prefix=prefix)
