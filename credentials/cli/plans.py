"""``microcred plans``: growth plans (run ``complete-due`` daily from cron or a systemd timer)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..domain.plans import school_years, workflow
from ..text.dates import us_date
from .transaction import OPERATOR, in_transaction

plans_cli = AppGroup(
    "plans", help="Growth plans: set up school years; complete the active plans of school years that have ended."
)


@plans_cli.command("complete-due")
def plans_complete_due() -> None:
    """Complete (and freeze) every active growth plan whose school year has ended, telling each teacher."""
    with in_transaction() as (session, now):
        completed = workflow.complete_due(session, now)
    click.echo(f"{completed} plan(s) completed")


@plans_cli.command("add-school-year")
@click.argument("name")
@click.option("--starts-on", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="First day, YYYY-MM-DD.")
@click.option("--ends-on", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="Last day, YYYY-MM-DD.")
def plans_add_school_year(name: str, starts_on, ends_on) -> None:
    """Set up a school year (as the School years page does): teachers' plans belong to it."""
    with in_transaction() as (session, now):
        year = school_years.create_school_year(
            session, name=name, starts_on=starts_on.date(), ends_on=ends_on.date(), actor=OPERATOR, now=now
        )
        words = f"The {year.name} school year is set up: {us_date(year.starts_on)} to {us_date(year.ends_on)}."
    click.echo(words)
