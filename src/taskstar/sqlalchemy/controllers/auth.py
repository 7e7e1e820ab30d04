from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.security.jwt import JWTAuth

from taskstar.contract import AccessToken, LoginRequest, RegisterRequest, UserRead, present
from taskstar.domain.access import Caller
from taskstar.http.auth import PUBLIC, issue_token
from taskstar.http.openapi import problems, serialized_as
from taskstar.http.ratelimit import RATE_LIMITED
from taskstar.sqlalchemy.models import User

from .dependencies import Users, provide_user_service


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]
    dependencies = {"users": Provide(provide_user_service, sync_to_thread=False)}

    @post(
        "/register",
        operation_id="register",
        exclude_from_auth=True,
        security=PUBLIC,
        responses=problems(409, 429, public=True) | serialized_as(UserRead, 201),
        opt={RATE_LIMITED: True},
    )
    async def register(self, data: JSONBody[RegisterRequest], users: Users) -> User:
        """Create an account. Emails are unique ignoring case."""
        return await users.register(email=data.email, password=data.password, name=data.name)

    @post(
        "/login",
        operation_id="login",
        status_code=200,
        exclude_from_auth=True,
        security=PUBLIC,
        responses=problems(429, public=True) | problems(401),
        opt={RATE_LIMITED: True},
    )
    async def login(self, data: JSONBody[LoginRequest], users: Users, request: Request) -> AccessToken:
        """Exchange email and password for a bearer token."""
        user = await users.authenticate(email=data.email, password=data.password)
        auth: JWTAuth[Caller] = request.app.state.jwt_auth
        return issue_token(auth, user.id)


@get("/api/me", tags=["auth"], operation_id="me", responses=problems(), sync_to_thread=False)
def me(request: Request[Caller, object, object]) -> UserRead:
    """The caller, as loaded by authentication (no further query)."""
    return present(request.user, UserRead)
