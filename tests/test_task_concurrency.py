"""Concurrent requests against the real server: unique numbers, exactly one winner per version."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support.api import Api, create_project, create_task


def test_concurrent_creates_get_unique_numbers(api: Api) -> None:
    owner = api.register()
    pid = create_project(owner, owner.create_workspace()["id"])["id"]

    def create(index: int) -> httpx.Response:
        if index % 4 == 0:
            return owner.post(f"/api/projects/{pid}/tasks/bulk", json={"items": [{"title": "b"}] * 3})
        return owner.post(f"/api/projects/{pid}/tasks", json={"title": f"c{index}"})

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(create, range(24)))
    assert [r.status_code for r in responses] == [201] * 24, [r.text for r in responses if r.status_code != 201]
    assert all("locked" not in r.text for r in responses)
    listed = owner.get(f"/api/projects/{pid}/tasks", params={"limit": 100}).json()
    assert sorted(task["number"] for task in listed["items"]) == list(range(1, 18 + 6 * 3 + 1))


def test_of_concurrent_patches_with_one_if_match_exactly_one_wins(api: Api) -> None:
    owner = api.register()
    pid = create_project(owner, owner.create_workspace()["id"])["id"]
    task = create_task(owner, pid)

    def patch(index: int) -> httpx.Response:
        return owner.patch(f"/api/tasks/{task['id']}", json={"title": f"writer {index}"}, headers={"If-Match": '"1"'})

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(response.status_code for response in pool.map(patch, range(8)))
    assert statuses == [200] + [412] * 7, statuses
    final = owner.get(f"/api/tasks/{task['id']}").json()
    assert final["version"] == 2
    assert owner.get(f"/api/tasks/{task['id']}/activity").json()["total"] == 2
