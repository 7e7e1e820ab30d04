"""The real ``taskstar`` process, as users and external contract checkers run it."""

from __future__ import annotations

import itertools
import os
import random
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

TASKSTAR = str(Path(sys.executable).with_name("taskstar"))


#: Ports handed to test servers lie below Linux's ephemeral range (32768-60999, from which the
#: kernel picks ``bind(port 0)`` answers and the local ports of outgoing connections), one block
#: per pytest-xdist worker. The old way, ``bind(port 0)`` then close, let two workers be handed
#: the same port: the second server exited on "port in use" while its test talked to the first
#: one, and failed once that one stopped (a CI failure, "Connection refused").
_FIRST_PORT = 20000
_PORTS_PER_WORKER = 1000
_WORKER_BLOCKS = 12  # 20000-31999


def _worker_ports() -> Iterator[int]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    first = _FIRST_PORT + (int(worker) % _WORKER_BLOCKS if worker.isdigit() else 0) * _PORTS_PER_WORKER
    # A random start inside the block keeps two test sessions run side by side apart too.
    offset = random.randrange(_PORTS_PER_WORKER)
    return (first + (offset + step) % _PORTS_PER_WORKER for step in itertools.count())


_ports = _worker_ports()


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on, from this worker's own block: no other worker
    of the session is ever handed it. Raises ``RuntimeError`` when the whole block is taken."""
    for _ in range(_PORTS_PER_WORKER):
        port = next(_ports)
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("every port of this test worker's block is in use")


def taskstar(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a ``taskstar`` command to completion, with no terminal on stdin (as in CI)."""
    return subprocess.run(
        [TASKSTAR, *args],
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class Server:
    """``taskstar run`` on a port of this test worker's own, with ``workers`` worker processes."""

    def __init__(self, env: dict[str, str], log_path: Path, *, workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            [TASKSTAR, "run", "--host", "127.0.0.1", "--port", str(self.port), "--wc", str(workers)],
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"taskstar run exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"taskstar run did not become healthy in {timeout}s:\n{self.output()}")

    def log_lines(self, containing: str, *, at_least: int, timeout: float = 5) -> list[str]:
        """The log's lines containing ``containing``, once there are ``at_least`` of them or
        ``timeout`` seconds passed (the server writes its log from a background thread)."""
        deadline = time.monotonic() + timeout
        while True:
            lines = [line for line in self.output().splitlines() if containing in line]
            if len(lines) >= at_least or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text()

    def stop(self) -> None:
        if self._log.closed:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


def connections_in_use(base_url: str) -> int:
    """The server's pooled database connections checked out right now, from its ``/metrics``."""
    metrics = httpx.get(f"{base_url}/metrics").text
    return int(float(re.search(r"^taskstar_db_pool_connections_in_use (\S+)", metrics, re.MULTILINE)[1]))  # type: ignore[index]
