"""Queries, and nothing but queries: every SELECT the SQLAlchemy paths run lives here.

Repositories build on advanced-alchemy's generic repository (CRUD, filters,
error wrapping); the methods below add the reads the API needs, each shaped so
an endpoint runs a fixed number of statements whatever the page size.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import Select, Table, and_, bindparam, case, delete, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased, contains_eager, joinedload, load_only, selectinload

from taskstar.domain.events import EventDraft
from taskstar.domain.listing import TaskFilters
from taskstar.domain.resources import RESOURCES, ResourceKind, ResourceRef
from taskstar.domain.roles import Role
from taskstar.domain.tasks import ActivityKind, Priority, SortField, SortOrder, Status
from taskstar.sqlalchemy import keyset
from taskstar.sqlalchemy.models import (
    Activity,
    ApiToken,
    Comment,
    Event,
    Membership,
    Project,
    Tag,
    Task,
    User,
    Workspace,
    task_tag,
)

_Row = TypeVar("_Row", bound=tuple[Any, ...])


class UserRepository(SQLAlchemyAsyncRepository[User]):
    model_type = User

    async def caller(self, user_id: UUID, resource: ResourceRef | None) -> Row[Any] | None:
        """The user's public columns and, for a resource, their role and workspace there (or NULLs)."""
        statement = _CALLER[resource[0] if resource else None]
        parameters = {"user_id": user_id, "resource_id": resource[1] if resource else None}
        return (await self.session.execute(statement, parameters)).one_or_none()

    async def caller_by_token(self, token_hash: str, resource: ResourceRef | None, now: datetime) -> Row[Any] | None:
        """As :meth:`caller`, found by an unexpired API token's hash, with the token's limits."""
        statement = _TOKEN_CALLER[resource[0] if resource else None]
        parameters = {"token_hash": token_hash, "now": now, "resource_id": resource[1] if resource else None}
        return (await self.session.execute(statement, parameters)).one_or_none()

    async def by_email(self, email: str) -> User | None:
        return await self.get_one_or_none(User.email == email.lower())


class ApiTokenRepository(SQLAlchemyAsyncRepository[ApiToken]):
    model_type = ApiToken

    async def page_for_user(self, user_id: UUID, *, limit: int, offset: int) -> tuple[Sequence[ApiToken], int]:
        """The user's tokens, newest first."""
        mine = select(ApiToken).where(ApiToken.user_id == user_id)
        page = mine.order_by(ApiToken.created_at.desc(), ApiToken.id.desc()).limit(limit).offset(offset)
        return (await self.session.execute(page)).scalars().all(), await _count(self, mine)

    async def remove_owned(self, user_id: UUID, token_id: UUID) -> bool:
        """Delete the user's token; ``False`` when they have no token with this id."""
        statement = delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id).returning(ApiToken.id)
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def record_uses(self, uses: Mapping[UUID, datetime], resolution: timedelta) -> None:
        """Set ``last_used_at`` per token, unless another writer set it less than ``resolution`` earlier."""
        parameters = [{"token_id": token_id, "used_at": used_at, "since": used_at - resolution}
                      for token_id, used_at in uses.items()]  # fmt: skip
        await self.session.execute(_RECORD_USE, parameters)


class WorkspaceRepository(SQLAlchemyAsyncRepository[Workspace]):
    model_type = Workspace

    async def slug_taken(self, slug: str) -> bool:
        return await self.exists(Workspace.slug == slug)

    async def lock(self, workspace_id: UUID) -> None:
        """Serialize changes to one workspace's owners (PostgreSQL row lock; SQLite
        write transactions are serialized already)."""
        await self.session.execute(select(Workspace.id).where(Workspace.id == workspace_id).with_for_update())

    async def remove(self, workspace_id: UUID) -> None:
        """One DELETE; the database cascades to everything the workspace owns."""
        await self.session.execute(delete(Workspace).where(Workspace.id == workspace_id))

    async def page_for_user(
        self, user_id: UUID, *, limit: int, offset: int, only: Collection[UUID] | None = None
    ) -> tuple[Sequence[tuple[Workspace, Role]], int]:
        """The user's workspaces with their role in each, oldest first; ``only`` these, if given."""
        mine = (
            select(Workspace, Membership.role)
            .join(Membership, Membership.workspace_id == Workspace.id)
            .where(Membership.user_id == user_id)
        )
        if only is not None:
            mine = mine.where(Workspace.id.in_(only))
        page = mine.order_by(Workspace.created_at, Workspace.id).limit(limit).offset(offset)
        rows = (await self.session.execute(page)).tuples().all()
        return rows, await _count(self, mine)


