"""Concurrent writers through the real server: no 5xx, no 'database is locked', no lost write."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support.api import PASSWORD, Api, unique
from tests.support.server import Server


def test_concurrent_registrations_and_workspace_creation(server: Server, api: Api) -> None:
    emails = [f"{unique('burst')}@example.com" for _ in range(24)]

    def register(email: str) -> httpx.Response:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            return client.post("/api/auth/register", json={"email": email, "password": PASSWORD, "name": "Burst"})

    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(register, emails + emails[:6]))  # the last six race for taken emails

    statuses = [response.status_code for response in responses]
    assert statuses.count(201) == 24 and statuses.count(409) == 6, statuses
    assert all("locked" not in response.text for response in responses)

    owner = api.register("Racer")
    slug = unique("race")

    def create(_: int) -> httpx.Response:
        return owner.post("/api/workspaces", json={"name": "Race", "slug": slug})

    with ThreadPoolExecutor(max_workers=8) as pool:
        created = [response.status_code for response in pool.map(create, range(8))]
    assert sorted(created) == [201] + [409] * 7, created
    assert owner.get("/api/workspaces").json()["total"] == 1
