"""A live event stream read in a thread of its own, as a client of ``.../events/stream`` would."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Received:
    sequence: int
    kind: str
    event: dict[str, Any]
    at: float
    """``time.monotonic()`` when the client had it."""


@dataclass
class StreamReader:
    """Opens ``GET /api/workspaces/{id}/events/stream`` and collects what arrives until it ends.

    ``status`` is the response's status once known; ``ended`` is set when the server closed the
    stream (or it failed: ``error``). Comment lines are not events; ``comments`` counts them.
    """

    base_url: str
    token: str
    workspace_id: str
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    status: int | None = None
    problem: dict[str, Any] | None = None
    error: BaseException | None = None
    comments: int = 0
    opened: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._client = httpx.Client(base_url=self.base_url, timeout=httpx.Timeout(10, read=60))
        self._thread = threading.Thread(target=self._read, daemon=True)

    def start(self) -> StreamReader:
        self._thread.start()
        assert self.opened.wait(10), "the stream did not answer"
        return self

    def _read(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}", **self.headers}
        path = f"/api/workspaces/{self.workspace_id}/events/stream"
        try:
            with self._client.stream("GET", path, headers=headers, params=self.params) as response:
                self.status = response.status_code
                if self.status != 200:
                    self.problem = json.loads(response.read())
                    return
                assert response.headers["content-type"].startswith("text/event-stream")
                self.opened.set()
                self._parse(response.iter_lines())
        except httpx.HTTPError as error:
            self.error = error
        finally:
            self.opened.set()
            self.ended.set()

    def _parse(self, lines: Iterator[str]) -> None:
        """The event stream format (WHATWG HTML, "Server-sent events" 9.2.6): ``field: value``
        lines, a blank line ends an event, a line starting with ``:`` is a comment. (httpx-sse
        parses the same but hides comments, and a test must see the heartbeat and be able to stop
        between two lines.)"""
        fields: dict[str, str] = {}
        for line in lines:
            if self._stop.is_set():
                return
            if line.startswith(":"):
                self.comments += 1
            elif line:
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
            elif fields:
                event = json.loads(fields["data"])
                self.received.append(Received(int(fields["id"]), fields["event"], event, time.monotonic()))
                fields = {}

    def sequences(self) -> list[int]:
        return [item.sequence for item in self.received]

    def wait_for(self, count: int, timeout: float = 5) -> list[Received]:
        """Wait until ``count`` events arrived (or the stream ended); return what arrived."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and not self.ended.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.received)

    def close(self) -> None:
        """Stop reading at the next line (the servers under test send a comment every second)."""
        self._stop.set()
        self._thread.join(timeout=5)
        self._client.close()


def close_all(readers: list[StreamReader]) -> None:
    """Close many streams in about one heartbeat, not one heartbeat each."""
    for reader in readers:
        reader._stop.set()
    for reader in readers:
        reader.close()
