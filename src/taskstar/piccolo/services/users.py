from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from taskstar.domain.access import Caller
from taskstar.domain.access import Membership as Access
from taskstar.domain.api_tokens import limits
from taskstar.domain.errors import AuthenticationFailed
from taskstar.domain.keys import email_key
from taskstar.domain.passwords import hash_password_async, verify_password_async
from taskstar.domain.resources import ResourceRef
from taskstar.domain.roles import Role
from taskstar.domain.rules import email_taken
from taskstar.piccolo import queries
from taskstar.piccolo.tables import User

from .base import Service


class UserService(Service):
    async def register(self, *, email: str, password: str, name: str) -> User:
        email = email_key(email)
        # Hash before the transaction: the write lock is held for two statements only.
        password_hash = await hash_password_async(password)
        async with self.db.writing():
            if await User.exists().where(User.email == email):
                raise email_taken()
            user = User(email=email, name=name, password_hash=password_hash)
            await user.save()
        return user

    async def authenticate(self, *, email: str, password: str) -> UUID:
        """The id of the user with these credentials; unknown email and wrong password fail alike."""
        user = await User.objects().where(User.email == email.lower()).first()
        if not await verify_password_async(user.password_hash if user else None, password) or user is None:
            raise AuthenticationFailed("Wrong email or password")
        return user.id

    async def caller(self, user_id: UUID, resource: ResourceRef | None) -> tuple[Caller, Access | None] | None:
        """The authenticated user and, for a workspace-owned resource, their membership there."""
        return _caller(await queries.caller(user_id, resource), resource, token=False)

    async def caller_by_token(
        self, token_hash: str, resource: ResourceRef | None, now: datetime
    ) -> tuple[Caller, Access | None] | None:
        """As :meth:`caller`, through an unexpired API token, the caller carrying its limits."""
        return _caller(await queries.caller_by_token(token_hash, resource, now), resource, token=True)


def _caller(
    row: dict[str, Any] | None, resource: ResourceRef | None, *, token: bool
) -> tuple[Caller, Access | None] | None:
    if row is None:
        return None
    caller = Caller(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        token=limits(row["token_id"], row["max_role"], row["workspace_ids"], row["last_used_at"]) if token else None,
    )
    if resource is None or row["role"] is None:
        return caller, None
    return caller, Access(workspace_id=row["workspace_id"], user_id=row["id"], role=Role(row["role"]))
