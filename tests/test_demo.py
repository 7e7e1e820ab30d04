from __future__ import annotations

from tests.support.api import Api
from tests.support.deployment import Deployment
from tests.support.server import taskstar


def test_demo_fills_a_workspace_a_new_user_can_explore(deployment: Deployment, api: Api) -> None:
    result = taskstar("demo", "--tasks-per-project", "12", env=deployment.env)
    assert result.returncode == 0, result.stderr
    assert "demo@taskstar.dev / taskstar-demo" in result.stdout

    login = api.post("/api/auth/login", json={"email": "demo@taskstar.dev", "password": "taskstar-demo"})
    demo = Api(api.http, token=login.json()["access_token"])
    [workspace] = demo.get("/api/workspaces").json()["items"]
    assert workspace["name"] == "Acme Inc."
    assert demo.get(f"/api/workspaces/{workspace['id']}/members").json()["total"] == 5
    projects = demo.get(f"/api/workspaces/{workspace['id']}/projects").json()["items"]
    assert sorted(project["key"] for project in projects) == ["API", "OPS", "WEB"]
    tasks = demo.get(f"/api/projects/{projects[0]['id']}/tasks", params={"limit": 100}).json()
    assert tasks["total"] == 12
    assert sum(task["comment_count"] for task in tasks["items"]) > 0

    again = taskstar("demo", env=deployment.env)
    assert again.returncode == 0 and "already there" in again.stdout
