"""``microcred demo load``: demonstration data, including two teachers' real signed credentials."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from .transaction import in_transaction, services

demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("load")
def demo_load() -> None:
    """Load Riverside Unified School District with schools and people (safe to run again)."""
    from ..domain.demo.district import DEMO_PASSWORD, load_demo
    from ..domain.demo.plans import load_demo_plans

    if services().settings.is_production:
        # Every demo account's password is published (README, this command's output): an admin anyone can be.
        raise click.ClickException(
            "microcred demo load does not run in production (MICROCRED_ENV=production): its accounts share a "
            "published password, one of them an issuer admin. Create the first admin with `microcred users create` "
            "and invite everyone else from the People page."
        )
    with in_transaction() as (session, now):
        report = load_demo(session, services().passwords, now=now)
    click.echo(f"Demo data: {report.created} account(s) created, {report.existing} already present.")
    for title in report.microcredentials_created:
        click.echo(f"Published the micro-credential: {title}")
    with in_transaction() as (session, now):
        plans = load_demo_plans(session, now=now)
    if plans.plans:
        click.echo(
            f"Growth plans: {plans.plans} teachers' plans (María López's is active with weekly check-ins, Tom "
            "Becker's waits for the coach, Aisha Okafor's from last year is complete), a dozen goals on the boards."
        )
    if plans.templates:
        click.echo(
            "The coach wrote a plan template and applied it to Priya Natarajan, whose draft plan starts from it."
        )
    _load_demo_credentials()
    click.echo(f"Every demo account's password is: {DEMO_PASSWORD}")
    for email, roles, school in report.accounts:
        click.echo(f"  {email:<40} {roles:<22} {school}")


def _load_demo_credentials() -> None:
    """The part that needs signing keys: two teachers' earned credentials (skipped, saying why, without keys)."""
    from ..domain.credentials.issuer_keys import NoSigningKey
    from ..domain.demo.credentials import load_demo_credentials
    from ..domain.demo.journeys import load_demo_journeys
    from ..domain.demo.mentors import load_demo_mentors

    svc = services()
    try:
        with in_transaction(caller_handles=(NoSigningKey,)) as (session, now):
            issued = load_demo_credentials(session, svc.evidence, svc.signing, now=now)
            journeys = load_demo_journeys(session, svc.evidence, svc.signing, now=now)
            mentors = load_demo_mentors(session, now=now)
    except NoSigningKey as exc:
        click.echo(f"Demo credentials skipped: {exc.message}")
        return
    if issued:
        click.echo(
            f"Issued {issued} demo credential(s) (María López and Aisha Okafor); see `microcred credentials list`."
        )
    if mentors:
        click.echo(
            "Mentors: María López (exit tickets) and Aisha Okafor (academic conversations); Noah Williams has asked "
            "Aisha for help."
        )
    if journeys.not_yet or journeys.in_review or journeys.drafts or journeys.from_records or journeys.revoked:
        click.echo(
            "Demo year: James Chen's evidence came back “not yet”, Tom Becker's is being reviewed, Priya Natarajan "
            "has a draft, Sam O'Connor holds a credential from a district record, and one credential was revoked."
        )
