"""Operator commands: ``microcred db upgrade``, ``users create``, ``demo load``, ``audit verify``, ``mail deliver``,
``reviews sweep`` and ``reviews route``."""

from __future__ import annotations

import json
import time

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup

from .cli_support import cli_failure, cli_services
from .domain import audit, outbox
from .domain.audit import Actor
from .domain.catalog import transfer
from .domain.errors import DomainError
from .domain.people import accounts, login_throttle, organizations
from .domain.review import admin, routing
from .storage import migrate
from .storage.database import transaction
from .storage.models.accounts import ROLES

db_cli = AppGroup("db", help="Create and migrate the database.")


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Alembic revision to migrate to.")
def db_upgrade(revision: str) -> None:
    """Migrate the database to the latest schema (creating it if needed)."""
    migrate.upgrade(cli_services().engine, revision)
    click.echo(f"Database is at revision {migrate.current_revision(cli_services().engine)}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ("base" empties it)."""
    migrate.downgrade(cli_services().engine, revision)
    click.echo(f"Database is at revision {migrate.current_revision(cli_services().engine)}.")


@db_cli.command("current")
def db_current() -> None:
    """Print the database's migration revision."""
    click.echo(migrate.current_revision(cli_services().engine) or "empty (run: microcred db upgrade)")


issuer_cli = AppGroup("issuer", help="The issuing district.")


@issuer_cli.command("setup")
@click.option("--name", required=True, help="The district's name.")
@click.option("--url", required=True, help="The district's public web address.")
@click.option("--email", required=True, help="The district's contact e-mail address.")
def issuer_setup(name: str, url: str, email: str) -> None:
    """Create the district and its district office (once per installation)."""
    svc = cli_services()
    try:
        with transaction(svc.session_factory) as session:
            details = organizations.clean_issuer_details(name, url, email)
            issuer = organizations.set_up_issuer(session, details, actor=Actor.system("cli"), now=svc.clock())
    except DomainError as exc:
        raise cli_failure(exc) from exc
    click.echo(f"Set up {issuer.name}.")


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
    svc = cli_services()
    try:
        with transaction(svc.session_factory) as session:
            school_row = organizations.find_school(session, school)
            user = accounts.create_user(
                session,
                svc.passwords,
                email=email,
                name=name,
                roles=roles,
                school_id=school_row.id,
                password=password,
                actor=Actor.system("cli"),
                now=svc.clock(),
            )
    except DomainError as exc:
        raise cli_failure(exc) from exc
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}) at {school_row.name}.")


@users_cli.command("purge-failed-logins")
def users_purge_failed_logins() -> None:
    """Delete failed sign-in records older than the 15-minute throttle window."""
    svc = cli_services()
    with transaction(svc.session_factory) as session:
        count = login_throttle.purge_failed_logins(session, now=svc.clock())
    click.echo(f"Deleted {count} old failed sign-in record(s).")


demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("load")
def demo_load() -> None:
    """Load Riverside Unified School District with schools and people (safe to run again)."""
    from .domain.demo.district import DEMO_PASSWORD, load_demo

    svc = cli_services()
    with transaction(svc.session_factory) as session:
        report = load_demo(session, svc.passwords, now=svc.clock())
    click.echo(f"Demo data: {report.created} account(s) created, {report.existing} already present.")
    for title in report.microcredentials_created:
        click.echo(f"Published the micro-credential: {title}")
    from .cli_credentials import load_demo_credentials

    load_demo_credentials()
    click.echo(f"Every demo account's password is: {DEMO_PASSWORD}")
    for email, roles, school in report.accounts:
        click.echo(f"  {email:<40} {roles:<22} {school}")


