"""The API's routes, declared once for every persistence path.

HTTP in, one call to a service port (``taskstar.ports``), a contract struct or the path's model
out: no SQL and no session handling here. Each operation's path, ``operation_id``, guard action
(``opt={"action": ...}``), statuses and docs are written in these modules only; a path supplies its
services (``taskstar.http.routes.dependencies.service_dependencies``) and, for the routes that show
its DTO machinery, its models and DTOs (``taskstar.http.routes.shapes.PathShapes``).
"""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from .api_tokens import ApiTokenController
from .auth import auth_controller, me
from .comments import CommentController
from .events import EventController
from .members import MemberController
from .projects import project_controller
from .shapes import PathShapes
from .tags import tag_controller
from .tasks import TaskController
from .workspaces import workspace_controller


def route_handlers(shapes: PathShapes) -> list[ControllerRouterHandler]:
    """Every API route, bound to the models and DTOs of the path that ``shapes`` describes."""
    return [
        auth_controller(shapes),
        me,
        ApiTokenController,
        workspace_controller(shapes),
        MemberController,
        project_controller(shapes),
        tag_controller(shapes),
        TaskController,
        CommentController,
        EventController,
    ]
