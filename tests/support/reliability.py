"""The figures behind ``docs/reliability.md``: each fault or attack test records what it did.

With ``TASKSTAR_RELIABILITY_REPORT=<file>`` set, every recording test appends one
JSON line (scenario, target, what was injected, requests, what the clients saw,
what was lost, time to recover); ``python3 -m tests.support.reliability <file>`` renders
them as the Markdown table. Without it, recording does nothing.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from tests.support.traffic import describe

REPORT_ENV = "TASKSTAR_RELIABILITY_REPORT"


@dataclass(frozen=True)
class Figures:
    scenario: str
    target: str
    injected: str
    requests: int
    client_saw: str
    lost: int | None
    """Acknowledged writes missing or half-applied afterwards (``None``: the scenario writes nothing)."""
    recovery_seconds: float | None
    reproduce: str
    """A pytest node selection (``-k`` expression) that runs this scenario alone."""


def record(figures: Figures) -> None:
    path = os.environ.get(REPORT_ENV)
    if path:
        with Path(path).open("a") as report:
            report.write(json.dumps(asdict(figures)) + "\n")


@contextmanager
def tallied(client: httpx.Client) -> Iterator[Counter[str]]:
    """Count the statuses of the responses ``client`` receives inside the block."""
    seen: Counter[str] = Counter()

    def count(response: httpx.Response) -> None:
        seen[str(response.status_code)] += 1

    client.event_hooks["response"].append(count)
    try:
        yield seen
    finally:
        client.event_hooks["response"].remove(count)


def attack_figures(target: str, scenario: str, injected: str, seen: Counter[str], reproduce: str) -> Figures:
    """The figures of an attack: requests sent and what they were answered; attacks write nothing."""
    return Figures(
        scenario=scenario,
        target=target,
        injected=injected,
        requests=sum(seen.values()),
        client_saw=describe(seen),
        lost=None,
        recovery_seconds=None,
        reproduce=reproduce,
    )


def render(lines: list[str]) -> str:
    """One table row per scenario; targets that saw different figures are listed within it."""
    by_scenario: dict[str, list[Figures]] = defaultdict(list)
    for line in lines:
        figures = Figures(**json.loads(line))
        by_scenario[figures.scenario].append(figures)
    rows = [
        "| fault or attack | injected | target | requests | the clients saw | lost | recovered in | reproduce |",
        "|---|---|---|---:|---|---:|---:|---|",
    ]
    for scenario, runs in by_scenario.items():
        for index, run in enumerate(sorted(runs, key=lambda run: run.target)):
            recovered = "—" if run.recovery_seconds is None else f"{run.recovery_seconds:.1f} s"
            lost = "—" if run.lost is None else run.lost
            rows.append(
                f"| {scenario if index == 0 else ''} | {run.injected if index == 0 else ''} | {run.target} "
                f"| {run.requests} | {run.client_saw} | {lost} | {recovered} | `{run.reproduce}` |"
            )
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(render(Path(sys.argv[1]).read_text().splitlines()), end="")
