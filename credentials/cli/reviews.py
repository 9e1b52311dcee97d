"""``microcred reviews``: routing submitted evidence to reviewers (run from cron or a systemd timer)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..domain.review import admin, routing
from .transaction import in_transaction

reviews_cli = AppGroup("reviews", help="Routing submitted evidence to reviewers.")


@reviews_cli.command("sweep")
def reviews_sweep() -> None:
    """Move overdue assignments to other reviewers (telling them and the admins), then route waiting work."""
    with in_transaction() as (session, now):
        report = admin.sweep_overdue(session, now=now)
    click.echo(f"{report.overdue} overdue, {report.reassigned} reassigned")


@reviews_cli.command("route")
@click.option(
    "--limit", type=int, default=None, help="Try only this many waiting attempts, oldest first (default: all)."
)
def reviews_route(limit: int | None) -> None:
    """Try again to find reviewers for submitted attempts still waiting for them."""
    with in_transaction() as (session, now):
        routed = routing.route_waiting(session, now=now, limit=limit)
    click.echo(f"{routed} waiting attempt(s) got reviewers")
