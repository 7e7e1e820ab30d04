"""The authorization matrix, generated from the code's permission matrix and run against the real server.

Every ``/api`` route that acts on a workspace-owned resource declares its action
(``opt={"action": Action.X}``). This module reads those routes from the app the target
builds, then sends each one as every kind of caller (a stranger, then each role) at the
caller's own workspace and at another one where they hold no role, and expects what the
contract says: 404 to non-members, 403 to a role below ``MINIMUM_ROLE[action]``, the
route's success status otherwise, plus the comment rules that depend on authorship. A
refused request must change nothing. Every mismatch is collected, so one run shows the
whole matrix's problems.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import httpx
import pytest
from litestar.routes import HTTPRoute

from taskstar.app import create_app
from taskstar.domain.roles import MINIMUM_ROLE, Action, Role
from taskstar.http.guards import ACTION_KEY
from taskstar.settings import Settings
from tests.support.api import Api, create_project, create_tag, create_task, project_key, unique
from tests.support.deployment import Deployment
from tests.support.reliability import Figures, record
from tests.support.traffic import describe

pytestmark = pytest.mark.security

#: Routes about the caller's account rather than a workspace's resources: the only ones without an action.
ACCOUNT_LEVEL_OPERATIONS = frozenset(
    {
        "register",
        "login",
        "me",
        "listWorkspaces",
        "createWorkspace",
        "createApiToken",
        "listApiTokens",
        "revokeApiToken",
    }
)
REFUSED = frozenset({403, 404})


# --- the routes, as the target's app declares them --------------------------


@dataclass(frozen=True)
class Route:
    operation_id: str | None
    method: str
    path: str
    """With ``{name}`` placeholders (Litestar's ``path_format``)."""
    action: Action | None
    success_status: int

    def __str__(self) -> str:
        return f"{self.operation_id} ({self.method} {self.path})"

    @property
    def path_parameters(self) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.path) if name}


def api_routes(deployment: Deployment) -> list[Route]:
    app = create_app(Settings.from_env(deployment.env))  # built, never started: only its routes are read
    return [
        Route(handler.operation_id, method, route.path_format, handler.opt.get(ACTION_KEY), handler.status_code)
        for route in app.routes
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/")
        for handler in route.route_handlers
        for method in sorted(handler.http_methods)
        if method != "OPTIONS"  # Litestar answers OPTIONS on every path itself
    ]


@pytest.fixture(scope="module")
def routes(deployment: Deployment) -> list[Route]:
    return api_routes(deployment)


# --- the worlds the requests act on -----------------------------------------


@dataclass(frozen=True)
class World:
    """A workspace with one of everything a route can address, as its owner built it."""

    owner: Api
    workspace_id: str
    project_id: str
    other_project_id: str
    """Where ``moveTask`` moves the task."""
    tag_id: str
    task_id: str
    comment_id: str
    """Written by the owner, which the comment rules below rely on."""
    subject_id: str
    """A viewer whom the member routes change or remove: never an owner, so the owner-only rule stays out."""
    newcomer_email: str
    """Of a user who is not a member yet, for ``addMember``."""

    @property
    def path_values(self) -> dict[str, str]:
        return {
            "workspace_id": self.workspace_id,
            "project_id": self.project_id,
            "task_id": self.task_id,
            "tag_id": self.tag_id,
            "comment_id": self.comment_id,
            "user_id": self.subject_id,
        }


#: The path parameters :attr:`World.path_values` fills.
PATH_PARAMETERS = frozenset({"workspace_id", "project_id", "task_id", "tag_id", "comment_id", "user_id"})


class Reach(Enum):
    """Which workspaces a personal API token may reach (its ``workspace_ids``)."""

    EVERY = "every workspace"
    """``null``: every workspace its holder belongs to."""
    THIS = "this workspace only"
    """Only the workspace the request addresses."""
    ELSEWHERE = "another workspace only"
    """Only another workspace of its holder's."""


