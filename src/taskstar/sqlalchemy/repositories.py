"""Queries, and nothing but queries: every SELECT the SQLAlchemy paths run lives here.

Repositories build on advanced-alchemy's generic repository (CRUD, filters,
error wrapping); the methods below add the reads the API needs, each shaped so
an endpoint runs a fixed number of statements whatever the page size.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import contains_eager

from taskstar.domain.roles import Role
from taskstar.sqlalchemy.models import Membership, User, Workspace


class UserRepository(SQLAlchemyAsyncRepository[User]):
    model_type = User

    async def by_email(self, email: str) -> User | None:
        return await self.get_one_or_none(User.email == email.lower())


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
        self, user_id: UUID, *, limit: int, offset: int
    ) -> tuple[Sequence[tuple[Workspace, Role]], int]:
        """The user's workspaces with their role in each, oldest first."""
        mine = (
            select(Workspace, Membership.role)
            .join(Membership, Membership.workspace_id == Workspace.id)
            .where(Membership.user_id == user_id)
        )
        page = mine.order_by(Workspace.created_at, Workspace.id).limit(limit).offset(offset)
        rows = (await self.session.execute(page)).tuples().all()
        return rows, await _count(self, mine)


class MembershipRepository(SQLAlchemyAsyncRepository[Membership]):
    model_type = Membership

    async def role_in_workspace(self, workspace_id: UUID, user_id: UUID) -> Membership | None:
        """The tenancy check behind every workspace-keyed route: one indexed lookup."""
        return await self.get_one_or_none(
            Membership.workspace_id == workspace_id, Membership.user_id == user_id
        )

    def _with_user(self) -> Select[tuple[Membership]]:
        return select(Membership).join(Membership.user).options(contains_eager(Membership.user))

    async def member(self, workspace_id: UUID, user_id: UUID) -> Membership | None:
        statement = self._with_user().where(
            Membership.workspace_id == workspace_id, Membership.user_id == user_id
        )
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


async def _count(repository: SQLAlchemyAsyncRepository[object], statement: Select[object]) -> int:
    """A separate ``count(*)``: on both databases cheaper than ``count(*) OVER ()`` on the page."""
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return (await repository.session.execute(counted)).scalar_one()
