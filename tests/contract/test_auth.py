from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from taskstar.domain.passwords import DEFAULT_MEMORY_KIB
from tests.support.api import PASSWORD, Api, assert_problem, unique
from tests.support.deployment import Deployment
from tests.support.server import Server

USER_FIELDS = {"id", "email", "name", "created_at", "updated_at"}


def test_register_returns_the_user_without_any_secret(api: Api) -> None:
    email = f"{unique('Grace')}@Example.COM"
    response = api.post("/api/auth/register", json={"email": email, "password": PASSWORD, "name": "Grace"})

    assert response.status_code == 201
    user = response.json()
    assert set(user) == USER_FIELDS
    assert user["email"] == email.lower()
    assert user["name"] == "Grace"


def test_emails_are_unique_ignoring_case(api: Api) -> None:
    email = f"{unique('dup')}@example.com"
    first = api.post("/api/auth/register", json={"email": email, "password": PASSWORD, "name": "A"})
    assert first.status_code == 201
    again = api.post("/api/auth/register", json={"email": email.upper(), "password": PASSWORD, "name": "B"})
    problem = assert_problem(again, 409)
    assert problem["errors"][0]["field"] == "email"


def test_register_validates_every_field(api: Api) -> None:
    good = {"email": f"{unique('v')}@example.com", "password": PASSWORD, "name": "Val"}
    for field, bad_value in [
        ("email", "not-an-email"),
        ("email", "a" * 250 + "@x.io"),
        ("password", "short"),
        ("password", "p" * 129),
        ("name", ""),
        ("name", "n" * 201),
    ]:
        problem = assert_problem(api.post("/api/auth/register", json={**good, field: bad_value}), 400)
        assert [error["field"] for error in problem["errors"]] == [field], (field, bad_value)
    # The good body itself is accepted, so the 400s above came from the one bad field.
    assert api.post("/api/auth/register", json=good).status_code == 201


def test_login_returns_a_bearer_token_that_opens_me(api: Api) -> None:
    user = api.register("Linus")
    login = api.post("/api/auth/login", json={"email": user.email.upper(), "password": PASSWORD})

    assert login.status_code == 200
    body = login.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0
    me = api.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json() == user.user


def test_unknown_email_and_wrong_password_fail_alike(api: Api) -> None:
    user = api.register("Tim")
    wrong = api.post("/api/auth/login", json={"email": user.email, "password": "not the password"})
    unknown = api.post("/api/auth/login", json={"email": f"{unique('ghost')}@example.com", "password": PASSWORD})

    assert assert_problem(wrong, 401) == assert_problem(unknown, 401)


@pytest.fixture
def full_cost_api(deployment: Deployment, tmp_path: Path) -> Iterator[Api]:
    """A client of a server hashing at the default argon2id cost: the suite's other servers use
    1 MiB, at which a skipped hash would hide in the noise of the request itself."""
    env = {**deployment.env, "TASKSTAR_PASSWORD_HASH_MEMORY": str(DEFAULT_MEMORY_KIB)}
    server = Server(env, tmp_path / "server.log")
    try:
        server.wait_until_healthy()
        with httpx.Client(base_url=server.url, timeout=30) as http:
            yield Api(http)
    finally:
        server.stop()


def test_unknown_email_takes_as_long_as_a_wrong_password(full_cost_api: Api) -> None:
    """Without the dummy hash an unknown email answers ~50x faster, telling who has an account.
    Known and unknown logins alternate, so a busy machine slows both alike."""
    user = full_cost_api.register("Timing")
    nobody = f"{unique('nobody')}@example.com"
    samples: dict[str, list[float]] = {user.email: [], nobody: []}
    for _ in range(7):
        for email, seconds in samples.items():
            started = time.perf_counter()
            response = full_cost_api.post("/api/auth/login", json={"email": email, "password": "wrong password"})
            seconds.append(time.perf_counter() - started)
            assert response.status_code == 401
    known, unknown = statistics.median(samples[user.email]), statistics.median(samples[nobody])
    assert 0.6 < unknown / known < 1.6, (known, unknown)


def test_api_routes_need_a_valid_token(api: Api) -> None:
    """(Forged, expired and stale tokens: tests/test_token_attacks.py.)"""
    user = api.register("Token")
    for headers in [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": f"Basic {user.token}"}]:
        assert_problem(api.get("/api/me", headers=headers), 401)
        assert_problem(api.get("/api/workspaces", headers=headers), 401)
    assert user.get("/api/me").status_code == 200
