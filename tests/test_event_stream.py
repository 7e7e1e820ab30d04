"""The live event stream (contract v1.1, "Live"), through ``taskstar run`` on every target.

The servers here send their heartbeat every second (``TASKSTAR_STREAM_HEARTBEAT``; 15 s by
default), so that a test sees it and a stream that should end does so within seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis

from taskstar.http.wakeups import RECONNECT_SECONDS
from tests.support.api import Api, assert_problem, create_project, create_task
from tests.support.deployment import Deployment, deployment_env
from tests.support.faults import database_of_its_own, on_postgresql_targets
from tests.support.proxy import SilenceableProxy
from tests.support.server import Server, connections_in_use, taskstar
from tests.support.streams import StreamReader, close_all
from tests.support.targets import REDIS_URL, Target

FAST_HEARTBEAT = {"TASKSTAR_STREAM_HEARTBEAT": "1"}
#: Two pooled connections: streams must not hold one while idle, or this server would stall.
SMALL_POOL = {"TASKSTAR_DB_POOL_SIZE": "2", "TASKSTAR_DB_POOL_TIMEOUT": "2"}


@pytest.fixture(scope="module")
def live_server(deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {**deployment.env, **FAST_HEARTBEAT, **SMALL_POOL}
    server = Server(env, tmp_path_factory.mktemp("live") / "server.log")
    try:
        server.wait_until_healthy()
        yield server
    finally:
        server.stop()


@pytest.fixture
def client(live_server: Server) -> Iterator[Api]:
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        yield Api(http)


def owner_with_project(anonymous: Api) -> tuple[Api, str, dict[str, Any]]:
    """A new user, their workspace's id and a project in it."""
    owner = anonymous.register("Owner")
    ws = owner.create_workspace()["id"]
    return owner, ws, create_project(owner, ws)


def stream(server: Server, user: Api, workspace_id: str, **options: dict[str, str]) -> StreamReader:
    assert user.token is not None
    return StreamReader(server.url, user.token, workspace_id, **options).start()  # type: ignore[arg-type]


def test_a_stream_sends_what_was_missed_then_each_event_as_it_commits(live_server: Server, client: Api) -> None:
    owner = client.register("Owner")
    ws = owner.create_workspace()["id"]
    project = create_project(owner, ws)
    first = create_task(owner, project["id"], title="Before")

    reader = stream(live_server, owner, ws)
    try:
        assert [item.kind for item in reader.wait_for(2)] == ["project.created", "task.created"]
        assert reader.received[1].event["data"] == first
        committed_at = time.monotonic()
        second = create_task(owner, project["id"], title="Live")
        arrived = reader.wait_for(3)
        assert [item.sequence for item in arrived] == [1, 2, 3]
        assert arrived[2].kind == "task.created" and arrived[2].event["subject_id"] == second["id"]
        assert arrived[2].at - committed_at < 1.0
        # The stream's events are the feed's, field for field.
        polled = owner.get(f"/api/workspaces/{ws}/events").json()["items"]
        assert [item.event for item in arrived] == polled
        time.sleep(1.5)
        assert reader.comments >= 1, "a comment line keeps an idle stream open"
    finally:
        reader.close()


def test_a_stream_resumes_after_last_event_id_or_after(live_server: Server, client: Api) -> None:
    owner = client.register("Owner")
    ws = owner.create_workspace()["id"]
    project = create_project(owner, ws)
    for number in range(4):
        create_task(owner, project["id"], title=f"T{number}")

    by_header = stream(live_server, owner, ws, headers={"Last-Event-ID": "3"})
    by_query = stream(live_server, owner, ws, params={"after": "4"})
    try:
        assert by_header.wait_for(2) and by_header.sequences() == [4, 5]
        assert by_query.wait_for(1) and by_query.sequences() == [5]
        create_task(owner, project["id"], title="Next")
        assert by_header.wait_for(3) and by_header.sequences() == [4, 5, 6]
        assert by_query.wait_for(2) and by_query.sequences() == [5, 6]
    finally:
        by_header.close()
        by_query.close()


def test_a_removed_member_gets_nothing_after_the_removal_and_the_stream_ends(live_server: Server, client: Api) -> None:
    owner, member = client.register("Owner"), client.register("Member")
    ws = owner.create_workspace()["id"]
    owner.add_member(ws, member, "member")
    project = create_project(owner, ws)

    reader = stream(live_server, member, ws)
    try:
        reader.wait_for(2)
        assert owner.delete(f"/api/workspaces/{ws}/members/{member.id}").status_code == 204
        create_task(owner, project["id"], title="Secret")
        assert reader.ended.wait(5), "the stream ended"
        kinds = [item.kind for item in reader.received]
        assert "task.created" not in kinds
        assert kinds[-1] in {"project.created", "member.removed"}
    finally:
        reader.close()


