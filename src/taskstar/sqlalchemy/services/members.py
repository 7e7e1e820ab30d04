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
from taskstar.sqlalchemy.models import Membership
from taskstar.sqlalchemy.reads import member_read, task_read

from ..repositories import (
    ActivityRepository,
    MembershipRepository,
    TaskRepository,
    UserRepository,
    WorkspaceRepository,
    activity_entry,
)
from .base import Service, repository


def _member_event(kind: EventKind, member: MemberRead, changes: dict[str, list[Any]] | None = None) -> EventDraft:
    return event_draft(kind, member, subject_id=member.user.id, project_id=None, changes=changes)


class MemberService(Service):
    memberships = repository(MembershipRepository)
    users = repository(UserRepository)
    workspaces = repository(WorkspaceRepository)
    tasks = repository(TaskRepository)
    activity = repository(ActivityRepository)

    async def page(self, access: Access, *, limit: int, offset: int) -> tuple[list[MemberRead], int]:
        rows, total = await self.memberships.page_in_workspace(access.workspace_id, limit=limit, offset=offset)
        return [member_read(member) for member in rows], total

    async def add(self, access: Access, *, email: str, role: Role) -> MemberRead:
        check_owner_rules(access.role, granting=role)
        user = await self.users.by_email(email)
        if user is None:
            raise InvalidInput.on("email", "No account has this email")
        if await self.memberships.role_in_workspace(access.workspace_id, user.id) is not None:
            raise already_a_member()
        member = await self.memberships.add(Membership(workspace_id=access.workspace_id, user_id=user.id, role=role))
        member.user = user
        added = member_read(member)
        await self.commit_with_events(access, [_member_event(EventKind.MEMBER_ADDED, added)])
        return added

    async def change_role(self, access: Access, user_id: UUID, role: Role) -> MemberRead:
        await self.workspaces.lock(access.workspace_id)
        member = await self._member(access, user_id)
        check_owner_rules(access.role, granting=role, target=member.role)
        if member.role is Role.OWNER and role is not Role.OWNER:
            check_owners_remain(await self.memberships.owner_count(access.workspace_id), losing_one=True)
        changes = {"role": [member.role.value, role.value]} if member.role is not role else {}
        member.role = role
        await self.session.flush()
        updated = member_read(member)
        await self.commit_with_events(
            access, [_member_event(EventKind.MEMBER_UPDATED, updated, changes)] if changes else []
        )
        return updated

    async def remove(self, access: Access, user_id: UUID) -> None:
        # Their tasks here lose their assignee: a task change like any other. Task rows are locked
        # before the workspace row, the order every writer takes them in (a task write locks its
        # task, then the workspace's event counter), so the two never wait on each other in a cycle.
        unassigned = await self.tasks.unassign(access.workspace_id, user_id)
        await self.workspaces.lock(access.workspace_id)
        member = await self._member(access, user_id)
        check_owner_rules(access.role, target=member.role)
        if member.role is Role.OWNER:
            check_owners_remain(await self.memberships.owner_count(access.workspace_id), losing_one=True)
        last_state = member_read(member)
        await self.session.delete(member)
        await self.session.flush()
        changes = {"assignee_id": [str(user_id), None]}
        await self.activity.record(
            [
                activity_entry(access.workspace_id, task_id, access.user_id, ActivityKind.UPDATED, changes)
                for task_id in unassigned
            ]
        )
        events = [_member_event(EventKind.MEMBER_REMOVED, last_state)]
        if unassigned:
            tasks = [task_read(task) for task in await self.tasks.views(access.workspace_id, unassigned)]
            events += [
                event_draft(
                    EventKind.TASK_UPDATED, task, subject_id=task.id, project_id=task.project_id, changes=changes
                )
                for task in tasks
            ]
        await self.commit_with_events(access, events)

    async def _member(self, access: Access, user_id: UUID) -> Membership:
        member = await self.memberships.member(access.workspace_id, user_id)
        if member is None:
            raise NotFound("No member with this user id in the workspace")
        return member
