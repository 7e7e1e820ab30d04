"""Accounts and tokens: register, log in, the caller."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody
from litestar.security.jwt import JWTAuth

from taskstar.contract import AccessToken, LoginRequest, RegisterRequest, UserRead, present
from taskstar.domain.access import Caller
from taskstar.http.auth import PUBLIC, issue_token
from taskstar.http.openapi import problems, serialized_as
from taskstar.http.ratelimit import RATE_LIMITED
from taskstar.http.routes.dependencies import Users
from taskstar.http.routes.shapes import PathShapes

if TYPE_CHECKING:
    UserModel = Any  # the path's user model: resolved through ``signature_namespace``


def auth_controller(shapes: PathShapes) -> type[Controller]:
    class AuthController(Controller):
        path = "/api/auth"
        tags = ["auth"]
        signature_namespace = shapes.namespace

        @post(
            "/register",
            operation_id="register",
            exclude_from_auth=True,
            security=PUBLIC,
            return_dto=shapes.user.read_dto,
            responses=problems(409, 429, public=True) | serialized_as(UserRead, 201),
            opt={RATE_LIMITED: True},
        )
        async def register(self, data: JSONBody[RegisterRequest], users: Users) -> UserModel:
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
        async def login(
            self, data: JSONBody[LoginRequest], users: Users, request: Request[Any, Any, State]
        ) -> AccessToken:
            """Exchange email and password for a bearer token."""
            user_id = await users.authenticate(email=data.email, password=data.password)
            auth: JWTAuth[Caller] = request.app.state.jwt_auth
            return issue_token(auth, user_id)

    return AuthController


@get("/api/me", tags=["auth"], operation_id="me", responses=problems(), sync_to_thread=False)
def me(request: Request[Caller, Any, State]) -> UserRead:
    """The caller, as loaded by authentication (no further query)."""
    return present(request.user, UserRead)
