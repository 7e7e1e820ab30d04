"""``taskstar demo``: a live-looking workspace for a first look, written through the HTTP API.

Going through the API in-process (instead of through one path's services)
fills any persistence path the same way and keeps every rule on: numbering,
activity, comment counts.
"""

from __future__ import annotations

import dataclasses
import logging
import random
from datetime import date, timedelta
from typing import Any

import httpx

from taskstar.settings import RateLimit, Settings

DEMO_EMAIL = "demo@taskstar.dev"
DEMO_PASSWORD = "taskstar-demo"
#: Invented people: demo data names no real person.
DEMO_OWNER = "Robin Vale"
TEAM = [
    ("noor@taskstar.dev", "Noor Haddad", "admin"),
    ("tomas@taskstar.dev", "Tomas Lindqvist", "member"),
    ("mika@taskstar.dev", "Mika Sorensen", "member"),
    ("ines@taskstar.dev", "Ines Carvalho", "viewer"),
]
PROJECTS = [
    ("WEB", "Website", "The public site and the sign-up flow"),
    ("API", "Public API", None),
    ("OPS", "Operations", "Deploys, monitoring, on-call"),
]
TAGS = [("bug", "#d73a4a"), ("feature", "#0e8a16"), ("ui", "#1d76db"), ("backend", "#5319e7"), ("docs", "#fbca04")]
VERBS = ["Fix", "Add", "Refactor", "Document", "Speed up", "Test", "Design", "Remove", "Migrate", "Review"]
THINGS = [
    "login form",
    "password reset",
    "billing page",
    "search",
    "rate limiter",
    "dashboard",
    "export to CSV",
    "webhooks",
    "audit log",
    "dark mode",
    "onboarding email",
    "error pages",
    "cache layer",
    "API keys",
]
STATUSES = ["todo"] * 4 + ["in_progress"] * 3 + ["done"] * 3 + ["canceled"]
PRIORITIES = ["none", "low", "medium", "medium", "high", "urgent"]
COMMENTS = [
    "Looks good to me.",
    "Can we split this up?",
    "I can take this one.",
    "Blocked on the API change.",
    "Shipped to staging.",
    "Needs a test first.",
    "Repro steps in the description.",
]


class DemoError(RuntimeError):
    pass


async def fill(settings: Settings, *, tasks_per_project: int = 120) -> str:
    """Create the demo workspace; returns a line on how to log in."""
    from taskstar.app import create_app

    # Registering the team is several logins from one address: lift the limit for this run only.
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise here
    app = create_app(dataclasses.replace(settings, auth_rate_limit=RateLimit(1000, "minute")))
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # httpx types ASGI's events as dicts
        async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
            return await _fill(client, tasks_per_project, random.Random(42))


async def _fill(client: httpx.AsyncClient, tasks_per_project: int, rng: random.Random) -> str:
    owner = await _account(client, DEMO_EMAIL, DEMO_OWNER, DEMO_PASSWORD)
    if owner is None:
        return f"The demo data is already there. Log in as {DEMO_EMAIL} / {DEMO_PASSWORD}."
    team = []
    for email, name, role in TEAM:
        member = await _account(client, email, name, DEMO_PASSWORD)
        team.append((member or await _login(client, email, DEMO_PASSWORD), role))
    workspace = await _call(owner, "POST", "/api/workspaces", {"name": "Acme Inc.", "slug": "acme-demo"})
    ws = f"/api/workspaces/{workspace['id']}"
    people = [owner["_user"]["id"]]
    for member, role in team:
        added = await _call(owner, "POST", f"{ws}/members", {"email": member["_user"]["email"], "role": role})
        people.append(added["user"]["id"])
    tags = [(await _call(owner, "POST", f"{ws}/tags", {"name": n, "color": c}))["id"] for n, c in TAGS]
    writers = [owner] + [member for member, role in team if role != "viewer"]
    today = date.today()
    for key, name, description in PROJECTS:
        project = await _call(owner, "POST", f"{ws}/projects", {"key": key, "name": name, "description": description})
        items = [
            {
                "title": f"{rng.choice(VERBS)} {rng.choice(THINGS)}",
                "status": rng.choice(STATUSES),
                "priority": rng.choice(PRIORITIES),
                "assignee_id": rng.choice([*people, None]),
                "tag_ids": rng.sample(tags, rng.randint(0, 2)),
                "due_date": (today + timedelta(days=rng.randint(-10, 60))).isoformat() if rng.random() < 0.6 else None,
                "position": float(index),
            }
            for index in range(tasks_per_project)
        ]
        created = []
        for start in range(0, len(items), 100):
            batch = await _call(
                rng.choice(writers),
                "POST",
                f"/api/projects/{project['id']}/tasks/bulk",
                {"items": items[start : start + 100]},
            )
            created += batch["items"]
        for task in rng.sample(created, len(created) // 3):
            for _ in range(rng.randint(1, 3)):
                comment = {"body": rng.choice(COMMENTS)}
                await _call(rng.choice(writers), "POST", f"/api/tasks/{task['id']}/comments", comment)
    return f"Demo workspace 'Acme Inc.' is ready. Log in as {DEMO_EMAIL} / {DEMO_PASSWORD}."


async def _account(client: httpx.AsyncClient, email: str, name: str, password: str) -> dict[str, Any] | None:
    """A signed-in client for a new account, or None when the account exists already."""
    response = await client.post("/api/auth/register", json={"email": email, "password": password, "name": name})
    if response.status_code == 409:
        return None
    if response.status_code != 201:
        raise DemoError(f"register {email}: {response.status_code} {response.text}")
    return await _login(client, email, password)


async def _login(client: httpx.AsyncClient, email: str, password: str) -> dict[str, Any]:
    response = await client.post("/api/auth/login", json={"email": email, "password": password})
    if response.status_code != 200:
        raise DemoError(f"login {email}: {response.status_code} {response.text}")
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    me = (await client.get("/api/me", headers=headers)).json()
    return {"_client": client, "_headers": headers, "_user": me}


async def _call(who: dict[str, Any], method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await who["_client"].request(method, path, json=body, headers=who["_headers"])
    if response.status_code >= 300:
        raise DemoError(f"{method} {path}: {response.status_code} {response.text}")
    created: dict[str, Any] = response.json()
    return created