class MembershipRepository(SQLAlchemyAsyncRepository[Membership]):
    model_type = Membership

    async def role_in_workspace(self, workspace_id: UUID, user_id: UUID) -> Membership | None:
        """The tenancy check behind every workspace-keyed route: one indexed lookup."""
        parameters = {"workspace_id": workspace_id, "user_id": user_id}
        return (await self.session.execute(_MEMBERSHIP, parameters)).scalar_one_or_none()

    async def workspaces_among(self, user_id: UUID, workspace_ids: Collection[UUID]) -> set[UUID]:
        """Which of ``workspace_ids`` the user is a member of."""
        statement = select(Membership.workspace_id).where(
            Membership.user_id == user_id, Membership.workspace_id.in_(workspace_ids)
        )
        return set((await self.session.execute(statement)).scalars().all())

    def _with_user(self) -> Select[tuple[Membership]]:
        return select(Membership).join(Membership.user).options(contains_eager(Membership.user))

    async def member(self, workspace_id: UUID, user_id: UUID) -> Membership | None:
        statement = self._with_user().where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def page_in_workspace(
        self, workspace_id: UUID, *, limit: int, offset: int
    ) -> tuple[Sequence[Membership], int]:
        """Members with their user, in the order they joined."""
        statement = (
            self._with_user()
            .where(Membership.workspace_id == workspace_id)
            .order_by(Membership.created_at, Membership.id)
            .limit(limit)
            .offset(offset)
        )
        members = (await self.session.execute(statement)).scalars().all()
        total = await self.count(Membership.workspace_id == workspace_id)
        return members, total

    async def owner_count(self, workspace_id: UUID) -> int:
        return await self.count(Membership.workspace_id == workspace_id, Membership.role == Role.OWNER)

    async def users_among_members(self, workspace_id: UUID, user_ids: set[UUID]) -> set[UUID]:
        if not user_ids:
            return set()
        statement = select(Membership.user_id).where(
            Membership.workspace_id == workspace_id, Membership.user_id.in_(user_ids)
        )
        return set((await self.session.execute(statement)).scalars())


# The model owning each addressed resource kind, found by the resource table's SQL table
# (a workspace owns itself: it is no key here).
_MODELS_BY_TABLE: dict[str, type[Project] | type[Task] | type[Tag] | type[Comment]] = {
    model.__tablename__: model for model in (Project, Task, Tag, Comment)
}
_OWNED = {resource.kind: _MODELS_BY_TABLE[resource.table] for resource in RESOURCES if not resource.is_workspace}


class ProjectRepository(SQLAlchemyAsyncRepository[Project]):
    model_type = Project

    async def in_workspace(self, workspace_id: UUID, project_id: UUID) -> Project | None:
        return await self.get_one_or_none(Project.id == project_id, Project.workspace_id == workspace_id)

    async def key_taken(self, workspace_id: UUID, key: str) -> bool:
        return await self.exists(Project.workspace_id == workspace_id, Project.key == key)

    async def page_in_workspace(self, workspace_id: UUID, *, limit: int, offset: int) -> tuple[Sequence[Project], int]:
        statement = (
            select(Project)
            .where(Project.workspace_id == workspace_id)
            .order_by(Project.key, Project.id)
            .limit(limit)
            .offset(offset)
        )
        projects = (await self.session.execute(statement)).scalars().all()
        return projects, await self.count(Project.workspace_id == workspace_id)

    async def take_numbers(self, project_id: UUID, count: int) -> range:
        """Reserve ``count`` task numbers: one atomic UPDATE, so concurrent creates never share
        a number, and numbers only grow, so none is ever reused."""
        statement = (
            update(Project)
            .where(Project.id == project_id)
            # Handing out numbers is not a change to the project: keep updated_at (no onupdate).
            .values(last_task_number=Project.last_task_number + count, updated_at=Project.updated_at)
            .returning(Project.last_task_number)
            .execution_options(synchronize_session=False)
        )
        last = (await self.session.execute(statement)).scalar_one()
        return range(last - count + 1, last + 1)