def test_a_revoked_api_tokens_stream_ends(live_server: Server, client: Api) -> None:
    owner = client.register("Owner")
    ws = owner.create_workspace()["id"]
    project = create_project(owner, ws)
    created = owner.post("/api/me/tokens", json={"name": "live", "max_role": "viewer"}).json()
    scripted = Api(client.http, token=created["token"])

    reader = stream(live_server, scripted, ws)
    try:
        reader.wait_for(1)
        assert owner.delete(f"/api/me/tokens/{created['id']}").status_code == 204
        assert reader.ended.wait(3), "the stream ended"
        create_task(owner, project["id"], title="After revocation")
        time.sleep(0.5)
        assert [item.kind for item in reader.received] == ["project.created"]
    finally:
        reader.close()


def test_the_eleventh_stream_of_a_user_is_a_429_and_strangers_get_404(live_server: Server, client: Api) -> None:
    owner = client.register("Owner")
    ws = owner.create_workspace()["id"]
    readers = [stream(live_server, owner, ws) for _ in range(10)]
    try:
        assert all(reader.status == 200 for reader in readers)
        eleventh = stream(live_server, owner, ws)
        assert eleventh.status == 429 and eleventh.problem is not None
        assert eleventh.problem["status"] == 429
        readers[0].close()
        time.sleep(0.3)
        again = stream(live_server, owner, ws)
        assert again.status == 200, "a closed stream gives its place back"
        readers[0] = again
    finally:
        for reader in readers:
            reader.close()

    stranger = client.register("Stranger")
    assert_problem(stranger.get(f"/api/workspaces/{ws}/events/stream"), 404)
    assert_problem(client.get(f"/api/workspaces/{ws}/events/stream"), 401)
    assert_problem(owner.get(f"/api/workspaces/{ws}/events/stream", headers={"Last-Event-ID": "x"}), 400)
    # Past the newest number: never handed out, so a stream there would wait while events go by.
    past = assert_problem(owner.get(f"/api/workspaces/{ws}/events/stream", headers={"Last-Event-ID": "99"}), 400)
    assert [error["field"] for error in past["errors"]] == ["last_event_id"]  # what was sent, as when malformed
    past = assert_problem(owner.get(f"/api/workspaces/{ws}/events/stream", params={"after": 99}), 400)
    assert [error["field"] for error in past["errors"]] == ["after"]


def test_a_write_in_one_process_reaches_a_stream_held_by_another_within_a_second(
    deployment: Deployment, live_server: Server, client: Api, tmp_path: Path
) -> None:
    """Two ``taskstar run`` processes on the same database (on SQLite, the same file)."""
    other = Server({**deployment.env, **FAST_HEARTBEAT}, tmp_path / "other.log")
    try:
        other.wait_until_healthy()
        owner = client.register("Owner")
        ws = owner.create_workspace()["id"]
        project = create_project(owner, ws)
        reader = stream(other, owner, ws)
        try:
            reader.wait_for(1)
            delays = []
            for number in range(5):
                committed_at = time.monotonic()
                create_task(owner, project["id"], title=f"Across {number}")  # through live_server
                arrived = reader.wait_for(2 + number, timeout=3)
                assert len(arrived) == 2 + number, f"event {number} did not cross"
                delays.append(arrived[-1].at - committed_at)
            assert max(delays) < 1.0, delays
        finally:
            reader.close()
    finally:
        other.stop()


def test_without_redis_the_stream_cap_spans_processes_and_a_killed_one_gives_its_places_back(
    deployment: Deployment, live_server: Server, client: Api, tmp_path: Path
) -> None:
    """Two ``taskstar run`` processes on the same database, no Redis: the 10 streams per user are
    counted across both (PostgreSQL advisory locks; byte-range locks on a file beside the SQLite
    one), and a process killed with ``kill -9`` gives its places back at once (the database ends
    its session; the kernel drops its file locks): nothing to wait out, unlike Redis leases."""
    other = Server({**deployment.env, **FAST_HEARTBEAT}, tmp_path / "other.log")
    readers: list[StreamReader] = []
    try:
        other.wait_until_healthy()
        owner = client.register("Owner")
        ws = owner.create_workspace()["id"]
        readers += [stream(other, owner, ws) for _ in range(6)]
        readers += [stream(live_server, owner, ws) for _ in range(4)]
        assert [reader.status for reader in readers] == [200] * 10
        assert one_more(live_server, owner, ws) == 429
        assert one_more(other, owner, ws) == 429

        readers.pop(0).close()  # one of the other process's: its place is free in this one
        assert opens_within(5, lambda: stream(live_server, owner, ws), readers), "a place given back"
        assert one_more(other, owner, ws) == 429

        other.process.kill()
        other.process.wait(10)
        for number in range(5):
            assert opens_within(2, lambda: stream(live_server, owner, ws), readers), f"killed worker's place {number}"
        assert one_more(live_server, owner, ws) == 429
    finally:
        other.stop()
        close_all(readers)


