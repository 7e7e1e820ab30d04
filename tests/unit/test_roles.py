"""The roles and the permission matrix (``domain/roles.py``), held to the contract's words
(``shared/spec/api.md``, "Workspaces and members", "Projects", "Tags", "Tasks"), without a database."""

from __future__ import annotations

import pytest

from taskstar.domain.errors import Forbidden
from taskstar.domain.roles import MINIMUM_ROLE, Action, Role, authorize

#: What each role may do, written out from the contract rather than derived from ``MINIMUM_ROLE``.
ALLOWED: dict[Role, set[Action]] = {
    Role.VIEWER: {Action.READ_WORKSPACE, Action.READ_MEMBERS, Action.READ},
    Role.MEMBER: {Action.READ_WORKSPACE, Action.READ_MEMBERS, Action.READ, Action.WRITE},
    Role.ADMIN: {
        Action.READ_WORKSPACE,
        Action.READ_MEMBERS,
        Action.READ,
        Action.WRITE,
        Action.UPDATE_WORKSPACE,
        Action.MANAGE_MEMBERS,
        Action.DELETE_PROJECT,
        Action.MANAGE_TAGS,
    },
    Role.OWNER: set(Action),
}


def test_roles_rise_from_viewer_to_owner() -> None:
    assert list(Role) == [Role.VIEWER, Role.MEMBER, Role.ADMIN, Role.OWNER]
    assert [role.rank for role in Role] == sorted({role.rank for role in Role})  # strictly rising
    for lower_index, lower in enumerate(Role):
        for higher in list(Role)[lower_index:]:
            assert higher.at_least(lower)
        for higher in list(Role)[lower_index + 1 :]:
            assert not lower.at_least(higher), f"{lower} counted as at least {higher}"


def test_roles_are_the_contracts_strings() -> None:
    assert [role.value for role in Role] == ["viewer", "member", "admin", "owner"]
    assert Role("admin") is Role.ADMIN


def test_every_action_has_a_minimum_role() -> None:
    """An action missing from the matrix would fail every request to its routes, not refuse them."""
    assert set(MINIMUM_ROLE) == set(Action)


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("action", list(Action), ids=str)
def test_each_role_may_do_what_the_contract_allows_and_nothing_more(role: Role, action: Action) -> None:
    if action in ALLOWED[role]:
        authorize(role, action)
    else:
        with pytest.raises(Forbidden):
            authorize(role, action)


def test_a_refusal_names_the_role_needed_and_the_role_held() -> None:
    with pytest.raises(Forbidden) as refused:
        authorize(Role.MEMBER, Action.DELETE_PROJECT)
    assert "admin" in refused.value.detail and "member" in refused.value.detail
    with pytest.raises(Forbidden) as refused:
        authorize(Role.ADMIN, Action.DELETE_WORKSPACE)
    assert "owner" in refused.value.detail and "admin" in refused.value.detail
