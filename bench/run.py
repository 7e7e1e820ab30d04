"""``python3 dev.py bench``: Taskstar against the raw-driver floor, side by side, under wrk.

For each database: migrate a fresh database, seed the data set, start Taskstar (``taskstar run``,
as users run it) once per persistence path, and the floor (``bench/floor.py`` under the same
uvicorn), all pinned to core 0, then drive each scenario with wrk pinned to core 1, interleaved
(floor, each path, floor, ...) so drift on the machine cancels out. Writes
``bench/results/<stamp>/report.md``, ``chart.png`` and ``results.json`` and prints the table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean, median

import httpx

from bench.seed import BENCH_EMAIL, BENCH_PASSWORD, Seeded, generate, write_piccolo, write_sqlalchemy
from taskstar.settings import Persistence, Settings

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
POSTGRES_ADMIN = os.environ.get("TASKSTAR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SCENARIOS = ("get task", "get task (API token)", "list 50", "create task", "patch task")
PATHS = tuple(path.value for path in Persistence)


@dataclass
class Sample:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    statements_per_request: float
    rss_mb: float


@dataclass
class Row:
    database: str
    scenario: str
    path: str
    floor: list[Sample] = field(default_factory=list)  # shared by the rows of one scenario: the same floor runs
    taskstar: list[Sample] = field(default_factory=list)

    def ratio(self) -> float:
        return mean(s.rps for s in self.taskstar) / mean(s.rps for s in self.floor)


def ensure_wrk() -> str:
    if path := shutil.which("wrk"):
        return path
    print("bench: wrk is missing; installing Debian's wrk package (apt-get install wrk)", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or sys.exit("bench: wrk could not be installed")


def pinned(core: int, command: list[str]) -> list[str]:
    return ["taskset", "-c", str(core), *command] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else command


class Server:
    def __init__(self, command: list[str], env: dict[str, str], port: int, log: Path, cwd: Path = ROOT) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log.open("w")
        self.process = subprocess.Popen(command, env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, cwd=cwd)  # fmt: skip

    def wait(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"bench: server exited; see {self.log.name}")
            try:
                httpx.get(self.url + path, timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        sys.exit(f"bench: server on {self.port} did not start")

    def rss_mb(self) -> float:
        pids = [self.process.pid, *_children(self.process.pid)]
        total = 0
        for pid in pids:
            status = Path(f"/proc/{pid}/status")
            if status.exists() and (match := re.search(r"VmRSS:\s+(\d+) kB", status.read_text())):
                total = max(total, int(match.group(1)))
        return total / 1024

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def start_taskstar(taskstar: Path, env: dict[str, str], log: Path, cwd: Path = ROOT) -> Server:
    """``taskstar run`` (the given entry point, as users run it) on a free port, pinned to core 0."""
    port = free_port()
    return Server(pinned(0, [str(taskstar), "run", "--host", "127.0.0.1", "--port", str(port)]), env, port, log, cwd)


def start_floor(env: dict[str, str], log: Path) -> Server:
    """The raw-driver floor (``bench/floor.py``) under uvicorn on a free port, pinned to core 0."""
    port = free_port()
    command = [str(BIN / "python"), "-m", "uvicorn", "bench.floor:app", "--host", "127.0.0.1", "--port", str(port)]
    return Server(pinned(0, command), env, port, log)


def login(server: Server) -> str:
    """The seeded bench user's bearer token, from the server's own login."""
    answer = httpx.post(f"{server.url}/api/auth/login", json={"email": BENCH_EMAIL, "password": BENCH_PASSWORD})
    return answer.json()["access_token"]


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(child) for child in found]


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lua_scripts(directory: Path, token: str, seeded: object) -> dict[str, Path]:
    ids = seeded.task_ids[:: max(1, len(seeded.task_ids) // 2000)]  # type: ignore[attr-defined]
    projects = seeded.project_ids  # type: ignore[attr-defined]
    tags = seeded.tag_ids  # type: ignore[attr-defined]

    def table(values: list[object]) -> str:
        return "{" + ",".join(f'"{value}"' for value in values) + "}"

    head = (
        f"math.randomseed(42)\nids = {table(ids)}\nprojects = {table(projects)}\ntags = {table(tags)}\n"
        f'wrk.headers["Authorization"] = "Bearer {token}"\nwrk.headers["Content-Type"] = "application/json"\n'
        "function pick(t) return t[math.random(#t)] end\n"
    )
    api_token = f'wrk.headers["Authorization"] = "Bearer {seeded.api_token}"\n'  # type: ignore[attr-defined]
    bodies = {
        "get task": 'request = function() return wrk.format("GET", "/api/tasks/" .. pick(ids)) end',
        "get task (API token)": api_token
        + 'request = function() return wrk.format("GET", "/api/tasks/" .. pick(ids)) end',
        "list 50": 'request = function() return wrk.format("GET", "/api/projects/" .. pick(projects) .. '
        '"/tasks?limit=50&status=todo&status=in_progress&order_by=priority&sort_order=desc") end',
        "create task": 'request = function() return wrk.format("POST", "/api/projects/" .. pick(projects) .. "/tasks",'
        ' nil, \'{"title":"bench task","priority":"high","tag_ids":["\' .. pick(tags) .. \'"]}\') end',
        "patch task": 'priorities = {"none","low","medium","high","urgent"}\n'
        'request = function() return wrk.format("PATCH", "/api/tasks/" .. pick(ids), nil,'
        " '{\"priority\":\"' .. pick(priorities) .. '\"}') end",
    }
    scripts = {}
    for scenario, body in bodies.items():
        path = directory / (re.sub(r"[^a-z0-9]+", "_", scenario).strip("_") + ".lua")
        path.write_text(head + body + "\n")
        scripts[scenario] = path
    return scripts


def run_wrk(wrk: str, url: str, script: Path, seconds: int, connections: int) -> tuple[float, float, float, int, int]:
    out = subprocess.run(
        pinned(1, [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url]),
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0

    def percentile(label: str) -> float:
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return rps, percentile("50"), percentile("99"), requests, errors


def warm_up(wrk: str, servers: list[Server], script: Path, connections: int) -> None:
    """One second of the scenario on each server first: caches, pools, lazy imports."""
    for server in servers:
        run_wrk(wrk, server.url, script, 1, connections)


def measure(wrk: str, server: Server, script: Path, args: argparse.Namespace, floor: bool = False) -> Sample:
    """One wrk run of ``args.duration`` seconds against ``server``, with the statements it cost."""
    before = statements(server, floor)
    rps, p50, p99, requests, errors = run_wrk(wrk, server.url, script, args.duration, args.connections)
    spent = statements(server, floor) - before
    return Sample(rps, p50, p99, requests, errors, spent / max(requests, 1), server.rss_mb())


def statements(server: Server, floor: bool) -> float:
    if floor:
        return httpx.get(f"{server.url}/floor/statements").json()["statements"]
    metrics = httpx.get(f"{server.url}/metrics").text
    match = re.search(r"^taskstar_db_statements_total ([\d.e+]+)", metrics, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def prepare_database(kind: str, directory: Path) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite:///{directory / 'bench.db'}", None
    import asyncpg

    name = f"taskstar_bench_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN)
        await connection.execute(f'CREATE DATABASE "{name}"')
        await connection.close()

    asyncio.run(create())
    return POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}", name


def upgrade(env: dict[str, str]) -> None:
    done = subprocess.run([str(BIN / "taskstar"), "database", "upgrade", "--no-prompt"], env={**os.environ, **env},
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"bench: `taskstar database upgrade` failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")


def drop_database(name: str | None) -> None:
    if name is None:
        return
    import asyncpg

    async def drop() -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()

    asyncio.run(drop())


@contextmanager
def seeded_databases(
    kind: str,
    args: argparse.Namespace,
    directory: Path,
    check_schema: Callable[[dict[str, str]], None] | None = None,
    before_upgrade: Callable[[dict[str, dict[str, str]]], None] | None = None,
) -> Iterator[tuple[dict[str, str], dict[str, dict[str, str]], Seeded]]:
    """A fresh ``kind`` database under ``directory``, migrated and seeded with ``args.tasks`` tasks (and, for the
    Piccolo path, its own database with the same rows); dropped on exit. ``check_schema`` is called with each
    schema's environment once migrated, before any row is written; ``before_upgrade`` with each path's
    environment while the databases are still empty, before this tree migrates them. Yields the floor's
    environment, each path's, and the seeded ids."""
    directory.mkdir()
    url, pg_name = prepare_database(kind, directory)
    pg_names = [pg_name]
    env = {
        "TASKSTAR_DATABASE_URL": url,
        "TASKSTAR_DATA_DIR": str(directory),
        "TASKSTAR_SECRET_KEY": secrets.token_urlsafe(48),
        "TASKSTAR_LOG_LEVEL": "WARNING",
        "TASKSTAR_AUTH_RATE_LIMIT": "1000/minute",
    }
    try:
        started = time.monotonic()
        data = generate(tasks=args.tasks)
        path_env = {path: {**env, "TASKSTAR_PERSISTENCE": path} for path in args.paths}
        if "piccolo" in args.paths:
            # Piccolo has its own schema: its own database, seeded with the same rows (same ids).
            (directory / "piccolo").mkdir()
            piccolo_url, piccolo_pg_name = prepare_database(kind, directory / "piccolo")
            pg_names.append(piccolo_pg_name)
            path_env["piccolo"] |= {"TASKSTAR_DATABASE_URL": piccolo_url}
        if before_upgrade:
            before_upgrade(path_env)
        upgrade(env)
        if check_schema and (sqlalchemy_paths := [path for path in args.paths if path != "piccolo"]):
            check_schema(path_env[sqlalchemy_paths[0]])
        asyncio.run(write_sqlalchemy(Settings.from_env(env), data))
        if "piccolo" in args.paths:
            upgrade(path_env["piccolo"])
            if check_schema:
                check_schema(path_env["piccolo"])
            asyncio.run(write_piccolo(Settings.from_env(path_env["piccolo"]), data))
        seeded = data.seeded()
        print(f"bench[{kind}]: seeded {len(seeded.task_ids)} tasks in {time.monotonic() - started:.0f}s", flush=True)
        yield env, path_env, seeded
    finally:
        for name in pg_names:
            drop_database(name)