@on_postgresql_targets
def test_when_postgresql_ends_every_session_the_stream_cap_holds_again(deployment: Deployment, tmp_path: Path) -> None:
    """A failover or an administrator ends every session: each process's slot locks go with its
    lock session. Found by review: the first process to open a stream then took a place of the
    other's, which kept its streams too, and 14 streams stayed open for good. Now each process
    opens a new session at once and takes its places back; a stream whose place was taken
    meanwhile moves to a free one or ends. A database of its own: every session on it is ended."""
    with database_of_its_own(deployment, tmp_path) as own:
        first = Server({**own.env, **FAST_HEARTBEAT}, tmp_path / "first.log")
        second = Server({**own.env, **FAST_HEARTBEAT}, tmp_path / "second.log")
        readers: list[StreamReader] = []
        try:
            first.wait_until_healthy()
            second.wait_until_healthy()
            with httpx.Client(base_url=first.url, timeout=30) as http:
                owner, ws, _ = owner_with_project(Api(http))
            readers += [stream(first, owner, ws) for _ in range(6)]
            readers += [stream(second, owner, ws) for _ in range(4)]
            assert [reader.status for reader in readers] == [200] * 10

            end_every_session(own)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # both servers asked for more, as clients would
                for server in (first, second):
                    reader = stream(server, owner, ws)
                    if reader.status == 200:
                        readers.append(reader)
                    else:
                        reader.close()
                time.sleep(0.1)
            time.sleep(1)  # a stream that lost its place has ended by now
            still_open = [reader for reader in readers if not reader.ended.is_set()]
            assert len(still_open) <= 10, f"{len(still_open)} streams open for one user"
            assert one_more(first, owner, ws) == 429
            assert one_more(second, owner, ws) == 429
        finally:
            first.stop()
            second.stop()
            close_all(readers)


def end_every_session(deployment: Deployment) -> None:
    """``pg_terminate_backend`` on every other session of the target's database."""

    async def end() -> None:
        connection = await asyncpg.connect(deployment.env["TASKSTAR_DATABASE_URL"])
        try:
            await connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        finally:
            await connection.close()

    asyncio.run(end())


def test_with_redis_set_wake_ups_and_the_stream_cap_span_processes(deployment: Deployment, tmp_path: Path) -> None:
    """``TASKSTAR_REDIS_URL`` set: wake-ups go through Redis pub/sub instead of the database, and
    the 10 streams per user are counted across processes. The stream that shows the wake-up is
    held by a server at the default 15 s heartbeat, so only a wake-up brings it an event within a
    second. A database of their own, so that no other test's server is listening on it."""
    with database_of_its_own(deployment, tmp_path) as own:
        env = {**own.env, "TASKSTAR_REDIS_URL": REDIS_URL}
        quiet = Server(env, tmp_path / "quiet.log")  # heartbeat 15 s: its leases last 45 s
        brisk = Server({**env, **FAST_HEARTBEAT}, tmp_path / "brisk.log")  # 1 s: its leases last 3 s
        subscriber = redis.Redis.from_url(REDIS_URL).pubsub(ignore_subscribe_messages=True)
        subscriber.subscribe("taskstar_events")
        readers: list[StreamReader] = []
        try:
            quiet.wait_until_healthy()
            brisk.wait_until_healthy()
            with httpx.Client(base_url=brisk.url, timeout=30) as http:
                owner, ws, project = owner_with_project(Api(http))

                readers.append(stream(quiet, owner, ws))
                readers[0].wait_for(1)
                committed_at = time.monotonic()
                create_task(owner, project["id"], title="Through Redis")  # through the brisk server
                arrived = readers[0].wait_for(2, timeout=3)
                assert len(arrived) == 2 and arrived[-1].at - committed_at < 1.0, "the wake-up crossed"
                assert ws.encode() in drain(subscriber), "it went through Redis"
                if own.target.database == "postgresql":
                    assert listening_sessions(own) == 0, "no LISTEN connection beside Redis"

                readers += [stream(brisk, owner, ws) for _ in range(9)]
                assert [reader.status for reader in readers] == [200] * 10
                assert one_more(quiet, owner, ws) == 429
                assert one_more(brisk, owner, ws) == 429
                readers.pop().close()  # one of the brisk server's: its place is free on the quiet one
                assert opens_within(5, lambda: stream(quiet, owner, ws), readers), "a place given back"

                brisk.process.kill()  # SIGKILL: its 8 leases are never released, they lapse
                brisk.process.wait(10)
                assert one_more(quiet, owner, ws) == 429, "a killed worker's leases outlive it a while"
                assert opens_within(10, lambda: stream(quiet, owner, ws), readers), "they lapsed"
        finally:
            quiet.stop()
            brisk.stop()
            for reader in readers:
                reader.close()
            subscriber.close()


