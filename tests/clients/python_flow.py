"""A typed tracker flow through a client that openapi-python-client generated from Taskstar's
OpenAPI document, as an integrator would write it.

``tests/test_generated_clients.py`` generates the ``taskstar_client`` package beside this file,
type-checks both with ``mypy --strict`` (the document's shapes must be exact enough to need no
cast), then runs it against a real server: ``python python_flow.py BASE_URL``. Every call
asserts the model it gets, so a response the document mis-describes fails here.
"""

from __future__ import annotations

import sys
import uuid

from taskstar_client import AuthenticatedClient, Client
from taskstar_client.api.auth import login, me, register
from taskstar_client.api.comments import create_comment, list_comments
from taskstar_client.api.operations import health, ready
from taskstar_client.api.projects import create_project, list_projects
from taskstar_client.api.tags import create_tag, list_tags
from taskstar_client.api.tasks import create_task, get_task, list_task_activity, list_tasks, update_task
from taskstar_client.api.workspaces import create_workspace, list_workspaces
from taskstar_client.models import (
    AccessToken,
    ActivityPage,
    CommentPage,
    CommentRead,
    CommentWrite,
    Health,
    LoginRequest,
    Priority,
    ProblemDetails,
    ProjectCreate,
    ProjectPage,
    ProjectRead,
    Readiness,
    RegisterRequest,
    TagCreate,
    TagPage,
    TagRead,
    TaskCreate,
    TaskPage,
    TaskRead,
    TaskUpdate,
    UserRead,
    WorkspaceCreate,
    WorkspacePage,
    WorkspaceRead,
)


def main(base_url: str) -> None:
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    assert isinstance(health.sync(client=anonymous), Health)
    readiness = ready.sync(client=anonymous)
    assert isinstance(readiness, Readiness) and readiness.status == "ok"

    email = f"client-{uuid.uuid4().hex[:12]}@example.com"
    user = register.sync(client=anonymous, body=RegisterRequest(email=email, password="generated-1", name="Gen"))
    assert isinstance(user, UserRead) and user.email == email
    token = login.sync(client=anonymous, body=LoginRequest(email=email, password="generated-1"))
    assert isinstance(token, AccessToken) and token.token_type == "bearer" and token.expires_in > 0

    client = AuthenticatedClient(base_url=base_url, token=token.access_token, raise_on_unexpected_status=True)
    assert isinstance(me.sync(client=client), UserRead)

    slug = f"gen-{uuid.uuid4().hex[:8]}"
    workspace = create_workspace.sync(client=client, body=WorkspaceCreate(name="Generated", slug=slug))
    assert isinstance(workspace, WorkspaceRead)
    workspaces = list_workspaces.sync(client=client)
    assert isinstance(workspaces, WorkspacePage) and [item.id for item in workspaces.items] == [workspace.id]

    # Optional fields with a server-side default (archived, position) need not be sent.
    project = create_project.sync(workspace.id, client=client, body=ProjectCreate(key="GEN", name="Generated"))
    assert isinstance(project, ProjectRead) and project.archived is False
    projects = list_projects.sync(workspace.id, client=client)
    assert isinstance(projects, ProjectPage) and projects.total == 1

    tag = create_tag.sync(workspace.id, client=client, body=TagCreate(name="generated", color="#00aa55"))
    assert isinstance(tag, TagRead)
    tags = list_tags.sync(workspace.id, client=client)
    assert isinstance(tags, TagPage) and tags.items[0].name == "generated"

    created = create_task.sync_detailed(project.id, client=client, body=TaskCreate(title="Typed", tag_ids=[tag.id]))
    task = created.parsed
    assert isinstance(task, TaskRead) and task.key == "GEN-1"
    assert created.headers["ETag"] == f'"{task.version}"'

    # The ETag makes the next change conditional; a stale one is refused with a problem.
    read = get_task.sync_detailed(task.id, client=client)
    etag = read.headers["ETag"]
    assert isinstance(read.parsed, TaskRead)
    changed = update_task.sync_detailed(task.id, client=client, body=TaskUpdate(priority=Priority.HIGH), if_match=etag)
    assert isinstance(changed.parsed, TaskRead) and changed.parsed.priority == Priority.HIGH
    stale = update_task.sync_detailed(task.id, client=client, body=TaskUpdate(title="Late"), if_match=etag)
    assert stale.status_code == 412 and isinstance(stale.parsed, ProblemDetails)

    unassigned = list_tasks.sync(project.id, client=client, assignee_id="none")
    assert isinstance(unassigned, TaskPage) and [item.id for item in unassigned.items] == [task.id]

    comment = create_comment.sync(task.id, client=client, body=CommentWrite(body="From a generated client"))
    assert isinstance(comment, CommentRead)
    comments = list_comments.sync(task.id, client=client)
    assert isinstance(comments, CommentPage) and comments.total == 1
    activity = list_task_activity.sync(task.id, client=client)
    assert isinstance(activity, ActivityPage) and activity.total >= 2

    # A refused body comes back typed, with every offending field.
    refused = create_project.sync(workspace.id, client=client, body=ProjectCreate(key="x", name=""))
    assert isinstance(refused, ProblemDetails) and refused.status == 400
    assert {problem.field for problem in refused.errors or []} == {"key", "name"}


if __name__ == "__main__":
    main(sys.argv[1])
