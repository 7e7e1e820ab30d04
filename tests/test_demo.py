from __future__ import annotations

from tests.support.api import Api
from tests.support.deployment import Deployment
from tests.support.server import taskstar

#: Surnames of well-known people in computing, which demo data used to borrow.
REAL_PEOPLE = ("lovelace", "hopper", "torvalds", "hamilton", "turing", "knuth", "dijkstra", "liskov", "ritchie")


def test_demo_fills_a_workspace_a_new_user_can_explore(deployment: Deployment, api: Api) -> None:
    result = taskstar("demo", "--tasks-per-project", "12", env=deployment.env)
    assert result.returncode == 0, result.stderr
    assert "demo@taskstar.dev / taskstar-demo" in result.stdout

    login = api.post("/api/auth/login", json={"email": "demo@taskstar.dev", "password": "taskstar-demo"})
    demo = Api(api.http, token=login.json()["access_token"])
    [workspace] = demo.get("/api/workspaces").json()["items"]
    assert workspace["name"] == "Acme Inc."
    members = demo.get(f"/api/workspaces/{workspace['id']}/members").json()
    assert members["total"] == 5
    # Invented people only: no pioneer of computing lends a name to sample data.
    names = " ".join(member["user"]["name"] for member in members["items"]).lower()
    assert not [person for person in REAL_PEOPLE if person in names], names
    projects = demo.get(f"/api/workspaces/{workspace['id']}/projects").json()["items"]
    assert sorted(project["key"] for project in projects) == ["API", "OPS", "WEB"]
    tasks = demo.get(f"/api/projects/{projects[0]['id']}/tasks", params={"limit": 100}).json()
    assert tasks["total"] == 12
    assert sum(task["comment_count"] for task in tasks["items"]) > 0

    again = taskstar("demo", env=deployment.env)
    assert again.returncode == 0 and "already there" in again.stdout
