"""``taskstar database upgrade|check|current|history`` when Piccolo is selected.

advanced-alchemy's ``database`` group comes with its SQLAlchemy plugin; the
Piccolo path brings the commands deployments, operators and CI use, on Piccolo's
migrations, under the same names.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio
import click
from litestar.cli._utils import LitestarGroup
from litestar.plugins import CLIPluginProtocol

from taskstar.piccolo import schema

if TYPE_CHECKING:
    from litestar import Litestar

    from taskstar.piccolo.database import Database


@click.group(cls=LitestarGroup, name="database", aliases=["db"])
def database_group() -> None:
    """Manage the database schema (Piccolo migrations)."""


@database_group.command(name="upgrade")  # type: ignore[untyped-decorator]  # LitestarGroup.command: a union
@click.option("--no-prompt", is_flag=True, default=False, help="Accepted for parity; upgrade never asks.")
def upgrade(app: Litestar, no_prompt: bool) -> None:
    """Apply every migration the database lacks."""
    applied = _run(app, schema.upgrade_to_head)
    click.echo(
        f"Applied {len(applied)} migration(s): {', '.join(applied)}" if applied else "Already at the newest migration."
    )


@database_group.command(name="check")  # type: ignore[untyped-decorator]  # LitestarGroup.command: a union
def check(app: Litestar) -> None:
    """Fail (exit 1) when the tables differ from what the migrations build, or the database lags behind them."""
    drift, pending = _run(app, _drift_and_pending)
    if drift:
        click.echo("The tables differ from the migrations; a new migration would run:\n" + "\n".join(drift))
    if pending:
        click.echo(f"The database lacks migrations: {', '.join(pending)}")
    if drift or pending:
        raise SystemExit(1)
    click.echo("No new upgrade operations detected: the migrations match the tables and the database is current.")


@database_group.command(name="current")  # type: ignore[untyped-decorator]  # LitestarGroup.command: a union
def current(app: Litestar) -> None:
    """Show the newest migration applied to the database."""
    ran = _applied(_run(app, schema.pending))
    click.echo(f"Current migration: {ran[-1]}" if ran else "No migration applied yet (an empty database).")


@database_group.command(name="history")  # type: ignore[untyped-decorator]  # LitestarGroup.command: a union
def history(app: Litestar) -> None:
    """List every migration, oldest first, and whether the database has it."""
    pending = set(_run(app, schema.pending))
    for migration in schema.migration_ids():
        click.echo(f"{migration}  {'pending' if migration in pending else 'applied'}")


def _applied(pending: list[str]) -> list[str]:
    return [migration for migration in schema.migration_ids() if migration not in set(pending)]


async def _drift_and_pending() -> tuple[list[str], list[str]]:
    return await schema.drift(), await schema.pending()


def _run(app: Litestar, operation: Callable[[], Awaitable[Any]]) -> Any:
    try:
        return anyio.run(_with_database, app.state.persistence.db, operation)
    except (schema.ForeignSchema, schema.MigrationFailed) as error:
        raise click.ClickException(str(error)) from None


async def _with_database(db: Database, operation: Callable[[], Awaitable[Any]]) -> Any:
    await db.start()
    try:
        return await operation()
    finally:
        await db.stop()


class PiccoloDatabaseCLI(CLIPluginProtocol):
    def on_cli_init(self, cli: click.Group) -> None:
        cli.add_command(database_group)
