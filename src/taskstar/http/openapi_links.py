"""OpenAPI links: from a created resource to the operations its id opens.

A client, or a stateful fuzzer, follows them from e.g. createTask's 201 to getTask with
the new task's id. Litestar has no way to declare links on a handler (a ``ResponseSpec``
carries none), so one table keyed by operation id is applied to the generated document:
every persistence path names its operations alike, so the one table serves them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from litestar.openapi.spec import Link, OpenAPI, OpenAPIResponse, Operation, Parameter


@dataclass(frozen=True)
class Links:
    """From ``source``'s success response, ``parameters`` (name: runtime expression) lead to each of ``targets``."""

    source: str
    parameters: Mapping[str, str]
    targets: tuple[str, ...]


NEW_ID = "$response.body#/id"
REQUEST_PATH = "$request.path."

LINKS = (
    Links(
        "createWorkspace",
        {"workspace_id": NEW_ID},
        (
            "getWorkspace",
            "updateWorkspace",
            "deleteWorkspace",
            "listProjects",
            "createProject",
            "listTags",
            "createTag",
            "listMembers",
            "addMember",
        ),
    ),
    Links(
        "createProject",
        {"project_id": NEW_ID},
        ("getProject", "updateProject", "deleteProject", "listTasks", "createTask", "createTasks", "updateTasks"),
    ),
    Links(
        "createTask",
        {"task_id": NEW_ID},
        ("getTask", "updateTask", "deleteTask", "moveTask", "listComments", "createComment", "listTaskActivity"),
    ),
    Links("createTag", {"tag_id": NEW_ID}, ("updateTag", "deleteTag")),
    Links("createComment", {"comment_id": NEW_ID}, ("updateComment", "deleteComment")),
    # A member is not a resource of its own: it is the user's id within the workspace of the request.
    Links(
        "addMember",
        {"workspace_id": f"{REQUEST_PATH}workspace_id", "user_id": "$response.body#/user/id"},
        ("updateMember", "removeMember"),
    ),
)


class LinkError(ValueError):
    """A link names an operation or parameter the document does not have."""


def add_links(document: OpenAPI, links: Iterable[Links] = LINKS) -> None:
    """Declare ``links`` on the success responses of ``document``, each named after its target.

    Raises ``LinkError`` listing every link that does not fit the document, so that a renamed
    operation or parameter fails when the app is built rather than leaving a dead link.
    """
    operations = dict(_operations(document))
    problems: list[str] = []
    for entry in links:
        source = operations.get(entry.source)
        if source is None:
            problems.append(f"{entry.source}: no such operation")
            continue
        success = [response for status, response in (source.responses or {}).items() if status.startswith("2")]
        if len(success) != 1 or not isinstance(success[0], OpenAPIResponse):
            problems.append(f"{entry.source}: no single success response to link from")
            continue
        response = success[0]
        for name, expression in entry.parameters.items():
            if expression.startswith(REQUEST_PATH) and expression.removeprefix(REQUEST_PATH) not in _names(source):
                problems.append(f"{entry.source}: {name} = {expression}, but {entry.source} has no such parameter")
        response.links = response.links or {}
        for target_id in entry.targets:
            target = operations.get(target_id)
            if target is None:
                problems.append(f"{entry.source} -> {target_id}: no such operation")
            elif unknown := sorted(set(entry.parameters) - _names(target)):
                problems.append(f"{entry.source} -> {target_id}: {target_id} has no parameter {', '.join(unknown)}")
            elif target_id in response.links:
                problems.append(f"{entry.source} -> {target_id}: linked twice")
            else:
                response.links[target_id] = Link(operation_id=target_id, parameters=dict(entry.parameters))
    if problems:
        raise LinkError("OpenAPI links that do not fit the API:\n  " + "\n  ".join(problems))


def _operations(document: OpenAPI) -> Iterator[tuple[str, Operation]]:
    for item in (document.paths or {}).values():
        for operation in (item.get, item.put, item.post, item.delete, item.patch):
            if operation is not None and operation.operation_id:
                yield operation.operation_id, operation


def _names(operation: Operation) -> set[str]:
    return {parameter.name for parameter in operation.parameters or () if isinstance(parameter, Parameter)}
