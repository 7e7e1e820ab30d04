"""Workspace tenancy and roles, enforced once for every route that declares an action.

A route states what it does (``opt={"action": Action.X}``); this guard finds the
caller's membership in the workspace owning the addressed resource, answers
404 to strangers (never revealing that the resource exists) and 403 to a role
too weak, and leaves the membership in ``request.state`` for the handler.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.params import SkipValidation

from taskstar.domain.access import Caller, Membership
from taskstar.domain.errors import NotFound
from taskstar.domain.roles import Action, authorize
from taskstar.persistence import RESOURCE_PARAMETERS, PersistencePath

ACTION_KEY = "action"


async def require_role(connection: ASGIConnection[Any, Caller, Any, Any], handler: BaseRouteHandler) -> None:
    action: Action | None = handler.opt.get(ACTION_KEY)
    if action is None:
        return
    parameter, kind = next((name, kind) for name, kind in RESOURCE_PARAMETERS.items() if name in connection.path_params)
    persistence: PersistencePath = connection.app.state.persistence
    membership = await persistence.find_membership(
        connection, kind, connection.path_params[parameter], connection.user.id
    )
    if membership is None:
        raise NotFound(f"No {kind} with this id")
    authorize(membership.role, action)
    connection.state.membership = membership


def provide_membership(request: ASGIConnection[Any, Any, Any, Any]) -> Membership:
    """The membership :func:`require_role` resolved for this request."""
    return request.state.membership


def provide_caller(request: ASGIConnection[Any, Caller, Any, Any]) -> Caller:
    return request.user


#: Handler parameter type for the membership :func:`require_role` resolved.
CurrentMembership = NamedDependency[SkipValidation[Membership]]
