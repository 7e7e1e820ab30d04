"""The ``taskstar`` command: Litestar's CLI bound to Taskstar's app.

``taskstar run`` serves the API, ``taskstar database upgrade`` applies
migrations (advanced-alchemy's commands), and so on for every Litestar command.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from taskstar.settings import Settings, SettingsError

APP_FACTORY = "taskstar.app:create_app"


def main() -> None:
    try:
        Settings.from_env()  # fail fast, with the variable's name, before Litestar loads the app
    except SettingsError as error:
        click.echo(f"taskstar: configuration error: {error}", err=True)
        sys.exit(2)
    os.environ.setdefault("LITESTAR_APP", APP_FACTORY)
    os.environ.setdefault("LITESTAR_APP_NAME", "Taskstar")

    from litestar.cli.commands import core
    from litestar.cli.main import litestar_group

    core.subprocess = _ExecInsteadOfSpawning()  # type: ignore[attr-defined, assignment]  # the module imports subprocess for this one use
    _confirm_only_on_a_terminal(litestar_group)
    litestar_group.add_command(demo_command)  # type: ignore[arg-type]  # typed rich-click's; a click.Command works
    litestar_group(prog_name="taskstar")


@click.command(name="demo")
@click.option("--tasks-per-project", default=120, show_default=True, type=click.IntRange(1, 1000))
def demo_command(tasks_per_project: int) -> None:
    """Fill a demo workspace (team, projects, tags, tasks, comments) to explore the API."""
    import anyio

    from taskstar.demo import fill

    message = anyio.run(lambda: fill(Settings.from_env(), tasks_per_project=tasks_per_project))
    click.echo(message)


#: How long, in seconds, workers may finish in-flight requests after SIGTERM or SIGINT.
GRACEFUL_SHUTDOWN_SECONDS = "30"


class _ExecInsteadOfSpawning:
    """``subprocess`` as Litestar's ``run`` command sees it, when it starts uvicorn's own CLI
    (``--workers`` above 1, or ``--reload``): exec uvicorn in this process instead of spawning it.

    Spawned, uvicorn's supervisor and workers outlived ``taskstar run``: a SIGTERM to the PID a
    process manager knows ended ``taskstar`` alone, and they kept serving on the port. Exec'd,
    that PID *is* uvicorn's supervisor, which on SIGTERM or SIGINT stops its workers gracefully
    (in-flight requests finish, within ``UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN`` seconds) and exits,
    freeing the port. Every other attribute is the real ``subprocess`` module's.
    """

    def run(self, args: Sequence[str], **_options: Any) -> NoReturn:
        os.environ.setdefault("UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN", GRACEFUL_SHUTDOWN_SECONDS)
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(args[0], list(args))

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)


def _confirm_only_on_a_terminal(group: click.Group) -> None:
    """Deploy scripts and CI have no one to answer "are you sure?": without a
    terminal on stdin, ``database upgrade`` runs as if given ``--no-prompt``."""
    original = group.get_command

    def get_command(ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = original(ctx, cmd_name)
        if cmd_name in {"database", "db"} and isinstance(command, click.Group):
            for sub in command.commands.values():
                for param in sub.params:
                    if param.name == "no_prompt":
                        param.default = not sys.stdin.isatty()
        return command

    group.get_command = get_command  # type: ignore[method-assign]  # on this one group object only


if __name__ == "__main__":
    main()