class TagRepository(SQLAlchemyAsyncRepository[Tag]):
    model_type = Tag

    async def in_workspace(self, workspace_id: UUID, tag_id: UUID) -> Tag | None:
        return await self.get_one_or_none(Tag.id == tag_id, Tag.workspace_id == workspace_id)

    async def name_taken(self, workspace_id: UUID, name: str) -> bool:
        return await self.exists(Tag.workspace_id == workspace_id, Tag.name_key == name.lower())

    async def page_in_workspace(self, workspace_id: UUID, *, limit: int, offset: int) -> tuple[Sequence[Tag], int]:
        statement = (
            select(Tag)
            .where(Tag.workspace_id == workspace_id)
            .order_by(Tag.name_key, Tag.id)
            .limit(limit)
            .offset(offset)
        )
        tags = (await self.session.execute(statement)).scalars().all()
        return tags, await self.count(Tag.workspace_id == workspace_id)

    async def many_in_workspace(self, workspace_id: UUID, tag_ids: set[UUID]) -> dict[UUID, Tag]:
        if not tag_ids:
            return {}
        statement = select(Tag).where(Tag.workspace_id == workspace_id, Tag.id.in_(tag_ids))
        return {tag.id: tag for tag in (await self.session.execute(statement)).scalars()}


def _with_write_shape(statement: Select[tuple[Task]]) -> Select[tuple[Task]]:
    """What a change needs of a task entity: its tags (to diff them) and its project's key."""
    return statement.options(joinedload(Task.project).options(load_only(Project.key)), selectinload(Task.tags))


@dataclass(slots=True)
class TaskView:
    """A task as responses show it, read with Core: no entities, no identity map.

    ``row`` has the task's columns plus ``project_key``, ``assignee_name`` and
    ``reporter_name``; ``tags`` are ``(id, name, color)`` rows.
    """

    row: Row[Any]
    tags: list[Row[Any]]


_Assignee, _Reporter = aliased(User), aliased(User)
_VIEW = (
    select(
        Task.id, Task.project_id, Task.number, Project.key.label("project_key"), Task.title, Task.description,
        Task.status, Task.priority, Task.assignee_id, _Assignee.name.label("assignee_name"), Task.reporter_id,
        _Reporter.name.label("reporter_name"), Task.due_date, Task.position, Task.version, Task.completed_at,
        Task.comment_count, Task.created_at, Task.updated_at,
    )
    .join(Project, Project.id == Task.project_id)
    .outerjoin(_Assignee, _Assignee.id == Task.assignee_id)
    .outerjoin(_Reporter, _Reporter.id == Task.reporter_id)
)  # fmt: skip
_TAGS_OF = (
    select(task_tag.c.task_id, Tag.id, Tag.name, Tag.color)
    .join(Tag, Tag.id == task_tag.c.tag_id)
    .where(task_tag.c.task_id.in_(bindparam("task_ids", expanding=True)))
    .order_by(Tag.name_key)
)


def _sort_keys(sort: SortField, order: SortOrder) -> list[keyset.SortKey]:
    descending = order is SortOrder.DESC
    column = {
        SortField.NUMBER: Task.number,
        SortField.CREATED_AT: Task.created_at,
        SortField.UPDATED_AT: Task.updated_at,
        SortField.DUE_DATE: Task.due_date,
        SortField.PRIORITY: Task.priority,
        SortField.POSITION: Task.position,
    }[sort]
    python_type = {
        SortField.NUMBER: int,
        SortField.CREATED_AT: datetime,
        SortField.UPDATED_AT: datetime,
        SortField.DUE_DATE: date | None,
        SortField.PRIORITY: Priority,
        SortField.POSITION: float,
    }[sort]
    keys = []
    if sort is SortField.DUE_DATE:
        # Tasks without a due date sort last in both directions.
        missing = case((Task.due_date.is_(None), 1), else_=0)
        keys.append(keyset.SortKey(missing, False, lambda task: int(task.due_date is None), int))
    keys.append(keyset.SortKey(column, descending, lambda task: getattr(task, sort.value), python_type))
    keys.append(keyset.SortKey(Task.id, descending, lambda task: task.id, UUID))  # the tie-break
    return keys


