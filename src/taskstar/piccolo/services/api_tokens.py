from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from taskstar.contract import ApiTokenCreated, ApiTokenRead, present, token_created
from taskstar.domain.api_tokens import LAST_USED_RESOLUTION, check_own_workspaces, draft_token
from taskstar.domain.errors import NotFound
from taskstar.piccolo.tables import ApiToken, Membership

from .base import Service

#: What a listing shows of a token: every column but its hash and owner.
_LISTED = (
    ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.workspace_ids, ApiToken.max_role, ApiToken.expires_at,
    ApiToken.created_at, ApiToken.updated_at, ApiToken.last_used_at,
)  # fmt: skip


class ApiTokenService(Service):
    """Personal API tokens, stored as their hash (``taskstar.domain.api_tokens`` makes them)."""

    async def create(self, user_id: UUID, fields: Mapping[str, Any], now: datetime) -> ApiTokenCreated:
        """A new token for the user, limited to workspaces of theirs; its secret returned this once."""
        draft = draft_token(fields, now)
        stored_workspace_ids = draft.stored_workspace_ids
        async with self.db.writing():
            if draft.workspace_ids is not None:
                own = await Membership.select(Membership.workspace_id).where(
                    Membership.user_id == user_id, Membership.workspace_id.is_in(draft.workspace_ids)
                )
                check_own_workspaces(draft.workspace_ids, {row["workspace_id"] for row in own})
            token = ApiToken(
                user_id=user_id,
                name=draft.name,
                token_hash=draft.hash,
                prefix=draft.prefix,
                workspace_ids=None if stored_workspace_ids is None else json.dumps(stored_workspace_ids),
                max_role=draft.max_role.value,
                expires_at=draft.expires_at,
            )
            await token.save()
        row = token.to_dict() | {"workspace_ids": stored_workspace_ids}
        return token_created(present(row, ApiTokenRead), draft.secret)

    async def page_for(self, user_id: UUID, *, limit: int, offset: int) -> tuple[list[ApiTokenRead], int]:
        """The user's tokens, newest first, and how many they have."""
        mine = ApiToken.user_id == user_id
        async with self.db.reading():
            rows = await (
                ApiToken.select(*_LISTED)
                .where(mine)
                .order_by(ApiToken.created_at, ApiToken.id, ascending=False)
                .limit(limit)
                .offset(offset)
                .output(load_json=True)
            )
            total = await ApiToken.count().where(mine)
        return [present(row, ApiTokenRead) for row in rows], total

    async def revoke(self, user_id: UUID, token_id: UUID) -> None:
        """Delete the user's token; ``NotFound`` when they have none with this id."""
        async with self.db.writing():
            deleted = await (
                ApiToken.delete().where(ApiToken.id == token_id, ApiToken.user_id == user_id).returning(ApiToken.id)
            )
        if not deleted:
            raise NotFound("No token of yours with this id")

    async def record_uses(self, uses: Mapping[UUID, datetime]) -> None:
        """Set each token's ``last_used_at`` in one transaction, one UPDATE per token (Piccolo runs no
        executemany), skipping a row written less than ``LAST_USED_RESOLUTION`` before the use; a use
        is no change of the token, so ``updated_at`` stays."""
        if not uses:
            return
        async with self.db.writing():
            for token_id, used_at in uses.items():
                await ApiToken.update({ApiToken.last_used_at: used_at}).where(
                    ApiToken.id == token_id,
                    ApiToken.last_used_at.is_null() | (ApiToken.last_used_at <= used_at - LAST_USED_RESOLUTION),
                )
