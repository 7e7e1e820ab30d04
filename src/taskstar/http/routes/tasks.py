"""Tasks: lists, bulk writes, moves, conditional requests (RFC 9110 ETag / If-Match), activity."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from taskstar.contract import (
    ActivityPage,
    TaskBulkCreate,
    TaskBulkUpdate,
    TaskCreate,
    TaskItems,
    TaskMove,
    TaskPage,
    TaskRead,
    TaskUpdate,
    set_fields,
)
from taskstar.domain.access import Caller
from taskstar.domain.roles import Action
from taskstar.http.guards import ACTION_KEY, CurrentMembership
from taskstar.http.openapi import NOT_MODIFIED, TASK_ETAG, problems
from taskstar.http.pagination import Page
from taskstar.http.routes.dependencies import Tasks
from taskstar.http.task_queries import (
    TaskListQuery,
    TaskPreconditions,
    not_modified,
    provide_preconditions,
    provide_task_query,
)


def _with_etag(task: TaskRead, status_code: int = 200) -> Response[TaskRead]:
    """The task with its version as a strong entity tag (RFC 9110 8.8.3)."""
    return Response(task, headers={"ETag": f'"{task.version}"'}, status_code=status_code)


CallerRequest = Request[Caller, Any, State]


class TaskController(Controller):
    tags = ["tasks"]
    dependencies = {
        "task_query": Provide(provide_task_query, sync_to_thread=False),
        "preconditions": Provide(provide_preconditions, sync_to_thread=False),
    }

    @get(
        "/api/projects/{project_id:uuid}/tasks",
        operation_id="listTasks",
        responses=problems(404),
        opt={ACTION_KEY: Action.READ},
    )
    async def list_tasks(
        self, project_id: FromPath[UUID], tasks: Tasks, task_query: TaskListQuery, access: CurrentMembership
    ) -> TaskPage:
        """Filter, sort and page a project's tasks; ties break by id. Page by ``offset`` or by
        ``cursor`` (keyset: stays correct while others insert), not both."""
        rows, total, next_cursor = await tasks.page(access, project_id, task_query)
        return TaskPage(
            items=list(rows),
            total=total,
            limit=task_query.limit,
            offset=task_query.offset,
            next_cursor=next_cursor,
        )

    @post(
        "/api/projects/{project_id:uuid}/tasks",
        operation_id="createTask",
        response_headers=TASK_ETAG,
        responses=problems(403, 404),
        opt={ACTION_KEY: Action.WRITE},
    )
    async def create_task(
        self,
        project_id: FromPath[UUID],
        data: JSONBody[TaskCreate],
        tasks: Tasks,
        access: CurrentMembership,
        request: CallerRequest,
    ) -> Response[TaskRead]:
        """Create a task; it takes the project's next number."""
        [task] = await tasks.create_many(access, request.user.id, project_id, [set_fields(data)], bulk=False)
        return _with_etag(task, 201)

    @post(
        "/api/projects/{project_id:uuid}/tasks/bulk",
        operation_id="createTasks",
        responses=problems(403, 404),
        opt={ACTION_KEY: Action.WRITE},
    )
    async def create_tasks(
        self,
        project_id: FromPath[UUID],
        data: JSONBody[TaskBulkCreate],
        tasks: Tasks,
        access: CurrentMembership,
        request: CallerRequest,
    ) -> TaskItems:
        """Create 1-100 tasks, all or none; a 400 names each failing item."""
        drafts = [set_fields(item) for item in data.items]
        created = await tasks.create_many(access, request.user.id, project_id, drafts, bulk=True)
        return TaskItems(items=list(created))

    @patch(
        "/api/projects/{project_id:uuid}/tasks/bulk",
        operation_id="updateTasks",
        responses=problems(403, 404),
        opt={ACTION_KEY: Action.WRITE},
    )
    async def update_tasks(
        self,
        project_id: FromPath[UUID],
        data: JSONBody[TaskBulkUpdate],
        tasks: Tasks,
        access: CurrentMembership,
        request: CallerRequest,
    ) -> TaskItems:
        """Set status, priority or assignee on 1-100 tasks of the project, all or none."""
        updated = await tasks.update_many(access, request.user.id, project_id, data.ids, set_fields(data.changes))
        return TaskItems(items=list(updated))

    @get(
        "/api/tasks/{task_id:uuid}",
        operation_id="getTask",
        response_headers=TASK_ETAG,
        responses={**problems(404, 412), **NOT_MODIFIED},
        opt={ACTION_KEY: Action.READ},
    )
    async def get_task(
        self, task_id: FromPath[UUID], tasks: Tasks, access: CurrentMembership, preconditions: TaskPreconditions
    ) -> Response[TaskRead]:
        """A task, with its version as ``ETag``; 304 when ``If-None-Match`` names that version."""
        task = await tasks.get(access, task_id)
        if preconditions.not_modified(task.version):
            return not_modified(task.version)
        return _with_etag(task)

    @patch(
        "/api/tasks/{task_id:uuid}",
        operation_id="updateTask",
        response_headers=TASK_ETAG,
        responses=problems(403, 404, 412),
        opt={ACTION_KEY: Action.WRITE},
    )
    async def update_task(
        self,
        task_id: FromPath[UUID],
        data: JSONBody[TaskUpdate],
        tasks: Tasks,
        access: CurrentMembership,
        request: CallerRequest,
        preconditions: TaskPreconditions,
    ) -> Response[TaskRead]:
        """Partial update; ``null`` clears description, assignee and due date. With ``If-Match``
        naming no current version (or ``If-None-Match`` naming it), 412 and nothing changes."""
        task = await tasks.update(access, request.user.id, task_id, set_fields(data), preconditions)
        return _with_etag(task)

    @delete(
        "/api/tasks/{task_id:uuid}",
        operation_id="deleteTask",
        responses=problems(403, 404, 412),
        opt={ACTION_KEY: Action.WRITE},
    )
    async def delete_task(
        self, task_id: FromPath[UUID], tasks: Tasks, access: CurrentMembership, preconditions: TaskPreconditions
    ) -> None:
        """Delete a task with its comments and activity; its number is not reused. Conditional
        like PATCH (``If-Match``, ``If-None-Match``)."""
        await tasks.delete(access, task_id, preconditions)

    @post(
        "/api/tasks/{task_id:uuid}/move",
        operation_id="moveTask",
        response_headers=TASK_ETAG,
        status_code=200,
        responses=problems(403, 404, 412),
        opt={ACTION_KEY: Action.WRITE},
    )
    async def move_task(
        self,
        task_id: FromPath[UUID],
        data: JSONBody[TaskMove],
        tasks: Tasks,
        access: CurrentMembership,
        request: CallerRequest,
        preconditions: TaskPreconditions,
    ) -> Response[TaskRead]:
        """Move to another project of the workspace; the task takes that project's next number.
        Conditional like PATCH (``If-Match``, ``If-None-Match``)."""
        return _with_etag(await tasks.move(access, request.user.id, task_id, data.project_id, preconditions))

    @get(
        "/api/tasks/{task_id:uuid}/activity",
        operation_id="listTaskActivity",
        responses=problems(404),
        opt={ACTION_KEY: Action.READ},
    )
    async def list_activity(
        self, task_id: FromPath[UUID], tasks: Tasks, page: Page, access: CurrentMembership
    ) -> ActivityPage:
        """Every create, change, move and comment of the task, oldest first."""
        rows, total = await tasks.activity_page(access, task_id, limit=page.limit, offset=page.offset)
        return ActivityPage(items=list(rows), total=total, limit=page.limit, offset=page.offset)