def _filtered(statement: Select[_Row], filters: TaskFilters) -> Select[_Row]:
    if filters.statuses:
        statement = statement.where(Task.status.in_(filters.statuses))
    if filters.priorities:
        statement = statement.where(Task.priority.in_(filters.priorities))
    if filters.unassigned:
        statement = statement.where(Task.assignee_id.is_(None))
    elif filters.assignee is not None:
        statement = statement.where(Task.assignee_id == filters.assignee)
    if filters.tag_ids:
        tagged = select(task_tag.c.task_id).where(task_tag.c.tag_id.in_(filters.tag_ids))
        statement = statement.where(Task.id.in_(tagged))
    if filters.text:
        statement = statement.where(
            or_(
                Task.title.icontains(filters.text, autoescape=True),
                Task.description.icontains(filters.text, autoescape=True),
            )
        )
    if filters.due_before is not None:
        statement = statement.where(Task.due_date < filters.due_before)
    if filters.due_after is not None:
        statement = statement.where(Task.due_date > filters.due_after)
    if filters.updated_after is not None:
        statement = statement.where(Task.updated_at > filters.updated_after)
    return statement


# Hot-path statements are built once. SQLAlchemy memoizes a statement's cache key on the
# statement object, so executing the same object with new parameters skips generating the
# key, which was 18% of the CPU of GET /api/tasks/{id} (py-spy, PostgreSQL, 32 connections).
def _caller_statement(kind: ResourceKind | None, *, by_token: bool = False) -> Select[Any]:
    """The caller, LEFT JOINed to their membership in the workspace owning the resource; found by
    id, or ``by_token`` by an unexpired API token's hash, with the token's limits."""
    caller = select(User.id, User.email, User.name, User.created_at, User.updated_at)
    if by_token:
        caller = (
            caller.add_columns(
                ApiToken.id.label("token_id"), ApiToken.max_role, ApiToken.workspace_ids, ApiToken.last_used_at
            )
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.expires_at > bindparam("now"))
        )
    else:
        caller = caller.where(User.id == bindparam("user_id"))
    if kind is None:
        return caller
    workspace_id = (
        bindparam("resource_id")
        if kind == "workspace"
        else select(_OWNED[kind].workspace_id).where(_OWNED[kind].id == bindparam("resource_id")).scalar_subquery()
    )
    return caller.add_columns(Membership.workspace_id, Membership.role).outerjoin(
        Membership, and_(Membership.user_id == User.id, Membership.workspace_id == workspace_id)
    )


_CALLER = {kind: _caller_statement(kind) for kind in (None, "workspace", *_OWNED)}


_TOKEN_CALLER = {kind: _caller_statement(kind, by_token=True) for kind in (None, "workspace", *_OWNED)}


