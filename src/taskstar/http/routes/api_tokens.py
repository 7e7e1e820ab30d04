"""Personal API tokens: create (the secret shown once), list, revoke. For a login token only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, JSONBody

from taskstar.contract import ApiTokenCreate, ApiTokenCreated, ApiTokenPage, set_fields
from taskstar.domain.access import Caller
from taskstar.domain.errors import Forbidden
from taskstar.http.live import RECHECKS_EVERY_STREAM
from taskstar.http.openapi import problems
from taskstar.http.pagination import Page
from taskstar.http.routes.dependencies import ApiTokens

CallerRequest = Request[Caller, Any, State]


def login_token_only(connection: ASGIConnection[Caller, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """A personal API token cannot create, list or revoke tokens (the contract: 403): a leaked
    token must not be able to mint longer-lived or wider ones, nor hide itself."""
    # OPTIONS is answered without authentication (Litestar skips it for OPTIONS): no user there.
    caller: Caller | None = connection.scope.get("user")
    if caller is not None and caller.token is not None:
        raise Forbidden("API tokens cannot manage tokens; log in with your password for that")


class ApiTokenController(Controller):
    path = "/api/me/tokens"
    tags = ["tokens"]
    guards = [login_token_only]

    @post(operation_id="createApiToken", responses=problems(403))
    async def create_api_token(
        self, data: JSONBody[ApiTokenCreate], api_tokens: ApiTokens, request: CallerRequest
    ) -> ApiTokenCreated:
        """A personal API token for scripts. ``token`` is in this response only: store it now."""
        return await api_tokens.create(request.user.id, set_fields(data), datetime.now(UTC))

    @get(operation_id="listApiTokens", responses=problems(403))
    async def list_api_tokens(self, api_tokens: ApiTokens, page: Page, request: CallerRequest) -> ApiTokenPage:
        """Your tokens, newest first, without their secrets (``prefix`` tells them apart)."""
        rows, total = await api_tokens.page_for(request.user.id, limit=page.limit, offset=page.offset)
        return ApiTokenPage(items=list(rows), total=total, limit=page.limit, offset=page.offset)

    # A revoked token's event streams end, in every process (taskstar.http.live).
    @delete(
        "/{token_id:uuid}",
        operation_id="revokeApiToken",
        responses=problems(403, 404),
        opt={RECHECKS_EVERY_STREAM: True},
    )
    async def revoke_api_token(self, token_id: FromPath[UUID], api_tokens: ApiTokens, request: CallerRequest) -> None:
        """Revoke a token: the very next request with it is a 401."""
        await api_tokens.revoke(request.user.id, token_id)
