"""Stopping ``taskstar run`` stops all of it: the PID a process manager knows is the whole server.

With ``--workers 2`` Litestar used to spawn uvicorn's supervisor as a child: a SIGTERM to
``taskstar`` ended it alone, and the supervisor and both workers kept serving on the port,
reparented to init. Each signal that ends ``taskstar run`` must end every process it started,
after in-flight requests finish, and free the port.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.support.server import TASKSTAR, free_port, taskstar


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux ``/proc``), to see what outlives it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # exited meanwhile
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, frontier = set(), [pid]
    while frontier:
        for child in children.get(frontier.pop(), []):
            found.add(child)
            frontier.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its exit status waits to be read


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_taskstar_run_stops_every_process_and_frees_the_port(
    tmp_path: Path, workers: int, stop_signal: signal.Signals
) -> None:
    """Process handling is the CLI's and uvicorn's, the same on every persistence path and
    database: it runs once, on the embedded default, migrated first as the README says."""
    env = {"TASKSTAR_DATA_DIR": str(tmp_path), "TASKSTAR_SECRET_KEY": "k" * 40}
    assert taskstar("database", "upgrade", "--no-prompt", env=env).returncode == 0
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [TASKSTAR, "run", "--host", "127.0.0.1", "--port", str(port), "--wc", str(workers)],
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "taskstar run did not become healthy"
            time.sleep(0.1)
        started = descendants(server.pid)
        if workers > 1:
            assert len(started) >= workers, f"expected {workers} worker processes, found {started}"

        server.send_signal(stop_signal)
        server.wait(timeout=45)
        deadline = time.monotonic() + 10
        while (survivors := {pid for pid in started if alive(pid)}) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not survivors, f"processes outlived taskstar run: {survivors}"
        assert port_is_free(port), f"port {port} is still served after taskstar run exited"
    finally:
        for pid in started | descendants(server.pid) | {server.pid}:  # orphans too, if the test failed
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        server.wait(timeout=10)
        log.close()
