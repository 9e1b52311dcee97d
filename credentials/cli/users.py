"""``microcred users``: people who sign in."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..domain.people import accounts, login_throttle, organizations
from ..domain.people.roles import ROLES
from .transaction import OPERATOR, in_transaction, services

users_cli = AppGroup("users", help="People who sign in.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role", "roles", multiple=True, required=True, type=click.Choice(ROLES), help="Repeat for several roles."
)
@click.option("--school", default="District office", show_default=True, help="School name or id.")
@click.password_option(
    help="Prompted for when not given; MICROCRED_NEW_PASSWORD also works.", envvar="MICROCRED_NEW_PASSWORD"
)
def users_create(email: str, name: str, roles: tuple[str, ...], school: str, password: str) -> None:
    """Create an account with a password (use the admin pages to invite people by e-mail)."""
    with in_transaction() as (session, now):
        school_row = organizations.find_school(session, school)
        user = accounts.create_user(
            session,
            services().passwords,
            email=email,
            name=name,
            roles=roles,
            school_id=school_row.id,
            password=password,
            actor=OPERATOR,
            now=now,
        )
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}) at {school_row.name}.")


@users_cli.command("purge-failed-logins")
def users_purge_failed_logins() -> None:
    """Delete failed sign-in records older than the 15-minute throttle window."""
    with in_transaction() as (session, now):
        count = login_throttle.purge_failed_logins(session, now=now)
    click.echo(f"Deleted {count} old failed sign-in record(s).")
