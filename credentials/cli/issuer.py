"""``microcred issuer setup``: the issuing district."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..domain.people import organizations
from ..text.dates import DEFAULT_TIME_ZONE
from .transaction import OPERATOR, in_transaction

issuer_cli = AppGroup("issuer", help="The issuing district.")


@issuer_cli.command("setup")
@click.option("--name", required=True, help="The district's name.")
@click.option("--url", required=True, help="The district's public web address.")
@click.option("--email", required=True, help="The district's contact e-mail address.")
@click.option(
    "--time-zone",
    default=DEFAULT_TIME_ZONE,
    show_default=True,
    help="The IANA time zone the district's dates are shown in.",
)
def issuer_setup(name: str, url: str, email: str, time_zone: str) -> None:
    """Create the district and its district office (once per installation)."""
    with in_transaction() as (session, now):
        details = organizations.clean_issuer_details(name, url, email, time_zone)
        issuer = organizations.set_up_issuer(session, details, actor=OPERATOR, now=now)
    click.echo(f"Set up {issuer.name}.")