def test_a_redis_connection_gone_silent_is_replaced(tmp_path: Path) -> None:
    """A Redis host that crashes closes no socket: the subscriber must notice the silence itself
    (a PING after a heartbeat of quiet, none answered within two) and subscribe anew. The holder
    reaches Redis through a proxy whose open connections are then silenced; the writer directly.
    Edge code only, so one target (the default path on its own SQLite file)."""
    target = Target("sqlalchemy-async", "sqlite")
    env = deployment_env(target, f"sqlite:///{tmp_path / 'taskstar.db'}", tmp_path / "data")
    assert taskstar("database", "upgrade", "--no-prompt", env=env).returncode == 0
    redis_host, redis_port = REDIS_URL.removeprefix("redis://").split("/")[0].split(":")
    proxy = SilenceableProxy(redis_host, int(redis_port))
    heartbeat = 2.0
    holder = Server(
        {**env, "TASKSTAR_REDIS_URL": f"redis://127.0.0.1:{proxy.port}/0", "TASKSTAR_STREAM_HEARTBEAT": str(heartbeat)},
        tmp_path / "holder.log",
    )
    writer = Server({**env, "TASKSTAR_REDIS_URL": REDIS_URL}, tmp_path / "writer.log")
    reader = None
    try:
        holder.wait_until_healthy()
        writer.wait_until_healthy()
        with httpx.Client(base_url=writer.url, timeout=30) as http:
            owner, ws, project = owner_with_project(Api(http))
            reader = stream(holder, owner, ws)
            reader.wait_for(1)

            proxy.silence_open_connections()
            lost = holder.log_lines("no answer from Redis", at_least=1, timeout=3 * heartbeat + 3)
            assert lost, "the silent subscription was noticed"
            time.sleep(RECONNECT_SECONDS + 0.5)  # then it subscribes anew, through a new connection
            for number in range(3):  # a heartbeat's re-read would take up to 2 s: three in 0.5 s each are the wake-up
                committed_at = time.monotonic()
                create_task(owner, project["id"], title=f"After the silence {number}")
                arrived = reader.wait_for(2 + number, timeout=5)
                assert len(arrived) == 2 + number and arrived[-1].at - committed_at < 0.5, number
    finally:
        holder.stop()
        writer.stop()
        if reader is not None:
            reader.close()
        proxy.close()


def one_more(server: Server, user: Api, workspace_id: str) -> int | None:
    """The status of one more stream, closed at once."""
    reader = stream(server, user, workspace_id)
    reader.close()
    return reader.status


