"""``HEAD`` on every path that serves ``GET`` (RFC 9110 9.3.2: a general-purpose server must
support it; the answer is GET's status and header fields, without content).

Litestar routes ``HEAD`` only to handlers declared for it, and refuses to declare it beside
``GET`` on a handler that returns a body, so ``HEAD /api/me`` was a 405. The app's ASGI entry
point is wrapped once the app is built: a ``HEAD`` request is routed, authorized and answered
as the ``GET`` it mirrors, and the content is dropped on the way out (the ``Content-Length``
stays, as the RFC allows). ``Allow`` lists ``HEAD`` wherever it lists ``GET``
(``with_head``: the 405s in ``http.problems``, the ``OPTIONS`` answers in ``http.allow``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send


def answer_head_as_get(app: Litestar) -> None:
    """Wrap ``app``'s ASGI handler so that ``HEAD`` requests are served by ``GET`` handlers,
    without content."""
    serve: ASGIApp = app.asgi_handler

    async def head_as_get(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "HEAD":
            await serve(scope, receive, send)
            return

        async def send_without_content(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {"type": "http.response.body", "body": b"", "more_body": message.get("more_body", False)}
            await send(message)

        as_get = cast("HTTPScope", {**scope, "method": "GET"})
        await serve(as_get, receive, send_without_content)

    app.asgi_handler = head_as_get


def with_head(methods: Iterable[str]) -> str:
    """An ``Allow`` field value: ``methods`` sorted, with ``HEAD`` wherever ``GET`` is."""
    allowed = {method.strip().upper() for method in methods if method.strip()}
    if "GET" in allowed:
        allowed.add("HEAD")
    return ", ".join(sorted(allowed))
