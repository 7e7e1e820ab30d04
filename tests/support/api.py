"""A client that knows only the HTTP contract (``shared/spec/api.md``)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

PASSWORD = "correct horse battery"
#: Internal columns (the next task number, the case-folded tag name) that no response may show.
INTERNAL_KEYS = frozenset({"last_task_number", "name_key", "memberships"})


def secrets_in(value: Any) -> list[str]:
    """Keys that name a password, a hash or an internal column, and values that are argon2 hashes,
    anywhere in a JSON document."""
    if isinstance(value, dict):
        found = [key for key in value if "password" in key.lower() or "hash" in key.lower() or key in INTERNAL_KEYS]
        return found + [leak for item in value.values() for leak in secrets_in(item)]
    if isinstance(value, list):
        return [leak for item in value for leak in secrets_in(item)]
    return [value] if isinstance(value, str) and value.startswith("$argon2") else []


#: A personal API token, and a SHA-256 digest in hex (how the server stores tokens).
API_TOKEN = re.compile(r"tsk_[0-9A-Za-z]{36}")
HEX_DIGEST = re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{64}(?![0-9a-fA-F])")


def _shows_a_new_token(response: httpx.Response) -> bool:
    """The one response allowed to carry a token: its creation (the contract: shown once)."""
    return (
        response.request.method == "POST"
        and response.request.url.path == "/api/me/tokens"
        and (response.status_code == 201)
    )


def assert_nothing_private(response: httpx.Response) -> None:
    """Every response the suite sees passes through here: no secret may leave. (An event stream
    never ends, so it is not read here; its events are the feed's, which are.)"""
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        return
    response.read()
    assert "$argon2" not in response.text, response.text[:300]
    if not _shows_a_new_token(response):
        assert not API_TOKEN.search(response.text), f"{response.request.url} shows an API token"
    is_json = response.headers.get("content-type", "").startswith(("application/json", "application/problem+json"))
    assert not (is_json and HEX_DIGEST.search(response.text)), f"{response.request.url} shows a SHA-256 digest"
    if is_json and response.request.method != "HEAD":  # a HEAD answer has GET's type, no content
        leaked = secrets_in(response.json())
        assert not leaked, f"{response.request.method} {response.request.url} leaked {leaked}"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Api:
    http: httpx.Client
    token: str | None = None
    user: dict[str, Any] | None = None

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = httpx.Headers(kwargs.pop("headers", None))  # keeps a field sent on several lines
        if self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    @property
    def id(self) -> str:
        assert self.user is not None
        return self.user["id"]

    @property
    def email(self) -> str:
        assert self.user is not None
        return self.user["email"]

    def register(self, name: str = "Ada") -> Api:
        """A new account, signed in."""
        email = f"{unique(name.lower())}@example.com"
        created = self.post("/api/auth/register", json={"email": email, "password": PASSWORD, "name": name})
        assert created.status_code == 201, created.text
        login = self.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        return Api(self.http, token=login.json()["access_token"], user=created.json())

    def create_workspace(self, name: str = "Web team") -> dict[str, Any]:
        response = self.post("/api/workspaces", json={"name": name, "slug": unique("ws")})
        assert response.status_code == 201, response.text
        return response.json()

    def add_member(self, workspace_id: str, member: Api, role: str) -> dict[str, Any]:
        response = self.post(f"/api/workspaces/{workspace_id}/members", json={"email": member.email, "role": role})
        assert response.status_code == 201, response.text
        return response.json()


def team(api: Api) -> tuple[dict[str, Any], dict[str, Api]]:
    """A workspace with one user of each role."""
    people = {role: api.register(role.title()) for role in ("owner", "admin", "member", "viewer")}
    workspace = people["owner"].create_workspace()
    for role in ("admin", "member", "viewer"):
        people["owner"].add_member(workspace["id"], people[role], role)
    return workspace, people


def project_key() -> str:
    return "P" + uuid.uuid4().hex[:6].upper()


def create_project(user: Api, workspace_id: str, key: str | None = None) -> dict[str, Any]:
    response = user.post(
        f"/api/workspaces/{workspace_id}/projects", json={"key": key or project_key(), "name": "Project"}
    )
    assert response.status_code == 201, response.text
    return response.json()


def create_task(user: Api, project_id: str, **fields: Any) -> dict[str, Any]:
    response = user.post(f"/api/projects/{project_id}/tasks", json={"title": "A task", **fields})
    assert response.status_code == 201, response.text
    return response.json()


def create_tag(user: Api, workspace_id: str, name: str = "bug", color: str = "#ff0000") -> dict[str, Any]:
    response = user.post(f"/api/workspaces/{workspace_id}/tags", json={"name": name, "color": color})
    assert response.status_code == 201, response.text
    return response.json()


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    problem = response.json()
    assert problem["status"] == status
    assert problem["title"] and problem["detail"]
    return problem