@dataclass(frozen=True)
class TokenCaller:
    """A request made with the personal API token of the holder of ``holder`` in the own world."""

    holder: Role
    max_role: Role
    reach: Reach

    @property
    def acting_role(self) -> Role | None:
        """The role the contract says the token acts with in the own world (``None``: a stranger's)."""
        if self.reach is Reach.ELSEWHERE:
            return None
        return self.max_role if self.holder.at_least(self.max_role) else self.holder

    def __str__(self) -> str:
        return f"{self.holder.value}'s token (max_role {self.max_role.value}, {self.reach.value})"


#: Every role cap in both reaches that include the own world, on the strongest membership; a cap
#: above the membership (which must not raise it); and a token for elsewhere (which must see nothing).
TOKEN_CALLERS: tuple[TokenCaller, ...] = (
    *(TokenCaller(Role.OWNER, cap, reach) for cap in Role for reach in (Reach.EVERY, Reach.THIS)),
    TokenCaller(Role.VIEWER, Role.OWNER, Reach.EVERY),
    TokenCaller(Role.OWNER, Role.OWNER, Reach.ELSEWHERE),
)


@dataclass(frozen=True)
class Cast:
    """Users registered once for the module (argon2 makes registration slow) and added to every fresh world."""

    holders: dict[Role, Api]
    """The holder of each role in every own world; the owner creates it."""
    stranger: Api
    subject: Api
    newcomer: Api
    rival: Api
    """Owns the other world, where no caller holds a role."""
    tokens: dict[tuple[TokenCaller, str | None], Api] = field(default_factory=dict)
    """Token clients already made, by caller and (for ``Reach.THIS``) workspace."""

    def token_client(self, caller: TokenCaller, world: World) -> Api:
        """A client sending ``caller``'s token, made on first use (one per world for ``Reach.THIS``)."""
        key = (caller, world.workspace_id if caller.reach is Reach.THIS else None)
        if key not in self.tokens:
            holder = self.holders[caller.holder]
            reach = {
                Reach.EVERY: None,
                Reach.THIS: [world.workspace_id],
                Reach.ELSEWHERE: [holder.create_workspace("Elsewhere")["id"]],
            }[caller.reach]
            created = holder.post(
                "/api/me/tokens", json={"name": str(caller), "max_role": caller.max_role.value, "workspace_ids": reach}
            )
            assert created.status_code == 201, created.text
            self.tokens[key] = Api(holder.http, token=created.json()["token"], user=holder.user)
        return self.tokens[key]

    @classmethod
    def register(cls, api: Api) -> Cast:
        return cls(
            holders={role: api.register(role.value.title()) for role in Role},
            stranger=api.register("Stranger"),
            subject=api.register("Subject"),
            newcomer=api.register("Newcomer"),
            rival=api.register("Rival"),
        )

    def caller(self, role: Role | None) -> Api:
        return self.stranger if role is None else self.holders[role]

    def own_world(self) -> World:
        members = [(self.holders[role], role) for role in (Role.ADMIN, Role.MEMBER, Role.VIEWER)]
        return self._world(self.holders[Role.OWNER], members)

    def other_world(self) -> World:
        return self._world(self.rival, [])

    def _world(self, owner: Api, members: Iterable[tuple[Api, Role]]) -> World:
        workspace_id = owner.create_workspace()["id"]
        for user, role in [*members, (self.subject, Role.VIEWER)]:
            owner.add_member(workspace_id, user, role.value)
        project_id = create_project(owner, workspace_id)["id"]
        tag_id = create_tag(owner, workspace_id)["id"]
        # Assigned to the subject, so that removing them has a task to unassign.
        task_id = create_task(owner, project_id, tag_ids=[tag_id], assignee_id=self.subject.id)["id"]
        comment = owner.post(f"/api/tasks/{task_id}/comments", json={"body": "First!"})
        assert comment.status_code == 201, comment.text
        return World(
            owner=owner,
            workspace_id=workspace_id,
            project_id=project_id,
            other_project_id=create_project(owner, workspace_id)["id"],
            tag_id=tag_id,
            task_id=task_id,
            comment_id=comment.json()["id"],
            subject_id=self.subject.id,
            newcomer_email=self.newcomer.email,
        )