def opens_within(seconds: float, open_stream: Callable[[], StreamReader], readers: list[StreamReader]) -> bool:
    """Whether ``open_stream`` answers 200 within ``seconds`` (the open stream joins ``readers``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        reader = open_stream()
        if reader.status == 200:
            readers.append(reader)
            return True
        reader.close()
        time.sleep(0.2)
    return False


def drain(subscriber: redis.client.PubSub, seconds: float = 0.5) -> list[bytes]:
    """The messages the subscriber received so far, and for ``seconds`` more. (``get_message``
    answers ``None`` for each subscription's confirmation too, so ``None`` does not mean "no more".)"""
    payloads = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (message := subscriber.get_message(timeout=0.1)) is not None:
            payloads.append(message["data"])
    return payloads


def listening_sessions(deployment: Deployment) -> int:
    """The sessions on the target's PostgreSQL database whose last statement was a ``LISTEN``."""

    async def count() -> int:
        connection = await asyncpg.connect(deployment.env["TASKSTAR_DATABASE_URL"])
        try:
            query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'"
            return int(await connection.fetchval(query))
        finally:
            await connection.close()

    return asyncio.run(count())


def test_a_client_resumes_with_last_event_id_after_the_server_is_killed_and_restarted(
    deployment: Deployment, tmp_path: Path
) -> None:
    first = Server({**deployment.env, **FAST_HEARTBEAT}, tmp_path / "first.log")
    first.wait_until_healthy()
    with httpx.Client(base_url=first.url, timeout=30) as http:
        owner = Api(http).register("Owner")
        ws = owner.create_workspace()["id"]
        project = create_project(owner, ws)
        create_task(owner, project["id"], title="Seen")
        reader = stream(first, owner, ws)
        seen = reader.wait_for(2)
        first.process.kill()  # SIGKILL: no shutdown, no goodbye to the stream
        first.process.wait(10)
        assert reader.ended.wait(5)
        reader.close()
    first.stop()

    second = Server({**deployment.env, **FAST_HEARTBEAT}, tmp_path / "second.log")
    try:
        second.wait_until_healthy()
        with httpx.Client(base_url=second.url, timeout=30) as http:
            owner = Api(http, token=owner.token, user=owner.user)
            missed = [create_task(owner, project["id"], title=f"Missed {number}")["id"] for number in range(3)]
            resumed = stream(second, owner, ws, headers={"Last-Event-ID": str(seen[-1].sequence)})
            try:
                arrived = resumed.wait_for(3)
                time.sleep(0.5)  # nothing more than that, nothing twice
                assert [item.sequence for item in resumed.received] == [3, 4, 5]
                assert [item.event["subject_id"] for item in arrived] == missed
            finally:
                resumed.close()
    finally:
        second.stop()


def test_with_two_worker_processes_every_write_reaches_every_stream_within_a_second(
    deployment: Deployment, tmp_path: Path
) -> None:
    """``taskstar run --wc 2``: the streams land on either worker, and so do the writes."""
    server = Server({**deployment.env, **FAST_HEARTBEAT}, tmp_path / "workers.log", workers=2)
    try:
        server.wait_until_healthy()
        with httpx.Client(base_url=server.url, timeout=30) as http:
            owner = Api(http).register("Owner")
            ws = owner.create_workspace()["id"]
            project = create_project(owner, ws)
            readers = [stream(server, owner, ws) for _ in range(4)]
            try:
                for reader in readers:
                    reader.wait_for(1)
                committed = []
                for number in range(6):
                    committed.append(time.monotonic())
                    with httpx.Client(base_url=server.url, timeout=30) as fresh:  # a new connection each time
                        create_task(Api(fresh, token=owner.token), project["id"], title=f"W{number}")
                for reader in readers:
                    arrived = reader.wait_for(7, timeout=3)
                    assert [item.sequence for item in arrived] == list(range(1, 8))
                    delays = [item.at - at for item, at in zip(arrived[1:], committed, strict=True)]
                    assert max(delays) < 1.0, delays
            finally:
                for reader in readers:
                    reader.close()
    finally:
        server.stop()


def test_open_streams_hold_no_database_connection_while_idle(live_server: Server, client: Api) -> None:
    """200 streams (20 users x 10) on a pool of two connections: the pool stays free, other
    requests pass. (The issue asks for 200 on a pool of 20; two is the harder case.)"""
    owner = client.register("Owner")
    ws = owner.create_workspace()["id"]
    viewers = [client.register(f"Viewer{number}") for number in range(19)]
    for viewer in viewers:
        owner.add_member(ws, viewer, "viewer")
    project = create_project(owner, ws)
    with ThreadPoolExecutor(max_workers=4) as pool:
        readers = list(pool.map(lambda user: stream(live_server, user, ws), [owner, *viewers] * 10))
    try:
        assert [reader.status for reader in readers] == [200] * 200
        time.sleep(1.5)  # past a heartbeat: every feed has re-read once
        # The workspace's one reader re-reads once per heartbeat, for a few milliseconds (longer
        # on a loaded machine: a single sample in a CI run once caught it), so the gauge is
        # sampled over two heartbeats: held connections would keep it at 2, the pool's size.
        samples = []
        for _ in range(20):
            samples.append(connections_in_use(live_server.url))
            time.sleep(0.1)
        assert max(samples) <= 1 and samples.count(0) >= 15, samples
        for number in range(10):
            create_task(owner, project["id"], title=f"Busy {number}")
            assert owner.get(f"/api/workspaces/{ws}/projects").status_code == 200
        for reader in readers:  # 19 member.added, project.created, ten tasks
            assert len(reader.wait_for(30)) == 30
    finally:
        close_all(readers)
