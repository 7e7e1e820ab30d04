from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from taskstar.contract import ApiTokenCreated, ApiTokenRead, present, token_created
from taskstar.domain.api_tokens import LAST_USED_RESOLUTION, check_own_workspaces, draft_token
from taskstar.domain.errors import NotFound
from taskstar.sqlalchemy.models import ApiToken

from ..repositories import ApiTokenRepository, MembershipRepository
from .base import Service, repository


class ApiTokenService(Service):
    tokens = repository(ApiTokenRepository)
    memberships = repository(MembershipRepository)

    async def create(self, user_id: UUID, fields: Mapping[str, Any], now: datetime) -> ApiTokenCreated:
        draft = draft_token(fields, now)
        if draft.workspace_ids is not None:
            check_own_workspaces(
                draft.workspace_ids, await self.memberships.workspaces_among(user_id, draft.workspace_ids)
            )
        token = await self.tokens.add(
            ApiToken(
                user_id=user_id,
                name=draft.name,
                token_hash=draft.hash,
                prefix=draft.prefix,
                workspace_ids=draft.stored_workspace_ids,
                max_role=draft.max_role,
                expires_at=draft.expires_at,
            )
        )
        await self.session.commit()
        return token_created(present(token, ApiTokenRead), draft.secret)

    async def page_for(self, user_id: UUID, *, limit: int, offset: int) -> tuple[list[ApiTokenRead], int]:
        tokens, total = await self.tokens.page_for_user(user_id, limit=limit, offset=offset)
        return [present(token, ApiTokenRead) for token in tokens], total

    async def revoke(self, user_id: UUID, token_id: UUID) -> None:
        if not await self.tokens.remove_owned(user_id, token_id):
            raise NotFound("No token of yours with this id")
        await self.session.commit()

    async def record_uses(self, uses: Mapping[UUID, datetime]) -> None:
        if uses:
            await self.tokens.record_uses(uses, LAST_USED_RESOLUTION)
            await self.session.commit()