def snapshot(world: World) -> dict[str, tuple[int, Any]]:
    """Everything the world's owner can read of it, status included (a wrongly deleted workspace reads as 404)."""
    lists = {
        "members": f"/api/workspaces/{world.workspace_id}/members",
        "projects": f"/api/workspaces/{world.workspace_id}/projects",
        "tags": f"/api/workspaces/{world.workspace_id}/tags",
        "tasks": f"/api/projects/{world.project_id}/tasks",
        "other project's tasks": f"/api/projects/{world.other_project_id}/tasks",
        "comments": f"/api/tasks/{world.task_id}/comments",
        "activity": f"/api/tasks/{world.task_id}/activity",
    }
    seen = {name: world.owner.get(path, params={"limit": 100}) for name, path in lists.items()}
    seen["workspace"] = world.owner.get(f"/api/workspaces/{world.workspace_id}")
    return {name: (response.status_code, response.json()) for name, response in seen.items()}


# --- what each route is sent ------------------------------------------------

Body = dict[str, Any] | None


def no_body(world: World) -> Body:
    return None


#: A valid body for every route with an action; path parameters come from the world by name.
RECIPES: dict[str, Callable[[World], Body]] = {
    "getWorkspace": no_body,
    "updateWorkspace": lambda world: {"name": "Renamed"},
    "deleteWorkspace": no_body,
    "listMembers": no_body,
    "addMember": lambda world: {"email": world.newcomer_email, "role": Role.MEMBER.value},
    "updateMember": lambda world: {"role": Role.MEMBER.value},
    "removeMember": no_body,
    "listProjects": no_body,
    "createProject": lambda world: {"key": project_key(), "name": "Another project"},
    "getProject": no_body,
    "updateProject": lambda world: {"name": "Renamed"},
    "deleteProject": no_body,
    "listTags": no_body,
    "createTag": lambda world: {"name": unique("tag"), "color": "#00ff00"},
    "updateTag": lambda world: {"color": "#0000ff"},
    "deleteTag": no_body,
    "listTasks": no_body,
    "createTask": lambda world: {"title": "Another task"},
    "createTasks": lambda world: {"items": [{"title": "A bulk task"}]},
    "updateTasks": lambda world: {"ids": [world.task_id], "set": {"status": "done"}},
    "getTask": no_body,
    "updateTask": lambda world: {"title": "Renamed"},
    "deleteTask": no_body,
    "moveTask": lambda world: {"project_id": world.other_project_id},
    "listTaskActivity": no_body,
    "listComments": no_body,
    "createComment": lambda world: {"body": "Me too"},
    "updateComment": lambda world: {"body": "Edited"},
    "deleteComment": no_body,
    "listEvents": no_body,
    "streamEvents": no_body,
}

#: Routes whose 200 is an event stream that never ends: its status and headers are the answer.
STREAMS = {"streamEvents"}


def send(caller: Api, route: Route, path: str, body: Body) -> httpx.Response:
    if route.operation_id not in STREAMS:
        return caller.request(route.method, path, json=body)
    headers = {"Authorization": f"Bearer {caller.token}"} if caller.token else {}
    with caller.http.stream(route.method, path, headers=headers) as response:
        content = response.read() if response.status_code != 200 else b""  # a refusal's body is finite
        return httpx.Response(response.status_code, headers=response.headers, content=content)


# --- what each caller should get --------------------------------------------


class Scope(Enum):
    OWN = "own workspace"
    """Where the caller holds their role (a stranger holds none here either)."""
    OTHER = "other workspace"
    """Someone else's, where the caller holds no role."""


#: ``None`` is the stranger, a signed-in user with no membership.
CALLERS: tuple[Role | None, ...] = (None, *Role)
#: Who wrote each world's comment: the owner, who built the world.
COMMENT_AUTHOR = Role.OWNER


def _author_only(role: Role, is_author: bool, allowed: int) -> int:
    """Only its author edits a comment, not even an admin."""
    return allowed if is_author else 403


def _author_or_admin(role: Role, is_author: bool, allowed: int) -> int:
    """Its author or an admin+ deletes a comment; a member who did not write it may not."""
    return allowed if is_author or role.at_least(Role.ADMIN) else 403


