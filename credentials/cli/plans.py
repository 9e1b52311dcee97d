"""``microcred plans``: growth plans (run ``complete-due`` daily from cron or a systemd timer)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..domain.plans import workflow
from .transaction import in_transaction

plans_cli = AppGroup("plans", help="Growth plans: complete the active plans of school years that have ended.")


@plans_cli.command("complete-due")
def plans_complete_due() -> None:
    """Complete (and freeze) every active growth plan whose school year has ended, telling each teacher."""
    with in_transaction() as (session, now):
        completed = workflow.complete_due(session, now)
    click.echo(f"{completed} plan(s) completed")
