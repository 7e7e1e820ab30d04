#!/usr/bin/env python3
"""Set up and run Taskstar with nothing installed but Python 3.11+.

    python3 dev.py run     # Taskstar on the embedded SQLite default, http://127.0.0.1:8000
    python3 dev.py demo    # fill a demo workspace to explore (then `run`)
    python3 dev.py test    # the whole suite, on SQLite and PostgreSQL
    python3 dev.py lint    # ruff
    python3 dev.py bench   # Taskstar vs the raw-driver floor under wrk (minutes; --smoke: seconds)

The first call creates ``.venv`` and installs the locked dependencies
(``uv.lock``) into it; later calls only re-sync when the lock changed.
Arguments after the command go to ``taskstar run`` or ``pytest``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
UV_VERSION = "0.13.9"


def sh(*command: str | Path, **kwargs: object) -> None:
    subprocess.run([str(part) for part in command], check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def install(*, dev: bool, bench: bool = False) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 is at hand
        sys.exit(f"Taskstar needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print("dev.py: creating .venv", flush=True)
        venv.create(VENV, with_pip=True)
    if not (BIN / "uv").exists():
        if subprocess.run([BIN / "python", "-m", "pip", "--version"], capture_output=True).returncode != 0:
            sh(BIN / "python", "-m", "ensurepip", stdout=subprocess.DEVNULL)  # a venv made without pip (by uv, say)
        sh(
            BIN / "python",
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"uv=={UV_VERSION}",
        )
    groups = [] if dev else ["--no-dev", "--inexact"]
    if bench:
        groups.append("--group=bench")
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(VENV), "UV_PYTHON": str(BIN / "python")}
    sh(BIN / "uv", "sync", "--frozen", "--quiet", *groups, env=env)


def main() -> None:
    command, *rest = sys.argv[1:] or ["help"]
    if command == "run":
        install(dev=False)
        host_port = [] if "--port" in rest or "-p" in rest else ["--host", "127.0.0.1", "--port", "8000"]
        os.execv(BIN / "taskstar", [str(BIN / "taskstar"), "run", *host_port, *rest])
    elif command == "demo":
        install(dev=False)
        os.execv(BIN / "taskstar", [str(BIN / "taskstar"), "demo", *rest])
    elif command == "test":
        install(dev=True)
        os.execv(BIN / "python", [str(BIN / "python"), "-m", "pytest", *rest])
    elif command == "bench":
        install(dev=True, bench=True)
        os.chdir(ROOT)  # the harness imports `bench` from the checkout
        os.execv(BIN / "python", [str(BIN / "python"), "-m", "bench.run", *rest])
    elif command == "lint":
        install(dev=True)
        sh(BIN / "ruff", "check", "src", "tests", "bench", "dev.py")
        sh(BIN / "ruff", "format", "--check", "src", "tests", "bench", "dev.py")
    else:
        print(__doc__)
        sys.exit(0 if command == "help" else 2)


if __name__ == "__main__":
    main()