#: The contract's rules beyond the caller's role, applied where the role alone would allow.
RULES_BEYOND_ROLE: dict[str, Callable[[Role, bool, int], int]] = {
    "updateComment": _author_only,
    "deleteComment": _author_or_admin,
}


def expected_status(route: Route, role: Role | None, scope: Scope, *, is_author: bool | None = None) -> int:
    """What ``route`` answers a caller acting with ``role`` (``None``: no membership there) in
    ``scope``; ``is_author``: whether they wrote the world's comment (by default, its role's holder)."""
    assert route.action is not None
    if role is None or scope is Scope.OTHER:
        return 404  # never reveal to a non-member that the resource exists
    if not role.at_least(MINIMUM_ROLE[route.action]):
        return 403
    rule = RULES_BEYOND_ROLE.get(route.operation_id)
    author = role is COMMENT_AUTHOR if is_author is None else is_author
    return rule(role, author, route.success_status) if rule else route.success_status


@dataclass(frozen=True)
class Case:
    route: Route
    role: Role | None
    scope: Scope
    expected: int

    @property
    def caller_name(self) -> str:
        return self.role.value if self.role else "stranger"

    def __str__(self) -> str:
        return f"{self.route} as {self.caller_name} in the {self.scope.value}"

    def send(self, cast: Cast, world: World) -> httpx.Response:
        path = self.route.path.format(**world.path_values)
        return send(cast.caller(self.role), self.route, path, RECIPES[self.route.operation_id](world))


@dataclass(frozen=True)
class TokenCase:
    route: Route
    caller: TokenCaller
    scope: Scope
    expected: int

    @property
    def caller_name(self) -> str:
        return str(self.caller)

    def __str__(self) -> str:
        return f"{self.route} with the {self.caller} in the {self.scope.value}"

    def send(self, cast: Cast, world: World) -> httpx.Response:
        path = self.route.path.format(**world.path_values)
        return send(cast.token_client(self.caller, world), self.route, path, RECIPES[self.route.operation_id](world))


AnyCase = Case | TokenCase


def cases_for(route: Route) -> list[AnyCase]:
    return [Case(route, role, scope, expected_status(route, role, scope)) for role in CALLERS for scope in Scope]


def token_cases_for(route: Route) -> list[AnyCase]:
    """Each token caller at the own world; those reaching every workspace at the other world too
    (a token cannot name a workspace its holder is not in)."""
    return [
        TokenCase(
            route,
            caller,
            scope,
            expected_status(route, caller.acting_role, scope, is_author=caller.holder is COMMENT_AUTHOR),
        )
        for caller in TOKEN_CALLERS
        for scope in Scope
        if scope is Scope.OWN or caller.reach is Reach.EVERY
    ]


def problem_details_error(response: httpx.Response) -> str | None:
    """Why a refusal is not RFC 9457 problem details, if it is not."""
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return f"content-type {response.headers.get('content-type')!r}, not application/problem+json"
    problem = response.json()
    if problem.get("status") != response.status_code or not problem.get("title") or not problem.get("detail"):
        return "problem details without a matching status, a title and a detail"
    return None


def check(case: AnyCase, response: httpx.Response, seen: Counter[str]) -> list[str]:
    seen[str(response.status_code)] += 1
    excerpt = response.text[:200]
    if response.status_code != case.expected:
        return [f"{case}: expected {case.expected}, got {response.status_code}: {excerpt}"]
    error = problem_details_error(response) if response.status_code in REFUSED else None
    return [f"{case}: {error}: {excerpt}"] if error else []


def run_route(
    route: Route, cast: Cast, seen: Counter[str], cases_of: Callable[[Route], list[AnyCase]] = cases_for
) -> list[str]:
    cases = cases_of(route)
    shared = {Scope.OWN: cast.own_world(), Scope.OTHER: cast.other_world()}
    problems = run_refused(route, [case for case in cases if case.expected in REFUSED], cast, shared, seen)
    for case in cases:
        if case.expected not in REFUSED:
            # A read changes nothing, so it may use the shared world; any other allowed request may change
            # or delete what it addresses, so it gets a world of its own.
            world = shared[Scope.OWN] if route.method == "GET" else cast.own_world()
            problems += check(case, case.send(cast, world), seen)
    return problems


