"""Membership rules beyond the matrix (``domain/members.py``): only an owner grants ``owner`` or
changes or removes an owner, and the last owner stays (``shared/spec/api.md``, "Workspaces and members")."""

from __future__ import annotations

import pytest

from taskstar.domain.errors import Conflict, Forbidden
from taskstar.domain.members import check_owner_rules, check_owners_remain
from taskstar.domain.roles import Role

NOT_OWNERS = [Role.ADMIN, Role.MEMBER, Role.VIEWER]


@pytest.mark.parametrize("actor", NOT_OWNERS, ids=str)
def test_only_an_owner_grants_the_owner_role(actor: Role) -> None:
    with pytest.raises(Forbidden, match="grant the owner role"):
        check_owner_rules(actor, granting=Role.OWNER)
    check_owner_rules(Role.OWNER, granting=Role.OWNER)


@pytest.mark.parametrize("actor", NOT_OWNERS, ids=str)
def test_only_an_owner_changes_or_removes_an_owner(actor: Role) -> None:
    # A change of role names both; a removal names only the target.
    for granting in [*Role, None]:
        with pytest.raises(Forbidden, match="owner"):
            check_owner_rules(actor, granting=granting, target=Role.OWNER)
    check_owner_rules(Role.OWNER, granting=Role.MEMBER, target=Role.OWNER)
    check_owner_rules(Role.OWNER, target=Role.OWNER)


@pytest.mark.parametrize("granting", [Role.VIEWER, Role.MEMBER, Role.ADMIN], ids=str)
@pytest.mark.parametrize("target", [None, Role.VIEWER, Role.MEMBER, Role.ADMIN], ids=str)
def test_an_admin_grants_and_changes_every_role_but_owner(granting: Role, target: Role | None) -> None:
    """The owner rules add no refusal of their own below ``owner`` (the matrix refuses a non-admin)."""
    check_owner_rules(Role.ADMIN, granting=granting, target=target)


def test_the_last_owner_can_be_neither_removed_nor_demoted() -> None:
    for owners in (1, 0):
        with pytest.raises(Conflict, match="at least one owner"):
            check_owners_remain(owners, losing_one=True)
    check_owners_remain(2, losing_one=True)  # one of two owners may go
    check_owners_remain(1, losing_one=False)  # the last owner made owner again
