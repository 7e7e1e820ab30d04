"""Workspace tenancy and roles, enforced once for every route that declares an action.

A route states what it does (``opt={"action": Action.X}``). Authentication loads
the caller together with their membership in the workspace owning the addressed
resource (one query); this guard answers 404 to strangers (never revealing that
the resource exists) and 403 to a role too weak, and the handler receives the
membership.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.params import SkipValidation

from taskstar.domain.access import Caller, Membership
from taskstar.domain.errors import NotFound
from taskstar.domain.resources import RESOURCES, ResourceRef
from taskstar.domain.roles import Action, authorize

ACTION_KEY = "action"


MEMBERSHIP_STATE = "membership"


def addressed_resource(connection: ASGIConnection[Any, Any, Any, Any]) -> ResourceRef | None:
    """The workspace-owned resource a route with an action addresses (its first id parameter)."""
    if connection.route_handler.opt.get(ACTION_KEY) is None:
        return None
    return next(
        (
            (resource.kind, connection.path_params[resource.parameter])
            for resource in RESOURCES
            if resource.parameter in connection.path_params
        ),
        None,
    )


async def require_role(connection: ASGIConnection[Any, Caller, Any, Any], handler: BaseRouteHandler) -> None:
    action: Action | None = handler.opt.get(ACTION_KEY)
    resource = addressed_resource(connection)
    if action is None or resource is None:
        return
    membership: Membership | None = connection.state.get(MEMBERSHIP_STATE)  # loaded with the caller
    if membership is None:
        raise NotFound(f"No {resource[0]} with this id")
    authorize(membership.role, action)


def provide_membership(request: ASGIConnection[Any, Any, Any, Any]) -> Membership:
    """The caller's membership that :func:`require_role` checked for this request."""
    membership: Membership = request.state[MEMBERSHIP_STATE]
    return membership


#: Handler parameter type for the membership :func:`require_role` resolved.
CurrentMembership = NamedDependency[SkipValidation[Membership]]
