"""The contract's request and response shapes (``shared/spec/api.md``).

Request structs list only the fields a client owns: anything else in a body
is ignored, on every path, the way Litestar's DTOs ignore excluded fields.
Response structs list only public fields, so nothing private can leave and the
OpenAPI document shows no password or hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from taskstar.domain.roles import Role

# Limits from the contract; outside them a request is a 400.
Name = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"\S", description="1-200 characters")]
Email = Annotated[
    str,
    Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", examples=["ada@example.com"]),
]
Password = Annotated[str, Meta(min_length=8, max_length=128)]
Slug = Annotated[
    str,
    Meta(
        min_length=2,
        max_length=50,
        pattern=r"^[a-z0-9-]+$",
        description="lower-case letters, digits, hyphens",
    ),
]


class Schema(msgspec.Struct, kw_only=True, omit_defaults=False):
    """Base of every contract shape."""


# --- users and auth ---------------------------------------------------------


class UserRead(Schema):
    id: UUID
    email: str
    name: str
    created_at: datetime
    updated_at: datetime


class RegisterRequest(Schema):
    email: Email
    password: Password
    name: Name


class LoginRequest(Schema):
    email: Annotated[str, Meta(max_length=254)]
    password: Annotated[str, Meta(max_length=128)]


class AccessToken(Schema, kw_only=True):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


# --- workspaces and members -------------------------------------------------


class WorkspaceRead(Schema):
    id: UUID
    name: str
    slug: str
    role: Role
    """The caller's role in this workspace."""
    created_at: datetime
    updated_at: datetime


class WorkspaceCreate(Schema):
    name: Name
    slug: Slug


class WorkspaceUpdate(Schema):
    name: Name | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET


class MemberUser(Schema):
    id: UUID
    name: str
    email: str


class MemberRead(Schema):
    user: MemberUser
    role: Role
    created_at: datetime
    updated_at: datetime


class MemberCreate(Schema, kw_only=True):
    email: Email
    role: Role = Role.MEMBER


class MemberUpdate(Schema):
    role: Role


S = TypeVar("S", bound=Schema)


def present(source: object, schema: type[S]) -> S:
    """Shape an object (ORM row, dataclass) into a response struct, reading only the struct's fields."""
    return msgspec.convert(source, schema, from_attributes=True)


def set_fields(data: Schema) -> dict[str, Any]:
    """The fields a partial update (PATCH) actually sent."""
    return {name: value for name, value in msgspec.structs.asdict(data).items() if value is not UNSET}