def run_refused(
    route: Route, cases: list[AnyCase], cast: Cast, worlds: dict[Scope, World], seen: Counter[str]
) -> list[str]:
    """Send every refused case of one route at the route's shared worlds, then check that none changed."""
    before = {scope: snapshot(world) for scope, world in worlds.items()}
    problems = [problem for case in cases for problem in check(case, case.send(cast, worlds[case.scope]), seen)]
    for scope, world in worlds.items():
        after = snapshot(world)
        changed = sorted(name for name in after if after[name] != before[scope][name])
        if changed:
            callers = ", ".join(case.caller_name for case in cases if case.scope is scope)
            problems.append(f"{route}: refused requests by {callers} changed {changed} in the {scope.value}")
    return problems


# --- the tests --------------------------------------------------------------


def test_only_account_level_routes_declare_no_action(routes: list[Route]) -> None:
    """A route on a workspace-owned resource that forgets its action would skip the tenancy guard."""
    unscoped = [route for route in routes if route.action is None]
    undeclared = [str(route) for route in unscoped if route.operation_id not in ACCOUNT_LEVEL_OPERATIONS]
    assert not undeclared, f"routes without {ACTION_KEY!r} in opt (declare the action they perform): {undeclared}"
    gone = ACCOUNT_LEVEL_OPERATIONS - {route.operation_id for route in unscoped}
    assert not gone, f"account-level routes missing or now declaring an action: {sorted(gone)}"


def test_every_scoped_route_has_a_request_recipe(routes: list[Route]) -> None:
    scoped = [route for route in routes if route.action is not None]
    missing = [str(route) for route in scoped if route.operation_id not in RECIPES]
    assert not missing, f"no request recipe for {missing}: add a valid body to RECIPES in this module"
    stale = RECIPES.keys() - {route.operation_id for route in scoped}
    assert not stale, f"recipes for routes that no longer exist: {sorted(stale)}"
    unknown = {str(route): unfilled for route in scoped if (unfilled := route.path_parameters - PATH_PARAMETERS)}
    assert not unknown, f"path parameters that World.path_values has no id for: {unknown}"


def run_matrix(
    routes: list[Route],
    api: Api,
    deployment: Deployment,
    cases_of: Callable[[Route], list[AnyCase]],
    scenario: str,
    callers: str,
    selection: str,
) -> None:
    """Send every case ``cases_of`` makes for each scoped route; record the figures; fail listing
    every case that differs from the contract or changed something."""
    cast = Cast.register(api)
    scoped = [route for route in routes if route.action is not None and route.operation_id in RECIPES]
    seen: Counter[str] = Counter()
    problems = [problem for route in scoped for problem in run_route(route, cast, seen, cases_of)]
    record(
        Figures(
            scenario=scenario,
            target=deployment.target.id,
            injected=f"{len(scoped)} routes x {callers} x (own, other workspace)",
            requests=sum(seen.values()),
            client_saw=describe(seen) + f"; {len(problems)} differing from the contract or changing something",
            lost=None,
            recovery_seconds=None,
            reproduce=f"python3 dev.py test tests/test_authorization_matrix.py -k '{selection}'",
        )
    )
    assert not problems, f"{len(problems)} authorization problems:\n" + "\n".join(problems)


def test_every_role_gets_what_the_contract_says_on_every_route(
    routes: list[Route], api: Api, deployment: Deployment
) -> None:
    target = deployment.target.id
    run_matrix(routes, api, deployment, cases_for, "Authorization matrix",
               "(stranger, viewer, member, admin, owner)", f"every_role and {target}")  # fmt: skip


def test_every_api_token_acts_with_its_limits_on_every_route(
    routes: list[Route], api: Api, deployment: Deployment
) -> None:
    """The token rows: each role cap x each workspace reach x every scoped route, bulk and move
    included, through the same guard as login tokens (``shared/spec/api.md``, "Personal API tokens")."""
    target = deployment.target.id
    run_matrix(routes, api, deployment, token_cases_for, "Authorization matrix, API tokens",
               f"{len(TOKEN_CALLERS)} token callers (role cap x reach)", f"api_token and {target}")  # fmt: skip
