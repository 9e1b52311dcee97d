"""``microcred db``: create and migrate the database."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..storage import migrate
from .transaction import services

db_cli = AppGroup("db", help="Create and migrate the database.")


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Alembic revision to migrate to.")
def db_upgrade(revision: str) -> None:
    """Migrate the database to the latest schema (creating it if needed)."""
    engine = services().engine
    before = migrate.current_revision(engine)
    migrate.upgrade(engine, revision)
    after = migrate.current_revision(engine)
    change = "no change" if after == before else f"was {before or 'empty'}"
    click.echo(f"Database is at revision {after} ({change}).")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ("base" empties it)."""
    migrate.downgrade(services().engine, revision)
    click.echo(f"Database is at revision {migrate.current_revision(services().engine)}.")


@db_cli.command("current")
def db_current() -> None:
    """Print the database's migration revision."""
    click.echo(migrate.current_revision(services().engine) or "empty (run: microcred db upgrade)")
