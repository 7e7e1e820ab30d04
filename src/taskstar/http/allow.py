"""``OPTIONS`` answers with every method its path serves (RFC 9110 9.3.7 and 10.2.1: ``Allow``).

Litestar 2 builds one automatic ``OPTIONS`` handler per path when the path's first handler is
registered, and keeps it when later handlers of the same path join the route, so its ``Allow``
names only the methods known then (``OPTIONS /api/tasks/{id}`` said ``DELETE, OPTIONS`` for a
path that also serves GET and PATCH). Reported as litestar-org/litestar#4169, fixed in v3 only.
Once the app's routes are final, each automatic handler is given the route's full method list.
"""

from __future__ import annotations

from collections.abc import Callable

from litestar import Litestar, Response
from litestar.enums import MediaType
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT
from litestar.types import Scope

from taskstar.http.head import with_head

_LITESTARS_OWN = "litestar.routes.http"  # the module defining Litestar's automatic OPTIONS handler


def _answer_allowing(methods: str) -> Callable[[Scope], Response[None]]:
    def options_handler(scope: Scope) -> Response[None]:
        return Response(
            content=None, status_code=HTTP_204_NO_CONTENT, headers={"Allow": methods}, media_type=MediaType.TEXT
        )

    return options_handler


def allow_every_method(app: Litestar) -> None:
    """Point each of ``app``'s automatic ``OPTIONS`` handlers at its route's full method list
    (``Allow: DELETE, GET, HEAD, OPTIONS, PATCH``); handlers an application declares are left alone."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "OPTIONS" not in route.route_handler_map:
            continue
        handler, _ = route.route_handler_map["OPTIONS"]
        if getattr(handler.fn, "__module__", None) != _LITESTARS_OWN:
            continue
        # Same signature (``scope``) as the handler it replaces, so its parsed kwargs still fit.
        methods = with_head(route.methods)
        handler._fn = _answer_allowing(methods)  # type: ignore[assignment]  # typed async; Litestar's own is sync too