def _core_table(model: type[Task] | type[ApiToken]) -> Table:
    """A model's Core table. Declarative typing has ``__table__`` as any FromClause; a class
    mapped to a table has a Table there."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


#: The tasks' Core table, for UPDATEs that skip the ORM's ``onupdate``.
_TASK_TABLE = _core_table(Task)

# Core, not ORM: an executemany UPDATE with its own WHERE (the ORM's bulk UPDATE wants primary keys).
_API_TOKEN_TABLE = _core_table(ApiToken)
_API_TOKEN = _API_TOKEN_TABLE.c
_RECORD_USE = (
    update(_API_TOKEN_TABLE)
    .where(
        _API_TOKEN.id == bindparam("token_id"),
        or_(_API_TOKEN.last_used_at.is_(None), _API_TOKEN.last_used_at <= bindparam("since")),
    )
    # updated_at stays: a use is not a change of the token (Core would apply the column's onupdate).
    .values(last_used_at=bindparam("used_at"), updated_at=_API_TOKEN.updated_at)
)
_MEMBERSHIP = select(Membership).where(
    Membership.workspace_id == bindparam("workspace_id"), Membership.user_id == bindparam("user_id")
)
_TASK_ALONE_FOR_UPDATE = (
    select(Task)
    .where(Task.id == bindparam("task_id"), Task.workspace_id == bindparam("workspace_id"))
    .with_for_update(of=Task)
)
_TASK_FOR_UPDATE = _with_write_shape(_TASK_ALONE_FOR_UPDATE)
_TASKS_FOR_UPDATE = (
    select(Task)
    .where(Task.id.in_(bindparam("task_ids", expanding=True)), Task.workspace_id == bindparam("workspace_id"))
    .with_for_update(of=Task)
)
_VIEW_BY_ID = _VIEW.where(Task.id == bindparam("task_id"), Task.workspace_id == bindparam("workspace_id"))
_TAGS_OF_ONE = (
    select(task_tag.c.task_id, Tag.id, Tag.name, Tag.color)
    .join(Tag, Tag.id == task_tag.c.tag_id)
    .where(task_tag.c.task_id == bindparam("task_id"))
    .order_by(Tag.name_key)
)
_VIEWS_BY_IDS = _VIEW.where(
    Task.id.in_(bindparam("task_ids", expanding=True)), Task.workspace_id == bindparam("workspace_id")
)


class TaskRepository(SQLAlchemyAsyncRepository[Task]):
    model_type = Task

    async def for_update(self, workspace_id: UUID, task_id: UUID, *, with_tags: bool) -> Task | None:
        """The task entity, locked for the rest of the transaction (PostgreSQL; SQLite writes are
        serialized), with its tags and project key only when the change needs them."""
        statement = _TASK_FOR_UPDATE if with_tags else _TASK_ALONE_FOR_UPDATE
        parameters = {"task_id": task_id, "workspace_id": workspace_id}
        return (await self.session.execute(statement, parameters)).unique().scalar_one_or_none()

    async def many_for_update(self, workspace_id: UUID, task_ids: Sequence[UUID]) -> list[Task]:
        """Tasks for a bulk change (status, priority, assignee: no tags needed)."""
        parameters = {"task_ids": list(set(task_ids)), "workspace_id": workspace_id}
        return list((await self.session.execute(_TASKS_FOR_UPDATE, parameters)).scalars())

    async def views(self, workspace_id: UUID, task_ids: Sequence[UUID]) -> list[TaskView]:
        """Tasks as responses show them, in the order of ``task_ids``: two statements however many."""
        parameters = {"task_ids": list(set(task_ids)), "workspace_id": workspace_id}
        rows = {row.id: row for row in await self.session.execute(_VIEWS_BY_IDS, parameters)}
        ordered = [rows[task_id] for task_id in task_ids if task_id in rows]
        return await self._with_tags(ordered)

    async def view(self, workspace_id: UUID, task_id: UUID) -> TaskView | None:
        """One task (statements without IN lists: SQLAlchemy re-renders those on every execution)."""
        parameters = {"task_id": task_id, "workspace_id": workspace_id}
        row = (await self.session.execute(_VIEW_BY_ID, parameters)).one_or_none()
        if row is None:
            return None
        return TaskView(row, list(await self.session.execute(_TAGS_OF_ONE, {"task_id": task_id})))

    async def _with_tags(self, rows: list[Row[Any]]) -> list[TaskView]:
        if not rows:
            return []
        tags: dict[UUID, list[Row[Any]]] = {}
        for tag in await self.session.execute(_TAGS_OF, {"task_ids": [row.id for row in rows]}):
            tags.setdefault(tag.task_id, []).append(tag)
        return [TaskView(row, tags.get(row.id, [])) for row in rows]

    async def page(
        self,
        workspace_id: UUID,
        project_id: UUID,
        filters: TaskFilters,
        sort: SortField,
        order: SortOrder,
        *,
        limit: int,
        offset: int,
        after: list[Any] | None,
    ) -> tuple[list[TaskView], int, list[Any] | None]:
        """A page of tasks, the total matching, and the sort values to continue after (None at the end)."""
        scope = (Task.workspace_id == workspace_id, Task.project_id == project_id)
        keys = _sort_keys(sort, order)
        statement = _filtered(_VIEW.where(*scope), filters).order_by(*keyset.order_by(keys)).limit(limit + 1)
        statement = keyset.seek(statement, keys, after) if after is not None else statement.offset(offset)
        rows = list(await self.session.execute(statement))
        more = len(rows) > limit
        rows = rows[:limit]
        total = await _count(self, _filtered(select(Task.id).where(*scope), filters))
        return await self._with_tags(rows), total, keyset.cursor_values(rows[-1], keys) if more else None

    async def insert_rows(self, rows: list[dict[str, Any]], tag_links: list[dict[str, Any]]) -> None:
        """New tasks and their tag links, one multi-row INSERT each."""
        await self.session.execute(insert(Task), rows)
        if tag_links:
            await self.session.execute(insert(task_tag), tag_links)

    async def set_on_many(self, workspace_id: UUID, task_ids: list[UUID], values: Mapping[str, Any]) -> None:
        """One UPDATE for a bulk change, however many tasks: each gets a new version and
        ``updated_at``; ``completed_at`` follows ``status`` per row."""
        now = datetime.now(UTC)
        assignments: dict[str, Any] = {**values, "version": Task.version + 1, "updated_at": now}
        if "status" in values:
            entering_done = case((Task.status == Status.DONE, Task.completed_at), else_=now)
            assignments["completed_at"] = entering_done if values["status"] is Status.DONE else None
        await self.session.execute(
            update(Task)
            .where(Task.workspace_id == workspace_id, Task.id.in_(task_ids))
            .values(assignments)
            .execution_options(synchronize_session=False)
        )

    async def remove(self, workspace_id: UUID, task_id: UUID) -> bool:
        """One DELETE; comments, activity and tag links go with it (ON DELETE CASCADE)."""
        result = await self.session.execute(delete(Task).where(Task.id == task_id, Task.workspace_id == workspace_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]  # a DML statement's Result is a CursorResult

    async def bump_comment_count(self, task_id: UUID, by: int) -> UUID | None:
        """Comments are not task changes: no version bump, no ``updated_at``. Returns the task's
        project id, ``None`` when the task is gone; its row stays locked (PostgreSQL) until the
        transaction ends."""
        result = await self.session.execute(
            update(_TASK_TABLE)
            .where(_TASK_TABLE.c.id == task_id)
            .values(comment_count=_TASK_TABLE.c.comment_count + by, updated_at=_TASK_TABLE.c.updated_at)
            .returning(_TASK_TABLE.c.project_id)
        )
        return result.scalar_one_or_none()

    async def unassign(self, workspace_id: UUID, user_id: UUID) -> list[UUID]:
        """Unassign a user's tasks in a workspace; returns the ids changed."""
        table = _TASK_TABLE
        changed = (
            await self.session.execute(
                update(table)
                .where(table.c.workspace_id == workspace_id, table.c.assignee_id == user_id)
                .values(assignee_id=None, version=table.c.version + 1, updated_at=datetime.now(UTC))
                .returning(table.c.id)
            )
        ).scalars()
        return list(changed)


