"""The harness's own promise: test servers of different pytest-xdist workers never get the same
port (a collision made a server exit on "port in use" while its test talked to another one)."""

from __future__ import annotations

import subprocess
import sys

EPHEMERAL_PORTS = range(32768, 61000)


def ports_of_worker(worker: str, count: int) -> set[int]:
    program = f"from tests.support.server import free_port; print(*(free_port() for _ in range({count})))"
    printed = subprocess.run(
        [sys.executable, "-c", program],
        env={"PYTEST_XDIST_WORKER": worker, "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {int(port) for port in printed.split()}


def test_two_workers_are_handed_disjoint_ports_outside_the_ephemeral_range() -> None:
    first, second = ports_of_worker("gw0", 200), ports_of_worker("gw1", 200)
    assert len(first) == len(second) == 200
    assert not first & second
    assert not any(port in EPHEMERAL_PORTS for port in first | second)
