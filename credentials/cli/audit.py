"""``microcred audit verify``: check the audit trail's hash chain."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..domain.audit import verify_chain
from .transaction import in_transaction

audit_cli = AppGroup("audit", help="The audit trail.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain; exit 1 if any event was edited, inserted or deleted."""
    with in_transaction() as (session, _now):
        report = verify_chain(session)
    if report.ok:
        click.echo(f"Audit trail intact: {report.events_checked} event(s) verified.")
        return
    for problem in report.problems:
        click.echo(f"BROKEN: {problem}", err=True)
    raise click.ClickException(f"Audit trail is not intact ({len(report.problems)} problem(s)).")
