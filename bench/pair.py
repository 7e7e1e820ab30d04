"""Two scenarios on one server, interleaved: ``python -m bench.pair`` (default: GET a task with a
login token against GET a task with a personal API token).

``dev.py bench`` runs its scenarios one after the other, so machine drift between two scenarios
falls on one of them only; here both run against the same server process in alternating rounds
(their order swapped every other round), which leaves the drift to both. Seeding, pinning and the
wrk settings are ``bench.run``'s.

    .venv/bin/python -m bench.pair --database postgresql --path piccolo --rounds 6
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from statistics import mean

from bench.run import (
    BIN,
    PATHS,
    SCENARIOS,
    ensure_wrk,
    login,
    lua_scripts,
    run_wrk,
    seeded_databases,
    start_taskstar,
    warm_up,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--path", choices=PATHS, default="sqlalchemy-async")
    parser.add_argument("--scenarios", default="get task,get task (API token)", help="two of " + ", ".join(SCENARIOS))
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    first, second = (name.strip() for name in args.scenarios.split(","))
    seeding = argparse.Namespace(paths=[args.path], tasks=args.tasks)
    wrk = ensure_wrk()
    with (
        tempfile.TemporaryDirectory() as workdir,
        seeded_databases(args.database, seeding, Path(workdir) / "db") as (
            _env,
            path_env,
            seeded,
        ),
    ):
        server = start_taskstar(BIN / "taskstar", path_env[args.path], Path(workdir) / "taskstar.log")
        try:
            server.wait("/health")
            scripts = lua_scripts(Path(workdir), login(server), seeded)
            for scenario in (first, second):
                warm_up(wrk, [server], scripts[scenario], args.connections)
            rps: dict[str, list[float]] = {first: [], second: []}
            for round_number in range(args.rounds):
                order = (first, second) if round_number % 2 == 0 else (second, first)
                for scenario in order:
                    rps[scenario].append(
                        run_wrk(wrk, server.url, scripts[scenario], args.duration, args.connections)[0]
                    )
                    print(f"round {round_number + 1}: {scenario}: {rps[scenario][-1]:.0f} req/s", flush=True)
        finally:
            server.stop()
    ratios = [b / a for a, b in zip(rps[first], rps[second], strict=True)]
    print(
        f"{args.database} {args.path}: {first} {mean(rps[first]):.0f} req/s, {second} {mean(rps[second]):.0f} req/s, "
        f"ratio {mean(rps[second]) / mean(rps[first]):.3f} (per round {min(ratios):.2f}-{max(ratios):.2f})"
    )


if __name__ == "__main__":
    main()