def fitting_pool_size(kind: str, env: dict[str, str], servers: int) -> int | None:
    """On PostgreSQL, the pool size (connections per server, at most the one ``env`` configures) with
    which ``servers`` servers, all driven at once, stay within the server's ``max_connections``;
    ``None`` on SQLite.

    Each Taskstar server also holds one connection outside its pool (the ``LISTEN`` session of the
    live updates; its stream-lock session opens with a first stream, and the bench opens none), and
    the bench and ``psql`` need a few of their own. With PostgreSQL's default of 100, four paths and
    the floor at Taskstar's 20 each asked for 104: the last path started got "too many clients" and
    its requests failed. Raises ``SystemExit`` when not even a pool of 4 fits.
    """
    if kind != "postgresql":
        return None
    import asyncpg

    async def free_connections() -> int:
        connection = await asyncpg.connect(POSTGRES_ADMIN)
        try:
            return await connection.fetchval(
                "SELECT current_setting('max_connections')::int"
                " - current_setting('superuser_reserved_connections')::int"
                " - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')"
            )
        finally:
            await connection.close()

    headroom = 5  # the bench's own connections (seeding, dropping, statement counts) and a psql
    size = min(Settings.from_env(env).db_pool_size, (asyncio.run(free_connections()) - headroom) // servers - 1)
    if size < 4:
        sys.exit(f"bench: PostgreSQL has too few free connections for {servers} servers; raise max_connections")
    return size


def bench_database(kind: str, args: argparse.Namespace, wrk: str, workdir: Path) -> list[Row]:
    """Every scenario on every path of ``args.paths`` and on the floor, all serving one seeded ``kind``
    database at once, interleaved over ``args.rounds``; the servers are stopped afterwards."""
    directory = workdir / kind
    servers: list[Server] = []
    with seeded_databases(kind, args, directory) as (env, path_env, seeded):
        if (pool_size := fitting_pool_size(kind, env, servers=len(args.paths) + 1)) is not None:
            args.pool_sizes[kind] = pool_size
            for server_env in (env, *path_env.values()):
                server_env["TASKSTAR_DB_POOL_SIZE"] = str(pool_size)
        try:
            taskstars = {path: start_taskstar(BIN / "taskstar", path_env[path], directory / f"taskstar-{path}.log")
                         for path in args.paths}  # fmt: skip
            floor = start_floor(env, directory / "floor.log")
            servers = [*taskstars.values(), floor]
            for server in taskstars.values():
                server.wait("/health")
            floor.wait("/floor/statements")
            scripts = lua_scripts(directory, login(next(iter(taskstars.values()))), seeded)
            floors: dict[str, list[Sample]] = {scenario: [] for scenario in args.scenarios}
            scenarios = {scenario: {path: Row(kind, scenario, path, floors[scenario]) for path in taskstars}
                         for scenario in args.scenarios}  # fmt: skip
            for scenario in scenarios:
                warm_up(wrk, servers[-1:] + servers[:-1], scripts[scenario], args.connections)
            # Rounds outermost: every scenario gets a share of each stretch of the run, so drift on
            # the machine falls on all of them alike.
            for round_number in range(args.rounds):
                for group in paired_scenarios(list(scenarios), round_number):
                    for scenario in group:
                        floors[scenario].append(measure(wrk, floor, scripts[scenario], args, floor=True))
                    for path in taskstars:
                        for scenario in group:
                            scenarios[scenario][path].taskstar.append(
                                measure(wrk, taskstars[path], scripts[scenario], args)
                            )
            rows = []
            for scenario, scenario_rows in scenarios.items():
                for path, row in scenario_rows.items():
                    print(f"bench[{kind}] {scenario} {path}: floor {mean(s.rps for s in row.floor):.0f} req/s, "
                          f"Taskstar {mean(s.rps for s in row.taskstar):.0f} req/s, ratio {row.ratio():.2f}",
                          flush=True)  # fmt: skip
                    rows.append(row)
            return rows
        finally:
            for server in servers:
                server.stop()


def machine() -> dict[str, str]:
    from importlib.metadata import version

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    import sqlite3

    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    return {
        "cpu": f"{cpu} x{os.cpu_count()}", "python": platform.python_version(), "litestar": version("litestar"),
        "sqlalchemy": version("sqlalchemy"), "advanced-alchemy": version("advanced-alchemy"),
        "asyncpg": version("asyncpg"), "psycopg": version("psycopg"), "uvicorn": version("uvicorn"),
        "sqlite": sqlite3.sqlite_version,
        "wrk": wrk_version.strip(),
    }  # fmt: skip


def report(rows: list[Row], args: argparse.Namespace, out: Path) -> str:
    lines = [
        f"# Taskstar benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"{args.tasks} tasks; wrk -t1 -c{args.connections}, {args.rounds} x {args.duration}s per server and "
        "scenario, interleaved (floor, then each path); servers pinned to core 0, wrk to core 1. "
        "Each path's ratio is to the floor's runs of the same scenario."
        + "".join(
            f" On {kind}, {size} pooled connections per server (all fit in max_connections)."
            for kind, size in args.pool_sizes.items()
        ),
        "",
        "| database | scenario | path | floor req/s | Taskstar req/s | ratio | p50 ms (floor / Taskstar) | "
        "p99 ms (floor / Taskstar) | SQL/request (floor / Taskstar) | RSS MB Taskstar | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        f, t = row.floor, row.taskstar
        lines.append(
            f"| {row.database} | {row.scenario} | {row.path} | "
            f"{mean(s.rps for s in f):.0f} | {mean(s.rps for s in t):.0f} | "
            f"**{row.ratio():.2f}x** | {mean(s.p50_ms for s in f):.1f} / {mean(s.p50_ms for s in t):.1f} | "
            f"{mean(s.p99_ms for s in f):.1f} / {mean(s.p99_ms for s in t):.1f} | "
            f"{mean(s.statements_per_request for s in f):.1f} / {mean(s.statements_per_request for s in t):.1f} | "
            f"{max(s.rss_mb for s in t):.0f} | {sum(s.errors for s in f + t)} |"
        )
    lines += token_against_login(rows)
    lines += ["", "Machine and versions: " + ", ".join(f"{k} {v}" for k, v in machine().items())]
    text = "\n".join(lines) + "\n"
    (out / "report.md").write_text(text)
    (out / "results.json").write_text(json.dumps([asdict(row) for row in rows], indent=2))
    chart(rows, out / "chart.png")
    return text


LOGIN_GET, TOKEN_GET = "get task", "get task (API token)"


def paired_scenarios(scenarios: list[str], round_number: int) -> list[list[str]]:
    """The round's scenarios in the order they run, grouped: each group runs back to back on one
    server before the next server. The two GETs (login token, API token) form one group, so that
    their ratio compares runs seconds apart rather than a round apart; which goes first alternates
    by round, so neither always inherits the other's warm caches or the machine's drift."""
    groups: list[list[str]] = []
    for scenario in scenarios:
        if scenario == TOKEN_GET and LOGIN_GET in scenarios:
            continue  # runs beside the login GET
        if scenario == LOGIN_GET and TOKEN_GET in scenarios:
            groups.append([LOGIN_GET, TOKEN_GET] if round_number % 2 == 0 else [TOKEN_GET, LOGIN_GET])
        else:
            groups.append([scenario])
    return groups


def token_against_login(rows: list[Row]) -> list[str]:
    """Report lines: GET a task with an API token over GET with a login token, per database and
    path (and on the floor, which does the same two lookups by hand: the run's resolution), as the
    median of the rounds' ratios, each round's two GETs run back to back on one server."""
    by_key = {(row.database, row.scenario, row.path): row for row in rows}
    lines = []
    floors_done = set()
    for (database, scenario, path), token_row in by_key.items():
        login_row = by_key.get((database, LOGIN_GET, path))
        if scenario != TOKEN_GET or login_row is None:
            continue
        if database not in floors_done:
            floors_done.add(database)
            lines.append(_ratio_line(database, "(the floor)", token_row.floor, login_row.floor))
        lines.append(_ratio_line(database, path, token_row.taskstar, login_row.taskstar))
    if not lines:
        return []
    header = ["", "GET a task with a personal API token over GET with a login token (same run; each round runs the two",
              "back to back on one server, in alternating order; the ratio is the median of the rounds'):", "",
              "| database | path | ratio | per round |", "|---|---|---|---|"]  # fmt: skip
    return header + lines


def _ratio_line(database: str, path: str, token: list[Sample], login: list[Sample]) -> str:
    per_round = [t.rps / g.rps for t, g in zip(token, login, strict=True)]
    return f"| {database} | {path} | **{median(per_round):.2f}x** | {min(per_round):.2f}-{max(per_round):.2f} |"


def chart(rows: list[Row], path: Path) -> None:
    """One group of bars per database and scenario: the floor, then each path, labelled with its ratio."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = list(dict.fromkeys((row.database, row.scenario) for row in rows))
    paths = list(dict.fromkeys(row.path for row in rows))
    width = 0.8 / (len(paths) + 1)
    figure, axes = plt.subplots(figsize=(max(7, len(groups) * 1.8), 4.8))
    by_group = {(row.database, row.scenario, row.path): row for row in rows}
    floor = [mean(s.rps for s in by_group[(*group, paths[0])].floor) for group in groups]
    axes.bar([g - 0.4 + width / 2 for g in range(len(groups))], floor, width, label="raw-driver floor", color="#9ca3af")
    colors = ["#2563eb", "#16a34a", "#d97706", "#9333ea"]
    for index, name in enumerate(paths):
        xs = [g - 0.4 + width * (index + 1.5) for g in range(len(groups))]
        group_rows = [by_group[(*group, name)] for group in groups]
        heights = [mean(s.rps for s in row.taskstar) for row in group_rows]
        axes.bar(xs, heights, width, label=name, color=colors[index % len(colors)])
        for x, height, row in zip(xs, heights, group_rows, strict=True):
            axes.annotate(f"{row.ratio():.2f}", (x, height), ha="center", va="bottom", fontsize=6)
    axes.set_xticks(range(len(groups)), [f"{database}\n{scenario}" for database, scenario in groups], fontsize=8)
    axes.set_ylabel("requests per second")
    axes.set_title("Taskstar's paths vs the raw-driver floor (req/s, higher is better; labels: ratio)", fontsize=10)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main() -> None:
    if "--fanout" in sys.argv[1:]:  # the live streams' latency instead (bench/fanout.py)
        from bench import fanout

        fanout.main([argument for argument in sys.argv[1:] if argument != "--fanout"])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--paths", default=",".join(PATHS), help="persistence paths (TASKSTAR_PERSISTENCE values)")
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved runs per server and scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"a subset of: {', '.join(SCENARIOS)}")
    parser.add_argument("--smoke", action="store_true", help="a few seconds, small data: checks the harness only")
    parser.add_argument("--against", metavar="REV", help="compare this tree's servers with a git revision's "
                        "(bench/against.py), interleaved, instead of the paths with each other")  # fmt: skip
    args = parser.parse_args()
    args.paths = [path.strip() for path in args.paths.split(",")]
    if unknown := set(args.paths) - set(PATHS):
        parser.error(f"unknown paths {sorted(unknown)}; choose from {', '.join(PATHS)}")
    args.scenarios = [scenario.strip() for scenario in args.scenarios.split(",")]
    if unknown := set(args.scenarios) - set(SCENARIOS):
        parser.error(f"unknown scenarios {sorted(unknown)}; choose from {', '.join(SCENARIOS)}")
    if args.smoke:
        args.tasks, args.duration, args.rounds = 2_000, 1, 1
    args.pool_sizes = {}  # database kind -> the pool size bench_database chose
    wrk = ensure_wrk()
    if args.against:
        from bench import against

        sys.exit(against.main(args, wrk))
    out = ROOT / "bench" / "results" / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="taskstar-bench-") as workdir:
        for kind in args.databases.split(","):
            rows += bench_database(kind.strip(), args, wrk, Path(workdir))
        errors = sum(s.errors for row in rows for s in row.floor + row.taskstar)
        if errors:  # the servers' logs say why; they would go with the temporary directory
            for log in Path(workdir).glob("**/*.log"):
                shutil.copy(log, out / f"{log.parent.name}-{log.name}")
    print(report(rows, args, out))
    kept = "report, chart, raw results and server logs" if errors else "report, chart and raw results"
    print(f"bench: {kept} in {out}")
    if errors:
        sys.exit(f"bench: {errors} requests failed; the figures above are not valid")


if __name__ == "__main__":
    main()
