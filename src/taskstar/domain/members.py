"""Rules about membership beyond the permission matrix."""

from __future__ import annotations

from taskstar.domain.errors import Conflict, Forbidden
from taskstar.domain.roles import Role


def check_owner_rules(actor: Role, *, granting: Role | None = None, target: Role | None = None) -> None:
    """Only an owner grants ``owner`` or changes or removes an owner."""
    if actor is Role.OWNER:
        return
    if granting is Role.OWNER:
        raise Forbidden("Only an owner can grant the owner role")
    if target is Role.OWNER:
        raise Forbidden("Only an owner can change or remove an owner")


def check_owners_remain(owner_count: int, *, losing_one: bool) -> None:
    """The last owner can be neither removed nor demoted."""
    if losing_one and owner_count <= 1:
        raise Conflict("A workspace keeps at least one owner")
