"""Personal API tokens: their format, their hash and the limits they put on a caller.

The contract (``shared/spec/api.md``, "Personal API tokens") asks for tokens that start with
``tsk_``, carry a checksum a scanner can verify without the database, are stored only as a hash,
and act with the lower of the membership's role and the token's ``max_role``, in the token's
workspaces only.

Format, the way GitHub's tokens are built (``ghp_`` + 30 random + 6 checksum characters)::

    tsk_ <30 random base62 characters> <6 base62 characters: CRC32 of the random part>

30 base62 characters carry 178 bits of randomness. The CRC32 only lets a secret scanner (or this
server, before any query) tell a real token from random text; it is no secret and no signature.
Stored is the SHA-256 of the whole token: a token is random at full strength, so a slow password
hash would buy nothing and would cost its milliseconds on every request (GitHub and GitLab store
SHA-256 digests of theirs).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import zlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from taskstar.domain.access import Membership
from taskstar.domain.errors import Forbidden, InvalidInput
from taskstar.domain.roles import Role

TOKEN_PREFIX = "tsk_"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_RANDOM_LENGTH = 30
_CHECKSUM_LENGTH = 6
TOKEN_LENGTH = len(TOKEN_PREFIX) + _RANDOM_LENGTH + _CHECKSUM_LENGTH
#: How much of a token ``GET /api/me/tokens`` shows to tell tokens apart (the contract's ``prefix``).
DISPLAY_PREFIX_LENGTH = 12
_SHAPE = re.compile(rf"^{TOKEN_PREFIX}[0-9A-Za-z]{{{_RANDOM_LENGTH + _CHECKSUM_LENGTH}}}$")

#: ``expires_in_days`` bounds and default (the contract: 1-365, default 90).
MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 365, 90
#: The contract's default ``max_role``.
DEFAULT_MAX_ROLE = Role.MEMBER
#: ``last_used_at`` is written at most this often per token (the contract: once a minute).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _base62(number: int, length: int) -> str:
    digits = []
    for _ in range(length):
        number, digit = divmod(number, len(_ALPHABET))
        digits.append(_ALPHABET[digit])
    return "".join(reversed(digits))


def _checksum(random_part: str) -> str:
    # CRC32 is below 62**6 (5.6e10 > 4.3e9), so six base62 digits always hold it.
    return _base62(zlib.crc32(random_part.encode("ascii")), _CHECKSUM_LENGTH)


def new_token() -> str:
    """A fresh ``tsk_`` token (40 ASCII characters), from the operating system's CSPRNG."""
    random_part = "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_LENGTH))
    return f"{TOKEN_PREFIX}{random_part}{_checksum(random_part)}"


def is_api_token(credential: str) -> bool:
    """Whether a bearer credential claims to be an API token (it starts with ``tsk_``)."""
    return credential.startswith(TOKEN_PREFIX)


def is_well_formed(token: str) -> bool:
    """Whether ``token`` has the shape of a Taskstar token and its checksum holds.

    A scanner can run exactly this over leaked text; the server runs it before any query, so
    random strings never reach the database.
    """
    if not _SHAPE.match(token):
        return False
    random_part = token[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + _RANDOM_LENGTH]
    return secrets.compare_digest(token[-_CHECKSUM_LENGTH:], _checksum(random_part))