audit_cli = AppGroup("audit", help="The audit trail.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain; exit 1 if any event was edited, inserted or deleted."""
    svc = cli_services()
    with transaction(svc.session_factory) as session:
        report = audit.verify_chain(session)
    if report.ok:
        click.echo(f"Audit trail intact: {report.events_checked} event(s) verified.")
        return
    for problem in report.problems:
        click.echo(f"BROKEN: {problem}", err=True)
    raise click.ClickException(f"Audit trail is not intact ({len(report.problems)} problem(s)).")


mail_cli = AppGroup("mail", help="The e-mail outbox.")


@mail_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering until interrupted (for a service unit).")
@click.option("--interval", default=30, show_default=True, help="Seconds between passes with --loop.")
def mail_deliver(loop: bool, interval: int) -> None:
    """Send every due message in the outbox, retrying failures with backoff."""
    svc = cli_services()
    while True:
        total = outbox.DeliveryReport()
        while True:
            with transaction(svc.session_factory) as session:
                report = outbox.deliver_due(session, svc.mail, now=svc.clock())
            for name in ("delivered", "logged", "retrying", "failed"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            if report.handled == 0:
                break
        click.echo(
            f"Outbox: {total.delivered} sent, {total.logged} logged (no SMTP), "
            f"{total.retrying} to retry, {total.failed} failed."
        )
        if not loop:
            return
        time.sleep(interval)


catalog_cli = AppGroup("catalog", help="Micro-credential definitions.")


@catalog_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--publish", is_flag=True, help="Publish the imported version at once.")
def catalog_import(file, publish: bool) -> None:
    """Import a definition (JSON, schemas/microcredential.schema.json) as a new micro-credential or a new draft."""
    svc = cli_services()
    try:
        with transaction(svc.session_factory) as session:
            document = transfer.parse_document(file.read())
            version = transfer.import_definition(
                session, document, actor=Actor.system("cli"), now=svc.clock(), publish=publish
            )
            slug, number, status = version.microcredential.slug, version.number, version.status
    except DomainError as exc:
        raise cli_failure(exc) from exc
    click.echo(f"Imported {slug} as version {number} ({status}).")


@catalog_cli.command("export")
@click.argument("slug")
@click.option("--version", "number", type=int, help="Version number (default: the published one, else the newest).")
def catalog_export(slug: str, number: int | None) -> None:
    """Print a micro-credential's definition as JSON."""
    svc = cli_services()
    try:
        with transaction(svc.session_factory) as session:
            document = transfer.export_definition(session, slug, number)
    except DomainError as exc:
        raise cli_failure(exc) from exc
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


reviews_cli = AppGroup("reviews", help="Routing submitted evidence to reviewers.")


@reviews_cli.command("sweep")
def reviews_sweep() -> None:
    """Move overdue assignments to other reviewers (telling them and the admins), then route waiting work."""
    svc = cli_services()
    with transaction(svc.session_factory) as session:
        report = admin.sweep_overdue(session, now=svc.clock())
    click.echo(f"{report.overdue} overdue, {report.reassigned} reassigned")


@reviews_cli.command("route")
@click.option(
    "--limit", type=int, default=None, help="Try only this many waiting attempts, oldest first (default: all)."
)
def reviews_route(limit: int | None) -> None:
    """Try again to find reviewers for submitted attempts still waiting for them."""
    svc = cli_services()
    with transaction(svc.session_factory) as session:
        routed = routing.route_waiting(session, now=svc.clock(), limit=limit)
    click.echo(f"{routed} waiting attempt(s) got reviewers")


def register_commands(app: Flask) -> None:
    from .cli_credentials import COMMANDS as CREDENTIAL_COMMANDS
    from .cli_verify import verify_command

    for group in (db_cli, issuer_cli, users_cli, demo_cli, audit_cli, mail_cli, catalog_cli, reviews_cli):
        app.cli.add_command(group)
    for command in CREDENTIAL_COMMANDS:
        app.cli.add_command(command)
    app.cli.add_command(verify_command)


def main() -> None:
    """The ``microcred`` console script: the Flask CLI of this app."""
    from . import create_app

    FlaskGroup(create_app=create_app, help="Operate microcred.").main()
