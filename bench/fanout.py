"""``python3 dev.py bench --fanout``: how long a committed change takes to reach open event streams.

For each database and worker count: a fresh migrated database, ``taskstar run`` (``--wc 1`` and
``--wc 2``, as users run it), ``--streams`` live streams held open on one workspace (20 users,
10 streams each: the contract's cap per user), then ``--writes`` task creations, one every 100 ms.
A stream's latency for a write is the moment it received the event minus the moment the writer
had its 201 (so the commit, which precedes the 201, is not counted against the stream). Reports
p50, p99 and the worst over every (stream, write) pair, and whether every stream got every event
exactly once, in order. The streams run in this process on one asyncio loop; the server and the
client share the machine's cores, as they would on a small host.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.run import BIN, Server, drop_database, free_port, prepare_database, upgrade

STREAMS_PER_USER = 10
PASSWORD = "fan-out benchmark password"


@dataclass
class Result:
    database: str
    workers: int
    streams: int
    writes: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    complete: bool


async def _user(client: httpx.AsyncClient, index: int) -> tuple[str, str]:
    """A new account's email and login token."""
    email = f"fanout-{index}-{os.urandom(3).hex()}@example.com"
    registered = await client.post(
        "/api/auth/register", json={"email": email, "password": PASSWORD, "name": f"U{index}"}
    )
    registered.raise_for_status()
    login = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    login.raise_for_status()
    return email, login.json()["access_token"]


async def _stream(url: str, token: str, path: str, arrivals: dict[int, float], ready: asyncio.Event) -> None:
    async with (
        httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(10, read=None)) as client,
        client.stream("GET", path, headers={"Authorization": f"Bearer {token}"}) as response,
    ):
        response.raise_for_status()
        ready.set()
        async for line in response.aiter_lines():
            if line.startswith("id: "):
                sequence = int(line[4:])
                if sequence in arrivals:
                    raise AssertionError(f"event {sequence} arrived twice")
                arrivals[sequence] = time.monotonic()


async def measure(url: str, streams: int, writes: int) -> tuple[list[float], bool]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        users = [await _user(client, index) for index in range((streams + STREAMS_PER_USER - 1) // STREAMS_PER_USER)]
        owner_token = users[0][1]
        owner = {"Authorization": f"Bearer {owner_token}"}
        workspace = await client.post(
            "/api/workspaces", json={"name": "Fan-out", "slug": f"fanout-{os.urandom(4).hex()}"}, headers=owner
        )
        ws = workspace.json()["id"]
        for email, _token in users[1:]:
            member = await client.post(
                f"/api/workspaces/{ws}/members", json={"email": email, "role": "viewer"}, headers=owner
            )
            member.raise_for_status()
        project = await client.post(
            f"/api/workspaces/{ws}/projects", json={"key": "FAN", "name": "Fan-out"}, headers=owner
        )
        # Start after member.added and project.created: the streams wait for the writes only.
        after = (await client.get(f"/api/workspaces/{ws}/events", params={"limit": 100}, headers=owner)).json()[
            "next_after"
        ]
        path = f"/api/workspaces/{ws}/events/stream?after={after}"
        arrivals: list[dict[int, float]] = [{} for _ in range(streams)]
        readies = [asyncio.Event() for _ in range(streams)]
        tasks = [
            asyncio.create_task(
                _stream(url, users[index // STREAMS_PER_USER][1], path, arrivals[index], readies[index])
            )
            for index in range(streams)
        ]
        await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), 60)
        await asyncio.sleep(1)
        acknowledged: dict[int, float] = {}
        for number in range(writes):
            created = await client.post(
                f"/api/projects/{project.json()['id']}/tasks", json={"title": f"Fan {number}"}, headers=owner
            )
            created.raise_for_status()
            acknowledged[after + number + 1] = time.monotonic()
            await asyncio.sleep(0.1)
        await asyncio.sleep(2)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    latencies = [
        max(0.0, arrived[sequence] - at)
        for arrived in arrivals
        for sequence, at in acknowledged.items()
        if sequence in arrived
    ]
    # Arrival order is insertion order: every stream got every write's event, once, in sequence order.
    complete = all(list(arrived) == list(acknowledged) for arrived in arrivals)
    return latencies, complete


def run(database: str, workers: int, streams: int, writes: int, workdir: Path) -> Result:
    url, name = prepare_database(database, workdir)
    env = {
        "TASKSTAR_DATABASE_URL": url,
        "TASKSTAR_DATA_DIR": str(workdir / "data"),
        "TASKSTAR_LOG_LEVEL": "WARNING",
        "TASKSTAR_AUTH_RATE_LIMIT": "100000/minute",
        "TASKSTAR_SECRET_KEY": secrets.token_urlsafe(48),
    }
    try:
        upgrade(env)
        port = free_port()
        server = Server(
            [str(BIN / "taskstar"), "run", "--host", "127.0.0.1", "--port", str(port), "--wc", str(workers)],
            env,
            port,
            workdir / f"{database}-{workers}.log",
        )
        try:
            server.wait("/health")
            latencies, complete = asyncio.run(measure(server.url, streams, writes))
        finally:
            server.stop()
    finally:
        drop_database(name)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return Result(database, workers, streams, writes, cuts[49] * 1000, cuts[98] * 1000, max(latencies) * 1000, complete)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--writes", type=int, default=50)
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="taskstar-fanout-") as directory:
        for database in args.databases.split(","):
            for workers in (int(value) for value in args.workers.split(",")):
                workdir = Path(directory) / f"{database}-{workers}"
                workdir.mkdir()
                result = run(database, workers, args.streams, args.writes, workdir)
                results.append(result)
                print(json.dumps(result.__dict__), flush=True)
    print("\n| database | workers | streams | writes | p50 ms | p99 ms | max ms | every event, once, in order |")
    print("|---|---|---|---|---|---|---|---|")
    for result in results:
        print(
            f"| {result.database} | {result.workers} | {result.streams} | {result.writes} | {result.p50_ms:.0f} "
            f"| {result.p99_ms:.0f} | {result.max_ms:.0f} | {'yes' if result.complete else 'NO'} |"
        )


if __name__ == "__main__":
    main()