def token_hash(token: str) -> str:
    """What the database stores and looks a token up by: the SHA-256 of the token, 64 hex digits."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def display_prefix(token: str) -> str:
    """The first 12 characters (``tsk_`` and 8 more): enough to tell tokens apart, useless to an attacker."""
    return token[:DISPLAY_PREFIX_LENGTH]


def expires_at(now: datetime, days: int) -> datetime:
    """When a token created at ``now`` for ``days`` days stops working."""
    return now + timedelta(days=days)


@dataclass(frozen=True, slots=True)
class TokenLimits:
    """What an API token allows its holder, beyond what the holder's memberships allow.

    ``workspace_ids`` ``None`` means every workspace the user belongs to, now and later.
    """

    token_id: UUID
    max_role: Role
    workspace_ids: frozenset[UUID] | None
    last_used_at: datetime | None

    def allows_workspace(self, workspace_id: UUID) -> bool:
        return self.workspace_ids is None or workspace_id in self.workspace_ids

    def cap(self, role: Role) -> Role:
        """The role the token acts with for a membership of ``role``: the lower of the two."""
        return self.max_role if role.at_least(self.max_role) else role

    def limit(self, membership: Membership | None) -> Membership | None:
        """The membership the token acts with: ``None`` outside its workspaces (a stranger's 404),
        else the lower of the membership's role and ``max_role``."""
        if membership is None or not self.allows_workspace(membership.workspace_id):
            return None
        role = self.cap(membership.role)
        if role is membership.role:
            return membership
        return Membership(workspace_id=membership.workspace_id, user_id=membership.user_id, role=role)

    def check_may_create_workspaces(self) -> None:
        """Raise ``Forbidden`` unless the token may create workspaces: only one that reaches every
        workspace (a limited token could not see what it created) and writes (a viewer token reads)."""
        if self.workspace_ids is not None:
            raise Forbidden("A token limited to some workspaces cannot create workspaces")
        if not self.max_role.at_least(Role.MEMBER):
            raise Forbidden("A viewer token only reads; creating a workspace needs max_role member or higher")

    def use_is_due(self, now: datetime) -> bool:
        """Whether this use should be written as ``last_used_at`` (at most once a minute)."""
        return self.last_used_at is None or now - _aware(self.last_used_at) >= LAST_USED_RESOLUTION


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for UTC columns on some drivers.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def limits(token_id: UUID, max_role: Role | str, workspace_ids: Iterable[UUID | str] | None,
           last_used_at: datetime | None) -> TokenLimits:  # fmt: skip
    """A stored token's limits (``workspace_ids`` as the row keeps them: UUIDs or their strings)."""
    return TokenLimits(
        token_id=token_id,
        max_role=Role(max_role),
        workspace_ids=None if workspace_ids is None else frozenset(UUID(str(w)) for w in workspace_ids),
        last_used_at=last_used_at,
    )


@dataclass(frozen=True, slots=True)
class TokenDraft:
    """A token about to be stored: ``secret`` goes to the client once, the rest to the database."""

    secret: str
    hash: str
    prefix: str
    name: str
    workspace_ids: list[UUID] | None
    """Sorted, without repeats; ``None`` for every workspace."""
    max_role: Role
    expires_at: datetime

    @property
    def stored_workspace_ids(self) -> list[str] | None:
        """``workspace_ids`` as the JSON column keeps them (UUID strings)."""
        return None if self.workspace_ids is None else [str(workspace_id) for workspace_id in self.workspace_ids]


def draft_token(fields: Mapping[str, Any], now: datetime) -> TokenDraft:
    """A new token from ``POST /api/me/tokens``'s fields (``name``; optional ``workspace_ids``,
    ``max_role``, ``expires_in_days``, defaults from the contract)."""
    secret = new_token()
    workspace_ids = fields.get("workspace_ids")
    return TokenDraft(
        secret=secret,
        hash=token_hash(secret),
        prefix=display_prefix(secret),
        name=fields["name"],
        workspace_ids=None if workspace_ids is None else sorted(set(workspace_ids)),
        max_role=Role(fields.get("max_role", DEFAULT_MAX_ROLE)),
        expires_at=expires_at(now, fields.get("expires_in_days", DEFAULT_DAYS)),
    )


def check_own_workspaces(requested: Iterable[UUID], own: Collection[UUID]) -> None:
    """Raise ``InvalidInput`` on ``workspace_ids`` unless every requested workspace is one of
    ``own`` (the caller's): a token cannot reach further than its owner (the contract: 400)."""
    foreign = sorted({workspace_id for workspace_id in requested if workspace_id not in own})
    if foreign:
        listed = ", ".join(str(workspace_id) for workspace_id in foreign)
        raise InvalidInput.on("workspace_ids", f"Not workspaces of yours: {listed}")
