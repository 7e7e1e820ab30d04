"""Bearer-token authentication through Litestar's JWT security backend."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.authentication import AuthenticationResult
from litestar.openapi.spec import Components, SecurityScheme
from litestar.security.jwt import JWTAuth, JWTAuthenticationMiddleware, Token

from taskstar.contract import AccessToken
from taskstar.domain.access import Caller
from taskstar.domain.api_tokens import is_api_token, is_well_formed, token_hash
from taskstar.http.guards import MEMBERSHIP_STATE, addressed_resource
from taskstar.persistence import PersistencePath

#: OpenAPI security of routes that need no token: the anonymous requirement, which the served
#: document turns into no security at all (``http.openapi.declare_protocol_responses``).
PUBLIC: list[dict[str, list[str]]] = [{}]

#: Where the app keeps its ``TokenUseRecorder`` (``app.state``).
TOKEN_USES_STATE = "token_uses"

#: Routes that answer without a token (besides handlers marked ``exclude_from_auth``).
PUBLIC_PATHS = ["^/health$", "^/ready$", "^/metrics$", "^/schema"]


class BearerAuthenticationMiddleware(JWTAuthenticationMiddleware):
    """Both kinds of bearer token (RFC 6750): a login token (a JWT, through Litestar's JWT
    middleware) or a personal API token (``tsk_...``, looked up by its hash).

    Litestar's JWT middleware reads the token after any scheme; only ``Bearer`` is accepted.
    """

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        if len(connection.headers.getall(self.auth_header, [])) > 1:
            # A singleton field (RFC 9110 11.6.2): two would let the first silently win.
            raise NotAuthorizedException("Send one Authorization header")
        scheme, _, credential = connection.headers.get(self.auth_header, "").partition(" ")
        if scheme.lower() != "bearer":
            raise NotAuthorizedException("Send `Authorization: Bearer <token>`")
        credential = credential.strip()
        if is_api_token(credential):
            return await _authenticate_api_token(connection, credential)
        return await super().authenticate_request(connection)


async def _authenticate_api_token(connection: ASGIConnection[Any, Any, Any, Any], token: str) -> AuthenticationResult:
    """The caller behind a personal API token, its membership limited by the token's
    ``workspace_ids`` and ``max_role`` for the role guard. One query, as for a login token."""
    if not is_well_formed(token):  # a typo or random text: refused before any query
        raise NotAuthorizedException("Invalid token")
    now = datetime.now(UTC)
    persistence: PersistencePath = connection.app.state.persistence
    loaded = await persistence.load_token_caller(connection, token_hash(token), addressed_resource(connection), now)
    if loaded is None or loaded[0].token is None:
        raise NotAuthorizedException("Invalid token")
    caller, membership = loaded
    limits = loaded[0].token
    connection.state[MEMBERSHIP_STATE] = limits.limit(membership)
    if limits.use_is_due(now):
        connection.app.state[TOKEN_USES_STATE].note(limits.token_id, now)
    return AuthenticationResult(user=caller, auth=limits)  # never the secret itself


class VerifiedToken(Token):
    """Verifies a token's signature and claims once per distinct token, not on every request.

    Clients send the same token for its whole lifetime, and the HMAC check plus
    JSON parsing cost a sixth of a GET's CPU. The cache key is the whole encoded
    token (a tampered token is another key, verified afresh), failures are never
    cached, and expiry is checked on every use. The caller is still loaded on
    every request, so a deleted user's token stops working at once.
    """

    @classmethod
    def decode(
        cls,
        encoded_token: str,
        secret: str,
        algorithm: str,
        audience: str | Sequence[str] | None = None,
        issuer: str | Sequence[str] | None = None,
        require_claims: Sequence[str] | None = None,
        verify_exp: bool = True,
        verify_nbf: bool = True,
        strict_audience: bool = False,
    ) -> VerifiedToken:
        # The checks after ``algorithm`` (audience, issuer, required claims) are fixed by the app's JWTAuth.
        key = (encoded_token, secret, algorithm)
        token = _VERIFIED.get(key)
        if token is None:
            token = super().decode(
                encoded_token,
                secret,
                algorithm,
                audience=audience,
                issuer=issuer,
                require_claims=require_claims,
                verify_exp=verify_exp,
                verify_nbf=verify_nbf,
                strict_audience=strict_audience,
            )
            if len(_VERIFIED) >= _VERIFIED_MAX:
                del _VERIFIED[next(iter(_VERIFIED))]  # oldest first
            _VERIFIED[key] = token
        if token.exp <= datetime.now(UTC):
            raise NotAuthorizedException("Invalid token")
        return token


_VERIFIED: dict[tuple[str, str, str], VerifiedToken] = {}
_VERIFIED_MAX = 4096


async def _retrieve_caller(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> Caller | None:
    try:
        user_id = UUID(token.sub)
    except ValueError:
        return None
    persistence: PersistencePath = connection.app.state.persistence
    loaded = await persistence.load_caller(connection, user_id, addressed_resource(connection))
    if loaded is None:
        return None
    caller, membership = loaded
    connection.state[MEMBERSHIP_STATE] = membership  # for the role guard, which runs next
    return caller


class BearerAuth(JWTAuth[Caller]):
    """Litestar's JWT auth, documented as the two kinds of bearer token it accepts here."""

    @property
    def openapi_components(self) -> Components:
        components = super().openapi_components
        for scheme in (components.security_schemes or {}).values():
            if isinstance(scheme, SecurityScheme):
                scheme.bearer_format = "JWT (login token) or tsk_... (personal API token)"
        return components


def jwt_auth(secret_key: str, token_ttl_seconds: int) -> BearerAuth:
    return BearerAuth(
        retrieve_user_handler=_retrieve_caller,
        token_secret=secret_key,
        default_token_expiration=timedelta(seconds=token_ttl_seconds),
        exclude=PUBLIC_PATHS,
        authentication_middleware_class=BearerAuthenticationMiddleware,
        token_cls=VerifiedToken,
        description=(
            "`Authorization: Bearer <token>` with either a login token from `POST /api/auth/login` "
            "(valid for a day) or a personal API token (`tsk_...`) from `POST /api/me/tokens`, "
            "which acts only in its `workspace_ids` and with at most its `max_role`."
        ),
    )


def issue_token(auth: JWTAuth[Caller], user_id: UUID) -> AccessToken:
    ttl = auth.default_token_expiration
    token = auth.create_token(identifier=str(user_id), token_expiration=ttl)
    return AccessToken(access_token=token, token_type="bearer", expires_in=int(ttl.total_seconds()))
