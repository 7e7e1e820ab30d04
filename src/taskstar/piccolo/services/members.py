from __future__ import annotations

from typing import Any
from uuid import UUID

from taskstar.contract import MemberRead
from taskstar.domain.access import Membership as Access
from taskstar.domain.errors import InvalidInput, NotFound
from taskstar.domain.members import check_owner_rules, check_owners_remain
from taskstar.domain.roles import Role
from taskstar.domain.rules import already_a_member
from taskstar.domain.tasks import ActivityKind
from taskstar.piccolo.reads import member_read
from taskstar.piccolo.tables import Membership, Task, User, Workspace

from .activity import record_activity
from .base import Service, now


def _with_user() -> Any:
    return Membership.select(
        Membership.id, Membership.user_id, Membership.user_id.name.as_alias("user_name"),
        Membership.user_id.email.as_alias("user_email"), Membership.role, Membership.created_at,
        Membership.updated_at,
    )  # fmt: skip


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
        async with self.db.writing():
            user = await User.select(User.id, User.name, User.email).where(User.email == email.lower()).first()
            if user is None:
                raise InvalidInput.on("email", "No account has this email")
            if await Membership.exists().where(
                Membership.workspace_id == access.workspace_id, Membership.user_id == user["id"]
            ):
                raise already_a_member()
            member = Membership(workspace_id=access.workspace_id, user_id=user["id"], role=role.value)
            await member.save()
        return member_read(_row(member, user["name"], user["email"]))

    async def change_role(self, access: Access, user_id: UUID, role: Role) -> MemberRead:
        async with self.db.writing():
            await self._lock_workspace(access.workspace_id)
            member = await self._member(access, user_id)
            current = Role(member["role"])
            check_owner_rules(access.role, granting=role, target=current)
            if current is Role.OWNER and role is not Role.OWNER:
                check_owners_remain(await self._owner_count(access.workspace_id), losing_one=True)
            if member["role"] != role.value:
                member |= {"role": role.value, "updated_at": now()}
                await Membership.update(
                    {Membership.role: role.value, Membership.updated_at: member["updated_at"]}
                ).where(Membership.id == member["id"])
        return member_read(member)

    async def remove(self, access: Access, user_id: UUID) -> None:
        async with self.db.writing():
            await self._lock_workspace(access.workspace_id)
            member = await self._member(access, user_id)
            check_owner_rules(access.role, target=Role(member["role"]))
            if member["role"] == Role.OWNER:
                check_owners_remain(await self._owner_count(access.workspace_id), losing_one=True)
            await Membership.delete().where(Membership.id == member["id"])
            # Their tasks here lose their assignee: a task change like any other.
            unassigned = await (
                Task.update({Task.assignee_id: None, Task.version: Task.version + 1, Task.updated_at: now()})
                .where(Task.workspace_id == access.workspace_id, Task.assignee_id == user_id)
                .returning(Task.id)
            )
            changes = {"assignee_id": [str(user_id), None]}
            await record_activity(
                [(access.workspace_id, row["id"], access.user_id, ActivityKind.UPDATED, changes) for row in unassigned]
            )

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
