#!/usr/bin/env python3
"""Set up and run Taskstar with nothing installed but Python 3.11+.

    python3 dev.py run     # Taskstar on the embedded SQLite default, http://127.0.0.1:8000
    python3 dev.py demo    # fill a demo workspace to explore (then `run`)
    python3 dev.py test    # the whole suite, on SQLite and PostgreSQL (targets side by side)
    python3 dev.py test --quick  # the HTTP contract on the SQLite default only (about a minute)
    python3 dev.py lint    # ruff, then mypy (strict; [tool.mypy] in pyproject.toml)
    python3 dev.py twin    # regenerate the sqlalchemy-sync code from the async code (--check: fail if stale)
    python3 dev.py bench   # Taskstar vs the raw-driver floor under wrk (minutes; --smoke: seconds)
    python3 dev.py bench --against REV  # this tree vs a git revision, interleaved: throughput ratio per path
    python3 dev.py bench --fanout  # commit-to-stream latency with 200 open event streams, 1 and 2 workers
    python3 dev.py reliability  # the fault, soak and security suites; their figures into docs/reliability.md

The first call creates ``.venv`` and installs the locked dependencies
(``uv.lock``) into it; later calls only re-sync when the lock changed.
Arguments after the command go to ``taskstar run`` or ``pytest``.
"""

from __future__ import annotations

import os
import shutil
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


def install(*, dev: bool) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 is at hand
        sys.exit(f"Taskstar needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print("dev.py: creating .venv", flush=True)
        venv.create(VENV, with_pip=True)
    if not (BIN / "uv").exists():
        print(f"dev.py: installing uv {UV_VERSION} into .venv (once)", flush=True)
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
    # Development syncs include the benchmark's group, so that `test` or `lint`
    # never uninstall what `bench` needs; `run` installs only what serving needs.
    groups = ["--group=bench"] if dev else ["--no-dev", "--inexact"]
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(VENV), "UV_PYTHON": str(BIN / "python")}
    # On a first run the sync downloads and installs every package: uv shows its progress then;
    # later runs have nothing to do and stay quiet.
    first = not (VENV / ".taskstar-synced").exists()
    if first:
        print("dev.py: installing the locked dependencies (uv.lock) into .venv, once", flush=True)
    sh(BIN / "uv", "sync", "--frozen", *([] if first else ["--quiet"]), *groups, env=env)
    (VENV / ".taskstar-synced").touch()


SYNC_TWIN = ROOT / "src" / "taskstar" / "sqlalchemy" / "sync"
UNASYNCD = "unasyncd==0.10.1"  # its own tool environment: it pins a rich older than schemathesis allows


def generate_sync_twin(*, check: bool) -> None:
    """Regenerate the sqlalchemy-sync code from the async code (``[tool.unasyncd]`` in
    pyproject.toml), then lint and format it with the project's ruff. With ``check``,
    fail when the committed twin differs from what the async code generates."""
    shutil.rmtree(SYNC_TWIN / "services", ignore_errors=True)  # so a deleted async module leaves no twin behind
    (SYNC_TWIN / "repositories.py").unlink(missing_ok=True)
    unasyncd = subprocess.run([BIN / "uv", "tool", "run", "--quiet", "--from", UNASYNCD, "unasyncd", "--quiet"],
                              cwd=ROOT)  # fmt: skip
    if unasyncd.returncode not in (0, 1):  # 1: files were (re)written
        sys.exit("dev.py: unasyncd failed")
    sh(BIN / "ruff", "check", "--fix-only", "--quiet", SYNC_TWIN)  # imports the transformation left unused
    sh(BIN / "ruff", "format", "--quiet", SYNC_TWIN)
    sh(BIN / "ruff", "check", "--quiet", SYNC_TWIN)
    if check:
        changed = subprocess.run(["git", "status", "--porcelain", "--", str(SYNC_TWIN)], cwd=ROOT,
                                 capture_output=True, text=True, check=True).stdout  # fmt: skip
        if changed:
            sys.exit(f"dev.py: the sync twin is stale; run `python3 dev.py twin` and commit:\n{changed}")


RELIABILITY_DOC = ROOT / "docs" / "reliability.md"
FIGURES_START, FIGURES_END = "<!-- figures: start -->", "<!-- figures: end -->"


