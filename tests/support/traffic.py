"""Concurrent clients against a real server that record every answer they get.

Fault and soak tests judge the server by these records: what each client was
told (status, latency) and what a 2xx acknowledged, to be found afterwards.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

#: Long enough that a slow answer is measured as slow, not cut short by the client.
CLIENT_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Answer:
    operation: str
    status: int | None
    """``None``: no HTTP answer at all (connection refused or reset by a dying server)."""
    seconds: float
    body: Any
    """The JSON of a 2xx answer; the text of any other."""
    retry_after: str | None = None
    content_type: str = ""

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Client:
    """One signed-in client that records each call it makes."""

    def __init__(self, base_url: str, token: str, seed: int, answers: list[Answer], lock: threading.Lock) -> None:
        self.http = httpx.Client(
            base_url=base_url, timeout=CLIENT_TIMEOUT_SECONDS, headers={"Authorization": f"Bearer {token}"}
        )
        self.random = random.Random(seed)
        self._answers = answers
        self._lock = lock

    def call(self, operation: str, method: str, path: str, **kwargs: Any) -> Answer:
        started = time.monotonic()
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.TransportError:
            answer = Answer(operation, None, time.monotonic() - started, None)
        else:
            ok = 200 <= response.status_code < 300
            answer = Answer(
                operation,
                response.status_code,
                time.monotonic() - started,
                (response.json() if response.content else None) if ok else response.text[:500],
                response.headers.get("Retry-After"),
                response.headers.get("content-type", ""),
            )
        with self._lock:
            self._answers.append(answer)
        return answer


Step = Callable[[Client], None]


class Traffic:
    """``clients`` threads, each repeating ``step`` until :meth:`stop` (or the ``with`` block ends)."""

    def __init__(self, base_url: str, token: str, step: Step, *, clients: int) -> None:
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._clients = [Client(base_url, token, seed, self.answers, self._lock) for seed in range(clients)]
        self._threads = [
            threading.Thread(target=self._run, args=(client, step), daemon=True) for client in self._clients
        ]

    def _run(self, client: Client, step: Step) -> None:
        while not self._stopping.is_set():
            step(client)

    def __enter__(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def halt(self) -> None:
        """Start no new call; calls in flight go on."""
        self._stopping.set()

    def stop(self) -> None:
        self.halt()
        for thread in self._threads:
            thread.join(timeout=CLIENT_TIMEOUT_SECONDS + 5)
        for client in self._clients:
            client.http.close()

    def snapshot(self) -> list[Answer]:
        with self._lock:
            return list(self.answers)


def statuses(answers: Iterable[Answer]) -> Counter[str]:
    """How many answers of each status (``no answer`` for a dropped connection)."""
    return count_codes(answer.status for answer in answers)


def count_codes(codes: Iterable[int | None]) -> Counter[str]:
    return Counter("no answer" if code is None else str(code) for code in codes)


def describe(counts: Counter[str]) -> str:
    """``"201 x 412, 503 x 37"``: what the clients saw, for assertion messages and the report."""
    return ", ".join(f"{status} x {count}" for status, count in sorted(counts.items()))