class CommentRepository(SQLAlchemyAsyncRepository[Comment]):
    model_type = Comment

    async def one(self, workspace_id: UUID, comment_id: UUID) -> tuple[Comment, UUID] | None:
        """The comment with its author, and its task's project id (events name the project)."""
        statement = (
            select(Comment, Task.project_id)
            .join(Task, Task.id == Comment.task_id)
            .options(joinedload(Comment.author).options(load_only(User.id, User.name)))
            .where(Comment.id == comment_id, Comment.workspace_id == workspace_id)
        )
        row = (await self.session.execute(statement)).tuples().one_or_none()
        return (row[0], row[1]) if row is not None else None

    async def page_for_task(self, task_id: UUID, *, limit: int, offset: int) -> tuple[Sequence[Comment], int]:
        statement = (
            select(Comment)
            .options(joinedload(Comment.author).options(load_only(User.id, User.name)))
            .where(Comment.task_id == task_id)
            .order_by(Comment.created_at, Comment.id)
            .limit(limit)
            .offset(offset)
        )
        comments = (await self.session.execute(statement)).scalars().all()
        return comments, await self.count(Comment.task_id == task_id)


def activity_entry(
    workspace_id: UUID, task_id: UUID, actor_id: UUID, kind: ActivityKind, changes: dict[str, list[Any]]
) -> dict[str, Any]:
    """One row for :meth:`ActivityRepository.record`."""
    return {"workspace_id": workspace_id, "task_id": task_id, "actor_id": actor_id, "kind": kind, "changes": changes}


class ActivityRepository(SQLAlchemyAsyncRepository[Activity]):
    model_type = Activity

    async def record(self, rows: list[dict[str, Any]]) -> None:
        """Activity rows in one INSERT, in the transaction of the change they describe."""
        if rows:
            await self.session.execute(insert(Activity), rows)

    async def page_for_task(self, task_id: UUID, *, limit: int, offset: int) -> tuple[Sequence[Activity], int]:
        statement = (
            select(Activity)
            .options(joinedload(Activity.actor).options(load_only(User.id, User.name)))
            .where(Activity.task_id == task_id)
            .order_by(Activity.created_at, Activity.id)
            .limit(limit)
            .offset(offset)
        )
        rows = (await self.session.execute(statement)).scalars().all()
        return rows, await self.count(Activity.task_id == task_id)


