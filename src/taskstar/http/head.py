"""``HEAD`` on every path that serves ``GET`` (RFC 9110 9.3.2: a general-purpose server must
support it; the answer is GET's status and header fields, without content).

Litestar routes ``HEAD`` only to handlers declared for it, and refuses to declare it beside
``GET`` on a handler that returns a body, so ``HEAD /api/me`` was a 405. :class:`TaskstarApp`
serves a ``HEAD`` request as the ``GET`` it mirrors (routed, authorized and answered alike)
and drops the content on the way out (the ``Content-Length`` stays, as the RFC allows).
``Allow`` lists ``HEAD`` wherever it lists ``GET`` (:func:`with_head`: the 405s in
``http.problems``, the ``OPTIONS`` answers in ``http.allow``).

The request is rewritten before Litestar sees it, on a copy of the ASGI scope: everything
Litestar and its plugins keep in the scope for the request (advanced-alchemy's session, which
its ``before_send`` hook closes) lives in that one copy. Rewriting it further in, inside the
app, left the session where the hook did not look, and every authenticated ``HEAD`` kept a
pooled connection until the pool ran dry.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import (
    HTTPScope,
    LifeSpanReceive,
    LifeSpanScope,
    LifeSpanSend,
    Message,
    Receive,
    Scope,
    Send,
)


class TaskstarApp(Litestar):
    """Litestar, with ``HEAD`` served by the ``GET`` handlers; the server (uvicorn) keeps the
    request's own scope, so it too knows to send no content."""

    async def __call__(
        self, scope: Scope | LifeSpanScope, receive: Receive | LifeSpanReceive, send: Send | LifeSpanSend
    ) -> None:
        if scope["type"] != ScopeType.HTTP or cast("HTTPScope", scope)["method"] != "HEAD":
            await super().__call__(scope, receive, send)
            return
        send_on = cast("Send", send)

        async def send_without_content(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {"type": "http.response.body", "body": b"", "more_body": message.get("more_body", False)}
            await send_on(message)

        as_get = cast("HTTPScope", {**scope, "method": "GET"})
        await super().__call__(as_get, receive, send_without_content)


def with_head(methods: Iterable[str]) -> str:
    """An ``Allow`` field value: ``methods`` sorted, with ``HEAD`` wherever ``GET`` is."""
    allowed = {method.strip().upper() for method in methods if method.strip()}
    if "GET" in allowed:
        allowed.add("HEAD")
    return ", ".join(sorted(allowed))
