"""Tokens a client may forge or keep too long, against the real server: each is a 401,
and none opens anything, on every path and database."""

from __future__ import annotations

import asyncio
import base64
import json
import sqlite3
import time
import uuid
from collections import Counter

import asyncpg
import jwt
import pytest

from tests.support.api import Api, assert_problem
from tests.support.deployment import Deployment
from tests.support.reliability import Figures, attack_figures, record, tallied

pytestmark = pytest.mark.security


def _token(claims: dict[str, object], secret: str) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def _claims(user: Api, **changes: object) -> dict[str, object]:
    now = int(time.time())
    return {"sub": user.id, "iat": now, "exp": now + 3600, **changes}


def _refused(api: Api, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    assert_problem(api.get("/api/me", headers=headers), 401)
    assert_problem(api.get("/api/workspaces", headers=headers), 401)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _tampered(token: str) -> str:
    """The server's own token with another subject in its payload, the signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    return f"{header}.{_b64(json.dumps({**claims, 'sub': str(uuid.uuid4())}).encode())}.{signature}"


_UNSIGNED_HEADER = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())


def _unsigned(token: str) -> str:
    """``alg: none``: the payload as issued, no signature."""
    return f"{_UNSIGNED_HEADER}.{token.split('.')[1]}."


def test_forged_expired_and_wrongly_signed_tokens_are_401(api: Api, deployment: Deployment) -> None:
    user = api.register("Holder")
    secret = deployment.env["TASKSTAR_SECRET_KEY"]
    assert api.get("/api/me", headers={"Authorization": f"Bearer {_token(_claims(user), secret)}"}).status_code == 200

    past = int(time.time()) - 7200
    with tallied(api.http) as seen:
        _refused(api, _token(_claims(user, iat=past, exp=past + 60), secret))  # expired
        _refused(api, _tampered(user.token or ""))
        _refused(api, _unsigned(user.token or ""))
        _refused(api, _token(_claims(user), "another-secret-" * 4))  # a key that is not the server's
        _refused(api, _token(_claims(user, sub=str(uuid.uuid4())), secret))  # a well-signed stranger
        _refused(api, _token(_claims(user, sub="not-a-uuid"), secret))
    forged = "expired, tampered payload, alg: none, another key, a well-signed unknown or malformed subject"
    record(_figures(deployment, "Forged and expired tokens", seen, forged))


def test_a_deleted_users_token_is_401(api: Api, deployment: Deployment) -> None:
    user = api.register("Leaver")
    assert user.get("/api/me").status_code == 200

    _delete_user(deployment.env["TASKSTAR_DATABASE_URL"], user.email)
    with tallied(api.http) as seen:
        _refused(api, user.token)  # type: ignore[arg-type]
    record(_figures(deployment, "A deleted user's token", seen, "a valid token whose user was deleted"))


def test_expired_and_deleted_users_api_tokens_are_401(api: Api, deployment: Deployment) -> None:
    url = deployment.env["TASKSTAR_DATABASE_URL"]
    expiring, leaver = api.register("Expiring"), api.register("Leaver")
    tokens = {}
    for user in (expiring, leaver):
        created = user.post("/api/me/tokens", json={"name": "script", "expires_in_days": 1})
        assert created.status_code == 201, created.text
        tokens[user.email] = created.json()
        assert api.get("/api/me", headers={"Authorization": f"Bearer {created.json()['token']}"}).status_code == 200

    # Behind the API's back: a day cannot pass in a test, and the contract has no account deletion.
    _expire_api_token(url, tokens[expiring.email]["prefix"])
    _delete_user(url, leaver.email)
    with tallied(api.http) as seen:
        _refused(api, tokens[expiring.email]["token"])
        _refused(api, tokens[leaver.email]["token"])
    assert expiring.get("/api/me/tokens").json()["total"] == 1, "an expired token stays listed until revoked"
    record(_figures(deployment, "Expired and orphaned API tokens", seen,
                    "an API token past its expires_at; one whose user was deleted"))  # fmt: skip


def _expire_api_token(url: str, prefix: str) -> None:
    """Move a token's expiry into the past (year 2000: before now in every stored form)."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            statement = "UPDATE api_token SET expires_at = '2000-01-01 00:00:00.000000' WHERE prefix = ?"
            assert connection.execute(statement, (prefix,)).rowcount == 1
        return

    async def expire() -> None:
        connection = await asyncpg.connect(url)
        try:
            statement = "UPDATE api_token SET expires_at = '2000-01-01T00:00:00Z' WHERE prefix = $1"
            assert await connection.execute(statement, prefix) == "UPDATE 1"
        finally:
            await connection.close()

    asyncio.run(expire())


def _figures(deployment: Deployment, scenario: str, seen: Counter[str], injected: str) -> Figures:
    reproduce = f"python3 dev.py test tests/test_token_attacks.py -k {deployment.target.id}"
    return attack_figures(deployment.target.id, scenario, injected, seen, reproduce)


def _delete_user(url: str, email: str) -> None:
    """Behind the API's back (the contract has no account deletion): by email, which every
    path's schema stores as text."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            connection.execute("PRAGMA foreign_keys = 1")
            assert connection.execute("DELETE FROM user_account WHERE email = ?", (email,)).rowcount == 1
        return

    async def delete() -> None:
        connection = await asyncpg.connect(url)
        try:
            assert await connection.execute("DELETE FROM user_account WHERE email = $1", email) == "DELETE 1"
        finally:
            await connection.close()

    asyncio.run(delete())
