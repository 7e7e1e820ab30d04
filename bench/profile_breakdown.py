"""Where a request's CPU goes: a py-spy profile of the server, grouped by layer.

Record while the benchmark (or any wrk run) loads a pinned ``taskstar run``::

    py-spy record -r 200 -d 8 -f raw -o profile.txt -p <server pid>
    python -m bench.profile_breakdown profile.txt

Only the event loop's thread counts (idle worker threads are not work). Each
sample belongs to the deepest frame that matches a layer below, so a layer's
share is the work done in its own code, not in what it calls.
"""

from __future__ import annotations

import sys
from collections import Counter

LAYERS = [
    ("uvicorn + httptools (HTTP parsing, transport)", ("uvicorn/",)),
    ("Litestar routing, exception and response plumbing", ("litestar/",)),
    ("Prometheus middleware (own work)", ("prometheus",)),
    ("rate-limit middleware (own work)", ("rate_limit.py",)),
    ("auth middleware and JWT (own work)", ("authentication.py", "jwt/", "taskstar/http/auth.py")),
    ("dependency injection (anyio task group, kwargs)", ("_kwargs/", "anyio/")),
    ("guards and Taskstar handler code", ("taskstar/http/guards", "taskstar/sqlalchemy/controllers")),
    ("SQLAlchemy session, ORM and Core (Python)", ("sqlalchemy/", "advanced_alchemy/", "greenlet")),
    ("asyncpg driver (protocol, encoding)", ("asyncpg/",)),
    ("msgspec JSON encoding", ("msgspec",)),
]
EVENT_LOOP = "Runner.run"  # frames every sample of the main thread carries


def breakdown(lines: list[str]) -> tuple[Counter[str], int]:
    shares: Counter[str] = Counter()
    total = 0
    for line in lines:
        stack, _, count = line.rstrip().rpartition(" ")
        if EVENT_LOOP not in stack:
            continue
        owner = "event loop and other"
        for frame in stack.split(";"):
            owner = next((label for label, needles in LAYERS if any(n in frame for n in needles)), owner)
        shares[owner] += int(count)
        total += int(count)
    return shares, total


def main() -> None:
    with open(sys.argv[1]) as raw:
        shares, total = breakdown(raw.readlines())
    print("| layer | share of the event loop's CPU |\n|---|---|")
    for label, count in shares.most_common():
        print(f"| {label} | {100 * count / total:.0f}% |")
    print(f"\n{total} samples")


if __name__ == "__main__":
    main()
