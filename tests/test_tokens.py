"""Tokens are verified once and remembered; what is remembered must never outlive the token."""

from __future__ import annotations

import time
import uuid

import pytest
from litestar.exceptions import NotAuthorizedException

from taskstar.http.auth import VerifiedToken, jwt_auth

SECRET = "s" * 48


def test_a_token_accepted_before_is_refused_once_it_expires() -> None:
    auth = jwt_auth(SECRET, token_ttl_seconds=1)
    encoded = auth.create_token(identifier=str(uuid.uuid4()))

    assert VerifiedToken.decode(encoded, SECRET, auth.algorithm).sub  # verified, now remembered
    time.sleep(1.1)

    with pytest.raises(NotAuthorizedException):
        VerifiedToken.decode(encoded, SECRET, auth.algorithm)


def test_a_remembered_token_is_not_accepted_with_another_secret() -> None:
    auth = jwt_auth(SECRET, token_ttl_seconds=60)
    encoded = auth.create_token(identifier=str(uuid.uuid4()))
    VerifiedToken.decode(encoded, SECRET, auth.algorithm)

    with pytest.raises(NotAuthorizedException):
        VerifiedToken.decode(encoded, "another secret " * 4, auth.algorithm)
