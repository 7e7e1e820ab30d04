"""HTTP in, service call, DTO out: no queries and no transactions here."""

from .auth import AuthController, me
from .comments import CommentController
from .members import MemberController
from .projects import ProjectController
from .tags import TagController
from .tasks import TaskController
from .workspaces import WorkspaceController

ROUTE_HANDLERS = (
    AuthController,
    me,
    WorkspaceController,
    MemberController,
    ProjectController,
    TagController,
    TaskController,
    CommentController,
)
