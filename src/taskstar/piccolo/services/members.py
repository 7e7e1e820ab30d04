from __future__ import annotations

from typing import Any
from uuid import UUID

from taskstar.contract import MemberRead
from taskstar.domain.access import Membership as Access
from taskstar.domain.errors import InvalidInput, NotFound
from taskstar.domain.events import EventDraft, EventKind, event_draft
from taskstar.domain.members import check_owner_rules, check_owners_remain
from taskstar.domain.roles import Role
from taskstar.domain.rules import already_a_member
from taskstar.domain.tasks import ActivityKind
from taskstar.piccolo import queries
from taskstar.piccolo.reads import member_read, task_read
from taskstar.piccolo.tables import Membership, Task, User, Workspace

from .activity import record_activity
from .base import Service, now


def _with_user() -> Any:
    return Membership.select(
        Membership.id, Membership.user_id, Membership.user_id.name.as_alias("user_name"),
        Membership.user_id.email.as_alias("user_email"), Membership.role, Membership.created_at,
        Membership.updated_at,
    )  # fmt: skip


def _member_event(kind: EventKind, member: MemberRead, changes: dict[str, list[Any]] | None = None) -> EventDraft:
    return event_draft(kind, member, subject_id=member.user.id, project_id=None, changes=changes)


class MemberService(Service):
    """Members are read as rows with their user's name and email joined (``user_name``, ``user_email``)."""

    async def page(self, access: Access, *, limit: int, offset: int) -> tuple[list[MemberRead], int]:
        """Members with their user, in the order they joined."""
        in_workspace = Membership.workspace_id == access.workspace_id
        async with self.db.reading():
            rows = await (
                _with_user()
                .where(in_workspace)
                .order_by(Membership.created_at, Membership.id)
                .limit(limit)
                .offset(offset)
            )
            total = await Membership.count().where(in_workspace)
        return [member_read(row) for row in rows], total

    async def add(self, access: Access, *, email: str, role: Role) -> MemberRead:
        check_owner_rules(access.role, granting=role)
        async with self.writing_with_events(access) as events:
            user = await User.select(User.id, User.name, User.email).where(User.email == email.lower()).first()
            if user is None:
                raise InvalidInput.on("email", "No account has this email")
            if await Membership.exists().where(
                Membership.workspace_id == access.workspace_id, Membership.user_id == user["id"]
            ):
                raise already_a_member()
            member = Membership(workspace_id=access.workspace_id, user_id=user["id"], role=role.value)
            await member.save()
            added = member_read(_row(member, user["name"], user["email"]))
            events.append(_member_event(EventKind.MEMBER_ADDED, added))
        return added

    async def change_role(self, access: Access, user_id: UUID, role: Role) -> MemberRead:
        async with self.writing_with_events(access) as events:
            await self._lock_workspace(access.workspace_id)
            member = await self._member(access, user_id)
            current = Role(member["role"])
            check_owner_rules(access.role, granting=role, target=current)
            if current is Role.OWNER and role is not Role.OWNER:
                check_owners_remain(await self._owner_count(access.workspace_id), losing_one=True)
            if member["role"] != role.value:  # no change: nothing written, no event
                changes = {"role": [member["role"], role.value]}
                member |= {"role": role.value, "updated_at": now()}
                await Membership.update(
                    {Membership.role: role.value, Membership.updated_at: member["updated_at"]}
                ).where(Membership.id == member["id"])
                events.append(_member_event(EventKind.MEMBER_UPDATED, member_read(member), changes))
        return member_read(member)

    async def remove(self, access: Access, user_id: UUID) -> None:
        async with self.writing_with_events(access) as events:
            # Their tasks here lose their assignee: a task change like any other. Task rows are
            # locked before the workspace row, the order every writer takes them in (a task write
            # locks its task, then the workspace's event counter), so the two never wait on each
            # other in a cycle.
            unassigned = await (
                Task.update({Task.assignee_id: None, Task.version: Task.version + 1, Task.updated_at: now()})
                .where(Task.workspace_id == access.workspace_id, Task.assignee_id == user_id)
                .returning(Task.id)
            )
            await self._lock_workspace(access.workspace_id)
            member = await self._member(access, user_id)
            check_owner_rules(access.role, target=Role(member["role"]))
            if member["role"] == Role.OWNER:
                check_owners_remain(await self._owner_count(access.workspace_id), losing_one=True)
            last_state = member_read(member)
            await Membership.delete().where(Membership.id == member["id"])
            changes = {"assignee_id": [str(user_id), None]}
            await record_activity(
                [(access.workspace_id, row["id"], access.user_id, ActivityKind.UPDATED, changes) for row in unassigned]
            )
            events.append(_member_event(EventKind.MEMBER_REMOVED, last_state))
            if unassigned:
                tasks = await queries.task_views(access.workspace_id, [row["id"] for row in unassigned])
                events += [
                    event_draft(
                        EventKind.TASK_UPDATED, task, subject_id=task.id, project_id=task.project_id, changes=changes
                    )
                    for task in map(task_read, tasks)
                ]

    async def _lock_workspace(self, workspace_id: UUID) -> None:
        """Serialize changes to one workspace's owners (PostgreSQL row lock; SQLite write
        transactions are serialized already)."""
        if not self.db.is_sqlite:
            await Workspace.select(Workspace.id).where(Workspace.id == workspace_id).lock_rows()

    async def _owner_count(self, workspace_id: UUID) -> int:
        count: int = await Membership.count().where(
            Membership.workspace_id == workspace_id, Membership.role == Role.OWNER.value
        )
        return count

    async def _member(self, access: Access, user_id: UUID) -> dict[str, Any]:
        member: dict[str, Any] | None = (
            await _with_user()
            .where(Membership.workspace_id == access.workspace_id, Membership.user_id == user_id)
            .first()
        )
        if member is None:
            raise NotFound("No member with this user id in the workspace")
        return member


def _row(member: Membership, name: str, email: str) -> dict[str, Any]:
    return {
        "id": member.id,
        "user_id": member.user_id,
        "user_name": name,
        "user_email": email,
        "role": member.role,
        "created_at": member.created_at,
        "updated_at": member.updated_at,
    }