def run_reliability_suites(pytest_args: list[str]) -> int:
    """Run the fault, soak and security suites, recording their figures, and write the table
    they make into docs/reliability.md (also after a failure: a failing run's figures show why)."""
    report = ROOT / "build" / "reliability.jsonl"
    report.parent.mkdir(exist_ok=True)
    report.unlink(missing_ok=True)
    suites = [BIN / "python", "-m", "pytest", "-m", "fault or soak or security", *pytest_args]
    outcome = subprocess.run(suites, cwd=ROOT, env={**os.environ, "TASKSTAR_RELIABILITY_REPORT": str(report)})
    if report.exists():
        table = subprocess.run([BIN / "python", "-m", "tests.support.reliability", report], cwd=ROOT, check=True,
                               capture_output=True, text=True).stdout  # fmt: skip
        document = RELIABILITY_DOC.read_text()
        before, _, rest = document.partition(FIGURES_START)
        _, _, after = rest.partition(FIGURES_END)
        RELIABILITY_DOC.write_text(f"{before}{FIGURES_START}\n{table}{FIGURES_END}{after}")
        print(f"dev.py: figures written to {RELIABILITY_DOC.relative_to(ROOT)}")
    return outcome.returncode


#: Test processes for the full suite: each takes whole targets (database + server), and much of
#: a target's time is spent waiting on its server, so more processes than this machine's 2 cores pay.
TEST_WORKERS = os.environ.get("TASKSTAR_TEST_WORKERS", "3")
QUICK_TARGET = "sqlalchemy-async:sqlite"


def ensure_chromium() -> None:
    """The browser tests drive Debian's Chromium (Playwright cannot download its own here).
    Install it when missing and this is a root shell with apt-get; otherwise say that those
    tests will be skipped (in CI they fail instead: ``tests/support/browser.py``)."""
    if os.environ.get("TASKSTAR_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("dev.py: no Chromium, so the browser tests are skipped (`apt-get install chromium`)", flush=True)
        return
    print("dev.py: installing Debian's chromium for the browser tests (apt-get, once)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install_chromium = ["apt-get", "install", "-y", "-q", "chromium"]
    if subprocess.run(install_chromium, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        sh("apt-get", "update", "-q", env=env, stdout=subprocess.DEVNULL)  # package lists missing or stale
        sh(*install_chromium, env=env, stdout=subprocess.DEVNULL)


def pytest_arguments(rest: list[str]) -> list[str]:
    """``--quick``: the contract suite on the default path and database, in one process. Otherwise
    the suite in ``TEST_WORKERS`` processes (pytest-xdist), one target's tests to one process,
    unless the arguments pick their own ``-n``."""
    if "--quick" in rest:
        os.environ["TASKSTAR_TEST_TARGETS"] = QUICK_TARGET
        return [argument for argument in rest if argument != "--quick"] + ["tests/contract"]
    if any(argument == "-n" or argument.startswith(("-n", "--numprocesses")) for argument in rest):
        return rest
    return ["-n", TEST_WORKERS, "--dist", "loadgroup", *rest]


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
        if "--quick" not in rest:
            ensure_chromium()
        os.execv(BIN / "python", [str(BIN / "python"), "-m", "pytest", *pytest_arguments(rest)])
    elif command == "bench":
        install(dev=True)
        os.chdir(ROOT)  # the harness imports `bench` from the checkout
        os.execv(BIN / "python", [str(BIN / "python"), "-m", "bench.run", *rest])
    elif command == "reliability":
        install(dev=True)
        sys.exit(run_reliability_suites(rest))
    elif command == "twin":
        install(dev=True)
        generate_sync_twin(check="--check" in rest)
    elif command == "lint":
        install(dev=True)
        sh(BIN / "ruff", "check", "src", "tests", "bench", "dev.py")
        sh(BIN / "ruff", "format", "--check", "src", "tests", "bench", "dev.py")
        sh(BIN / "mypy")  # the files and strictness are [tool.mypy]'s
    else:
        print(__doc__)
        sys.exit(0 if command in ("help", "--help", "-h") else 2)


if __name__ == "__main__":
    main()
