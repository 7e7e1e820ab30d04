"""Business rules both ORMs apply: what they check, and the error each violation raises.

The services of ``taskstar.sqlalchemy`` and ``taskstar.piccolo`` run the queries; the decisions
and their wording live here, so the two answer alike (the contract suite checks the answers).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

from taskstar.domain.errors import Conflict, FieldError, InvalidInput
from taskstar.domain.tasks import Priority, Status

#: Task fields a client may write, besides ``tag_ids``.
WRITABLE_TASK_FIELDS = ("title", "description", "status", "priority", "assignee_id", "due_date", "position")
#: What a new task holds where the client said nothing.
NEW_TASK_DEFAULTS: Mapping[str, Any] = {
    "description": None,
    "status": Status.TODO,
    "priority": Priority.NONE,
    "assignee_id": None,
    "due_date": None,
    "position": 0.0,
}


def new_task_fields(draft: Mapping[str, Any]) -> dict[str, Any]:
    """A new task's writable fields: the draft's, and the defaults for what it left out."""
    return {**NEW_TASK_DEFAULTS, **{field: draft[field] for field in WRITABLE_TASK_FIELDS if field in draft}}


# --- uniqueness (409) --------------------------------------------------------


def email_taken() -> Conflict:
    """An account exists with this email, ignoring case."""
    return Conflict("An account with this email already exists", errors=[FieldError("email", "already registered")])


def slug_taken(slug: str) -> Conflict:
    """Workspace slugs are unique across the server."""
    return Conflict(f"The slug {slug!r} is taken", errors=[FieldError("slug", "already taken")])


def project_key_taken(key: str) -> Conflict:
    """Project keys are unique within a workspace."""
    return Conflict(f"The key {key!r} is taken in this workspace", errors=[FieldError("key", "already taken")])


def tag_name_taken(name: str) -> Conflict:
    """Tag names are unique within a workspace, ignoring case."""
    return Conflict(f"A tag named {name!r} exists in this workspace", errors=[FieldError("name", "already taken")])


def already_a_member() -> Conflict:
    return Conflict("This user is already a member", errors=[FieldError("email", "already a member")])


# --- references in task drafts (400) ----------------------------------------------


def referenced_ids(drafts: Iterable[Mapping[str, Any]]) -> tuple[set[UUID], set[UUID]]:
    """The assignee ids and the tag ids the drafts name, each once: what must be looked up."""
    drafts = list(drafts)
    assignees = {draft["assignee_id"] for draft in drafts if draft.get("assignee_id") is not None}
    tag_ids = {tag_id for draft in drafts for tag_id in draft.get("tag_ids") or ()}
    return assignees, tag_ids


def check_references(
    drafts: Sequence[Mapping[str, Any]], members: Collection[UUID], tags: Collection[UUID], *, prefix: str | None
) -> None:
    """Assignees must be members of the workspace (any role) and tags must be its tags.

    ``members`` and ``tags`` are the ids among :func:`referenced_ids` that the workspace has.
    Raises ``InvalidInput`` naming every offending field (``assignee_id``, ``tag_ids``; as
    ``{prefix}[i].field`` for the items of a bulk request); nothing is written then.
    """

    def field(index: int, name: str) -> str:
        return f"{prefix}[{index}].{name}" if prefix else name

    errors = []
    for index, draft in enumerate(drafts):
        if draft.get("assignee_id") is not None and draft["assignee_id"] not in members:
            errors.append(FieldError(field(index, "assignee_id"), "not a member of this workspace"))
        if any(tag_id not in tags for tag_id in draft.get("tag_ids") or ()):
            errors.append(FieldError(field(index, "tag_ids"), "not a tag of this workspace"))
    if errors:
        raise InvalidInput("Some references are not part of this workspace; nothing was changed", errors=errors)


def check_all_in_project(task_ids: Sequence[UUID], found: Collection[UUID]) -> None:
    """A bulk update names only tasks of its project: ``InvalidInput`` naming each other id
    (``ids[i]``), and nothing is changed."""
    missing = [
        FieldError(f"ids[{index}]", "no task with this id in the project")
        for index, task_id in enumerate(task_ids)
        if task_id not in found
    ]
    if missing:
        raise InvalidInput("Some ids are not tasks of this project; nothing was changed", errors=missing)
