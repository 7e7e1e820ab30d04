"""The ``taskstar`` command: Litestar's CLI bound to Taskstar's app.

``taskstar run`` serves the API, ``taskstar database upgrade`` applies
migrations (advanced-alchemy's commands), and so on for every Litestar command.
"""

from __future__ import annotations

import copy
import errno
import functools
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn
from urllib.parse import urlsplit

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
    litestar_group.help = TASKSTAR_HELP
    _adapt_commands(litestar_group)
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


TASKSTAR_HELP = """Taskstar: a self-hostable task tracker.

\b
  taskstar run                        serve the API (http://127.0.0.1:8000/schema/swagger)
  taskstar database upgrade           apply the migrations the database lacks
  taskstar database check             fail when the database or the models drift
  taskstar database current           the migration the database is at
  taskstar database history           every migration
  taskstar demo                       fill a demo workspace

Configuration comes from TASKSTAR_* variables (see the README); the database commands act on
the persistence path TASKSTAR_PERSISTENCE selects.
"""


def _adapt_commands(group: click.Group) -> None:
    """Litestar's and advanced-alchemy's commands, as Taskstar's users meet them:

    - deploy scripts and CI have no one to answer "are you sure?": without a terminal on stdin,
      ``database upgrade`` runs as if given ``--no-prompt``;
    - ``database current`` on every path (advanced-alchemy calls it ``show-current-revision``);
    - ``run`` on a port in use says so in one line, naming ``--port``, before starting anything.
    """
    original = group.get_command

    def get_command(ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = original(ctx, cmd_name)
        if cmd_name in {"database", "db"} and isinstance(command, click.Group):
            for sub in command.commands.values():
                for param in sub.params:
                    if param.name == "no_prompt":
                        param.default = not sys.stdin.isatty()
            if "current" not in command.commands and "show-current-revision" in command.commands:
                # A copy named ``current``: the same object under two names is listed twice in --help.
                current = copy.copy(command.commands["show-current-revision"])
                current.name = "current"
                command.add_command(current)
            for sub in command.commands.values():
                if sub.callback is not None:
                    sub.callback = _alembic_errors_in_one_line(sub.callback)
        if cmd_name == "run" and command is not None and command.callback is not None:
            command.callback = _refusing_a_taken_port(command.callback)
        return command

    group.get_command = get_command  # type: ignore[method-assign]  # on this one group object only


def _alembic_errors_in_one_line(command: Callable[..., Any]) -> Callable[..., Any]:
    """Alembic's refusals (``database check`` on a database behind the models, say) as one line
    and exit status 1, instead of a 90-line traceback around "Target database is not up to date"."""
    if getattr(command, "reports_alembic_errors", False):
        return command

    @functools.wraps(command)
    def reporting(*args: Any, **kwargs: Any) -> Any:
        from alembic.util.exc import CommandError

        try:
            return command(*args, **kwargs)
        except CommandError as error:
            hint = "; run `taskstar database upgrade`" if "not up to date" in str(error) else ""
            click.echo(f"taskstar: {str(error).rstrip('.')}{hint}", err=True)
            sys.exit(1)

    reporting.reports_alembic_errors = True  # type: ignore[attr-defined]  # a marker: wrap once
    return reporting


def _refusing_a_taken_port(run: Callable[..., Any]) -> Callable[..., Any]:
    if getattr(run, "checks_the_port", False):
        return run

    @functools.wraps(run)
    def run_on_a_free_port(*args: Any, **kwargs: Any) -> Any:
        host, port = kwargs.get("host") or "127.0.0.1", kwargs.get("port")
        if port is not None and kwargs.get("fd") is None and kwargs.get("uds") is None:
            problem = _bind_problem(host, port)
            if problem is not None:
                # One plain line (a ClickException would be drawn in rich-click's box).
                click.echo(f"taskstar: cannot listen on {host}:{port}: {problem}; choose another with --port", err=True)
                sys.exit(2)
            click.echo(where_taskstar_runs(Settings.from_env(), host, port), err=True)
        return run(*args, **kwargs)

    run_on_a_free_port.checks_the_port = True  # type: ignore[attr-defined]  # a marker: wrap once
    return run_on_a_free_port


def where_taskstar_runs(settings: Settings, host: str, port: int) -> str:
    """What an operator needs first: the URL and its API docs, where the data and the signing key
    are (never the key itself, nor a database password)."""
    url = f"http://{'127.0.0.1' if host in {'0.0.0.0', '::'} else host}:{port}"
    if settings.is_sqlite:
        database = f"SQLite {settings.database.sqlite_path.resolve()}"
    else:
        address = urlsplit(settings.database.url)
        database = f"PostgreSQL {address.hostname}:{address.port or 5432}{address.path}"
    key_file = settings.data_dir / "secret_key"
    from_file = not os.environ.get("TASKSTAR_SECRET_KEY") and key_file.exists()
    key = f"in {key_file.resolve()}" if from_file else "from TASKSTAR_SECRET_KEY"
    return (
        f"Taskstar ({settings.persistence.value}) on {url}; API docs: {url}/schema/swagger\n"
        f"  database: {database}; signing key: {key}"
    )


def _bind_problem(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on now (``None`` if it can), probed the way uvicorn
    binds it (``SO_REUSEADDR``, so a port in TIME_WAIT is free)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        return f"unknown host ({error.strerror})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            return "the port is in use" if error.errno == errno.EADDRINUSE else (error.strerror or str(error))
    return None


if __name__ == "__main__":
    main()
