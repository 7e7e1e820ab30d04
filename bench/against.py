"""``python3 dev.py bench --against REV``: this tree's Taskstar against another revision's, in one run.

The revision is checked out in a detached git worktree in a temporary directory, with its own
virtualenv (``uv sync --frozen --no-dev`` from its own lock), and served by its own ``taskstar``
entry point. One database per database kind is migrated and seeded once (by this tree) and serves
both, so both trees must have the same migrations head, or this tree may only add migrations to the
revision's: then the revision migrates the empty database and starts first, and this tree migrates
it forward and seeds it (the revision's requests never touch what the new migrations add). For
each database and persistence path, the revision's server and this tree's run side by side (each
on its own port, pinned to core 0 with the raw-driver floor), and each scenario is driven by wrk on
core 1 in rounds of floor, baseline, current (the two swap places every other round), so drift on
the machine falls on both sides alike. Writes ``bench/results/<stamp>/against.md`` and
``against.json`` and prints the table; the worktree and its virtualenv are removed afterwards, also
after a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean

from bench.run import (
    BIN,
    ROOT,
    Sample,
    Server,
    login,
    lua_scripts,
    machine,
    measure,
    seeded_databases,
    start_floor,
    start_taskstar,
    warm_up,
)
from bench.seed import Seeded


@dataclass
class Tree:
    """One side of the comparison: a commit and the ``taskstar`` entry point that serves it."""

    label: str  # as named on the command line, or "this tree"
    commit: str
    short: str
    directory: Path
    taskstar: Path
    dirty: bool = False  # uncommitted changes under src/, pyproject.toml or uv.lock

    def describe(self) -> str:
        return f"{self.short}{' + uncommitted changes' if self.dirty else ''} ({self.label})"


@dataclass
class Comparison:
    """One scenario on one persistence path and database: the floor's, the revision's and this tree's samples,
    measured in the same rounds."""

    database: str
    scenario: str
    path: str
    floor: list[Sample] = field(default_factory=list)
    baseline: list[Sample] = field(default_factory=list)
    current: list[Sample] = field(default_factory=list)

    def rps(self, side: str) -> float:
        """Mean requests per second of ``side`` ("floor", "baseline" or "current")."""
        return mean(sample.rps for sample in getattr(self, side))

    def ratio(self) -> float:
        """This tree's throughput over the revision's: above 1, this tree serves more."""
        return self.rps("current") / self.rps("baseline")

    def round_ratios(self) -> list[float]:
        """The same ratio round by round (the two sides of a round ran back to back): its spread is the noise."""
        return [current.rps / baseline.rps for baseline, current in zip(self.baseline, self.current, strict=True)]

    def to_floor(self, side: str) -> float:
        """``side``'s throughput over the floor's, as ``dev.py bench`` reports it."""
        return self.rps(side) / self.rps("floor")

    def errors(self) -> int:
        return sum(sample.errors for sample in self.floor + self.baseline + self.current)


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def this_tree() -> Tree:
    """The checkout the harness runs from, served by its own ``.venv``."""
    commit = git("rev-parse", "HEAD")
    dirty = bool(git("status", "--porcelain", "--", "src", "pyproject.toml", "uv.lock"))
    return Tree("this tree", commit, commit[:7], ROOT, BIN / "taskstar", dirty)


@contextmanager
def checked_out(revision: str) -> Iterator[Tree]:
    """Check ``revision`` out in a detached worktree in a temporary directory and install it into its own
    virtualenv there (its locked dependencies, without the development groups). The worktree and the
    directory are removed on exit, whatever happened."""
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], cwd=ROOT,
                           capture_output=True, text=True)  # fmt: skip
    if found.returncode != 0:
        sys.exit(f"bench: {revision!r} names no commit in this repository (git rev-parse found none)")
    commit = found.stdout.strip()
    temporary = Path(tempfile.mkdtemp(prefix="taskstar-against-"))
    tree, environment = temporary / "tree", temporary / "venv"
    try:
        print(f"bench: checking out {revision} ({commit[:7]}) in {tree}", flush=True)
        added = subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit], cwd=ROOT,
                               capture_output=True, text=True)  # fmt: skip
        if added.returncode != 0:
            sys.exit(f"bench: git worktree add failed for {revision}:\n{added.stderr}")
        if not (tree / "uv.lock").exists():
            sys.exit(f"bench: {revision} has no uv.lock; it cannot be installed as locked")
        uv = BIN / "uv" if (BIN / "uv").exists() else shutil.which("uv") or sys.exit("bench: uv is missing")
        env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(environment), "UV_PYTHON": sys.executable}
        env.pop("VIRTUAL_ENV", None)
        installed = subprocess.run([str(uv), "sync", "--frozen", "--quiet", "--no-dev"], cwd=tree, env=env,
                                   capture_output=True, text=True)  # fmt: skip
        if installed.returncode != 0:
            sys.exit(f"bench: installing {revision} failed (uv sync --frozen --no-dev):\n{installed.stderr}")
        yield Tree(revision, commit, commit[:7], tree, environment / "bin" / "taskstar")
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
        shutil.rmtree(temporary, ignore_errors=True)
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, capture_output=True)


def _taskstar(tree: Tree, env: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(tree.taskstar), *command], cwd=tree.directory, env={**os.environ, **env},
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)  # fmt: skip


def migrations_head(tree: Tree, workdir: Path) -> set[str]:
    """The revisions ``taskstar database heads`` names in ``tree`` (SQLAlchemy's migrations)."""
    env = {
        "TASKSTAR_DATABASE_URL": f"sqlite:///{workdir / 'heads.db'}",
        "TASKSTAR_DATA_DIR": str(workdir),
        "TASKSTAR_SECRET_KEY": "h" * 48,
        "TASKSTAR_PERSISTENCE": "sqlalchemy-async",
    }
    answer = _taskstar(tree, env, "database", "heads")
    heads = set(re.findall(r"^(\S+) \(head\)", answer.stdout, re.MULTILINE))
    if answer.returncode != 0 or not heads:
        sys.exit(f"bench: `taskstar database heads` failed in {tree.describe()}:\n{answer.stdout}{answer.stderr}")
    return heads


MIGRATION_FOLDERS = ("src/taskstar/sqlalchemy/migrations/versions", "src/taskstar/piccolo/migrations")


def _migrations(tree: Tree) -> set[str]:
    return {f"{folder}/{file.name}" for folder in MIGRATION_FOLDERS for file in (tree.directory / folder).glob("*.py")}


def baseline_is_behind(baseline: Tree, current: Tree, workdir: Path) -> bool:
    """``False`` when both trees have the same migrations head; ``True`` when this tree only adds
    migrations to the revision's (every one of its migration files is here too, unchanged in name),
    so the revision can start on the database first and this tree migrate it forward after. Fails,
    naming both heads, otherwise: one seeded database cannot serve both."""
    theirs, ours = migrations_head(baseline, workdir), migrations_head(current, workdir)
    if theirs == ours:
        return False
    if _migrations(baseline) < _migrations(current):
        print(f"bench: {current.describe()} adds migrations to {baseline.describe()} ({', '.join(sorted(theirs))} "
              f"-> {', '.join(sorted(ours))}): the revision starts on its own schema, then this tree migrates "
              "forward and seeds", flush=True)  # fmt: skip
        return True
    sys.exit(
        f"bench: the migrations differ: {baseline.describe()} is at head {', '.join(sorted(theirs))}, "
        f"{current.describe()} at {', '.join(sorted(ours))}, and this tree does not only add to them. One "
        "seeded database serves both sides, so --against needs a revision with the same or an earlier schema."
    )


def started_behind(baseline: Tree, args: argparse.Namespace, directory: Path,
                   servers: dict[str, Server]) -> Callable[[dict[str, dict[str, str]]], None]:  # fmt: skip
    """A ``before_upgrade`` for :func:`bench.run.seeded_databases`: migrate the empty databases with the
    revision's own ``taskstar database upgrade`` and start its server for each path (into ``servers``), so
    that each passed its start-up schema check before this tree adds its migrations. Its requests never
    touch what those add (the comparison is of what the revision's code does on its own schema)."""

    def start(path_env: dict[str, dict[str, str]]) -> None:
        for path in args.paths:
            answer = _taskstar(baseline, path_env[path], "database", "upgrade", "--no-prompt")
            if answer.returncode != 0:
                sys.exit(f"bench: {baseline.describe()} could not migrate ({path}):\n{answer.stdout}{answer.stderr}")
            server = start_taskstar(baseline.taskstar, path_env[path], directory / f"baseline-{path}.log",
                                    baseline.directory)  # fmt: skip
            servers[path] = server
            server.wait("/health")

    return start


def schema_checker(baseline: Tree) -> Callable[[dict[str, str]], None]:
    """A ``check_schema`` for :func:`bench.run.seeded_databases`: the revision's own ``taskstar database check``
    must find the database this tree migrated current and matching its models (Piccolo's schema too)."""

    def check(env: dict[str, str]) -> None:
        answer = _taskstar(baseline, env, "database", "check")
        if answer.returncode != 0:
            path = env.get("TASKSTAR_PERSISTENCE", "")
            sys.exit(
                f"bench: {baseline.describe()} does not accept the schema this tree migrated ({path}; "
                f"`taskstar database check`):\n{answer.stdout[-2000:]}{answer.stderr[-2000:]}"
            )

    return check


def compare_database(kind: str, args: argparse.Namespace, wrk: str, workdir: Path,
                     trees: dict[str, Tree], behind: bool) -> list[Comparison]:  # fmt: skip
    """Seed one ``kind`` database and compare the trees (``{"baseline": ..., "current": ...}``) on each path in
    turn, with the floor running throughout: at most three servers' pools hold connections at once."""
    directory = workdir / kind
    comparisons: list[Comparison] = []
    baselines: dict[str, Server] = {}  # started before seeding when the revision's schema is behind
    check = None if behind else schema_checker(trees["baseline"])
    start_baselines = started_behind(trees["baseline"], args, directory, baselines) if behind else None
    try:
        with seeded_databases(kind, args, directory, check, start_baselines) as (env, path_env, seeded):
            floor = start_floor(env, directory / "floor.log")
            try:
                floor.wait("/floor/statements")
                for path in args.paths:
                    comparisons += compare_path(kind, path, path_env[path], seeded, floor, args, wrk, directory,
                                                trees, baselines.pop(path, None))  # fmt: skip
            finally:
                floor.stop()
    finally:
        for server in baselines.values():
            server.stop()
    return comparisons


def compare_path(kind: str, path: str, env: dict[str, str], seeded: Seeded, floor: Server, args: argparse.Namespace,
                 wrk: str, directory: Path, trees: dict[str, Tree],
                 baseline: Server | None = None) -> list[Comparison]:  # fmt: skip
    """Serve ``path`` from both trees, each on its own port (the revision's ``baseline`` server when it was
    started already), and drive every scenario against the floor and both, interleaved; the two servers
    are stopped afterwards."""
    servers: dict[str, Server] = {"baseline": baseline} if baseline else {}
    try:
        for side, tree in trees.items():
            if side not in servers:
                servers[side] = start_taskstar(tree.taskstar, env, directory / f"{side}-{path}.log", tree.directory)
        for server in servers.values():
            server.wait("/health")
        # Each side logs in itself (a revision may issue tokens differently); the floor takes this tree's.
        scripts = {side: lua_scripts(_fresh(directory / f"{side}-{path}"), login(server), seeded)
                   for side, server in servers.items()}  # fmt: skip
        comparisons = []
        for scenario in args.scenarios:
            runs = [("floor", floor, scripts["current"][scenario]),
                    *((side, server, scripts[side][scenario]) for side, server in servers.items())]  # fmt: skip
            comparison = interleave(Comparison(kind, scenario, path), runs, args, wrk)
            print(f"bench[{kind}] {scenario} {path}: {trees['baseline'].short} {comparison.rps('baseline'):.0f} req/s,"
                  f" {trees['current'].short} {comparison.rps('current'):.0f} req/s, ratio {comparison.ratio():.2f}"
                  f" (floor {comparison.rps('floor'):.0f})", flush=True)  # fmt: skip
            comparisons.append(comparison)
        return comparisons
    finally:
        for server in servers.values():
            server.stop()


def interleave(comparison: Comparison, runs: list[tuple[str, Server, Path]], args: argparse.Namespace,
               wrk: str) -> Comparison:  # fmt: skip
    """Warm each of ``runs`` (floor, baseline, current) up, then measure them in ``args.rounds`` rounds, the
    baseline and current swapping places every other round; the samples go to ``comparison``'s sides."""
    for _, server, script in runs:
        warm_up(wrk, [server], script, args.connections)
    floor, first, second = runs
    for round_number in range(args.rounds):
        for side, server, script in (floor, first, second) if round_number % 2 == 0 else (floor, second, first):
            getattr(comparison, side).append(measure(wrk, server, script, args, floor=side == "floor"))
    return comparison


def _fresh(directory: Path) -> Path:
    directory.mkdir()
    return directory


def report(comparisons: list[Comparison], args: argparse.Namespace, out: Path, baseline: Tree, current: Tree) -> str:
    """The markdown table (scenario x path x database), written to ``out/against.md`` with the raw samples in
    ``out/against.json``; returns the markdown."""
    lines = [
        f"# Taskstar {current.short} against {baseline.short}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- baseline: {baseline.describe()}, commit {baseline.commit}",
        f"- current: {current.describe()}, commit {current.commit}",
        "",
        f"{args.tasks} tasks, seeded once per database and served to both; wrk -t1 -c{args.connections}, "
        f"{args.rounds} x {args.duration}s per server and scenario, interleaved (floor, baseline, current; "
        "the two swap places every other round); servers pinned to core 0, wrk to core 1. "
        "Ratio: current req/s over baseline req/s (above 1.00: this tree serves more), with its range over "
        "the rounds; vs floor: each side's req/s over the raw-driver floor's in the same rounds.",
        "",
        "| database | scenario | path | baseline req/s | current req/s | ratio (range over rounds) "
        "| vs floor (baseline / current) | p50 ms (baseline / current) | p99 ms (baseline / current) "
        "| SQL/request (baseline / current) | floor req/s | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in comparisons:
        b, n = c.baseline, c.current
        ratios = c.round_ratios()
        spread = f" ({min(ratios):.2f}-{max(ratios):.2f})" if len(ratios) > 1 else ""
        lines.append(
            f"| {c.database} | {c.scenario} | {c.path} | {c.rps('baseline'):.0f} | {c.rps('current'):.0f} | "
            f"**{c.ratio():.2f}x**{spread} | "
            f"{c.to_floor('baseline'):.2f}x / {c.to_floor('current'):.2f}x | "
            f"{mean(s.p50_ms for s in b):.1f} / {mean(s.p50_ms for s in n):.1f} | "
            f"{mean(s.p99_ms for s in b):.1f} / {mean(s.p99_ms for s in n):.1f} | "
            f"{mean(s.statements_per_request for s in b):.1f} / {mean(s.statements_per_request for s in n):.1f} | "
            f"{c.rps('floor'):.0f} | {c.errors()} |"
        )
    lines += ["", "Machine and versions (this tree's): " + ", ".join(f"{k} {v}" for k, v in machine().items())]
    text = "\n".join(lines) + "\n"
    (out / "against.md").write_text(text)
    document = {
        "baseline": {"revision": baseline.label, "commit": baseline.commit},
        "current": {"revision": current.label, "commit": current.commit, "uncommitted_changes": current.dirty},
        "settings": {key: getattr(args, key) for key in ("tasks", "duration", "rounds", "connections", "paths")},
        "rows": [asdict(c) | {"ratio": c.ratio()} for c in comparisons],
    }
    (out / "against.json").write_text(json.dumps(document, indent=2))
    return text


def main(args: argparse.Namespace, wrk: str) -> int:
    """Run the comparison ``args`` describe (``args.against`` is the revision); 1 when a request failed."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a terminated run still removes its worktree
    current = this_tree()
    with checked_out(args.against) as baseline, tempfile.TemporaryDirectory(prefix="taskstar-bench-") as workdir:
        behind = baseline_is_behind(baseline, current, Path(workdir))
        trees = {"baseline": baseline, "current": current}
        comparisons: list[Comparison] = []
        for kind in args.databases.split(","):
            comparisons += compare_database(kind.strip(), args, wrk, Path(workdir), trees, behind)
    out = ROOT / "bench" / "results" / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True)
    print(report(comparisons, args, out, baseline, current))
    print(f"bench: table and raw samples in {out}")
    errors = sum(c.errors() for c in comparisons)
    if errors:
        print(f"bench: {errors} requests failed; the figures above are not valid", file=sys.stderr)
        return 1
    return 0