class EventRepository(SQLAlchemyAsyncRepository[Event]):
    model_type = Event

    async def record(self, workspace_id: UUID, actor_id: UUID, drafts: Sequence[EventDraft]) -> None:
        """Number ``drafts`` with the workspace's next sequence values and insert them: two
        statements, meant as the transaction's last before its commit. The counter's UPDATE holds
        the workspace row (PostgreSQL) or the write lock (SQLite) until the transaction ends, so
        sequence order is commit order (``taskstar.domain.events``)."""
        if not drafts:
            return
        take = (
            update(Workspace)
            .where(Workspace.id == workspace_id)
            # Numbering events is not a change to the workspace: keep updated_at (no onupdate).
            .values(event_sequence=Workspace.event_sequence + len(drafts), updated_at=Workspace.updated_at)
            .returning(Workspace.event_sequence)
            .execution_options(synchronize_session=False)
        )
        last = (await self.session.execute(take)).scalar_one()
        now = datetime.now(UTC)
        rows = [
            {
                "workspace_id": workspace_id,
                "sequence": sequence,
                "kind": event.kind,
                "project_id": event.project_id,
                "subject_id": event.subject_id,
                "actor_id": actor_id,
                "data": event.data,
                "changes": event.changes,
                "created_at": now,
                "updated_at": now,
            }
            for sequence, event in zip(range(last - len(drafts) + 1, last + 1), drafts, strict=True)
        ]
        await self.session.execute(insert(Event), rows)

    async def after(self, workspace_id: UUID, after: int, limit: int) -> Sequence[Event]:
        """Up to ``limit`` events numbered above ``after``, oldest first, with their actors."""
        statement = (
            select(Event)
            .options(joinedload(Event.actor).options(load_only(User.id, User.name)))
            .where(Event.workspace_id == workspace_id, Event.sequence > after)
            .order_by(Event.sequence)
            .limit(limit)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def audience(
        self, workspace_id: UUID, user_ids: Collection[UUID], token_ids: Collection[UUID], now: datetime
    ) -> tuple[set[UUID], set[UUID]]:
        """Members of the workspace among ``user_ids``; live API tokens among ``token_ids``."""
        members = select(Membership.user_id).where(
            Membership.workspace_id == workspace_id, Membership.user_id.in_(list(user_ids))
        )
        found = set((await self.session.execute(members)).scalars()) if user_ids else set()
        if not token_ids:
            return found, set()
        tokens = select(ApiToken.id).where(ApiToken.id.in_(list(token_ids)), ApiToken.expires_at > now)
        return found, set((await self.session.execute(tokens)).scalars())

    async def newest(self, workspace_id: UUID) -> int:
        """The last sequence number given in the workspace (0 before its first event)."""
        statement = select(Workspace.event_sequence).where(Workspace.id == workspace_id)
        return (await self.session.execute(statement)).scalar_one_or_none() or 0

    async def expired_through(self, cutoff: datetime) -> list[tuple[UUID, int]]:
        """Per workspace with events created before ``cutoff``: the highest such sequence. Pruning
        deletes up to it, so what stays of a feed is a contiguous suffix, which is what lets a reader
        tell a pruned cursor (410) from an empty page."""
        statement = (
            select(Event.workspace_id, func.max(Event.sequence))
            .where(Event.created_at < cutoff)
            .group_by(Event.workspace_id)
        )
        return [(workspace_id, through) for workspace_id, through in (await self.session.execute(statement)).all()]

    async def delete_through(self, workspace_id: UUID, through: int, batch: int) -> int:
        """Delete the workspace's ``batch`` lowest-numbered events up to ``through`` (lowest first,
        so the feed never has a hole); returns how many went."""
        doomed = (
            select(Event.id)
            .where(Event.workspace_id == workspace_id, Event.sequence <= through)
            .order_by(Event.sequence)
            .limit(batch)
        )
        result = await self.session.execute(delete(Event).where(Event.id.in_(doomed)))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _count(repository: SQLAlchemyAsyncRepository[Any], statement: Select[Any]) -> int:
    """A separate ``count(*)``: on both databases cheaper than ``count(*) OVER ()`` on the page."""
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return (await repository.session.execute(counted)).scalar_one()
