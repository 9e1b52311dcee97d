"""``microcred mail deliver``: send what waits in the e-mail outbox."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from ..domain.outbox import DeliveryReport, deliver_due
from .transaction import in_transaction, services

mail_cli = AppGroup("mail", help="The e-mail outbox.")


@mail_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering until interrupted (for a service unit).")
@click.option("--interval", default=30, show_default=True, help="Seconds between passes with --loop.")
def mail_deliver(loop: bool, interval: int) -> None:
    """Send every due message in the outbox, retrying failures with backoff."""
    while True:
        total = DeliveryReport()
        while True:
            with in_transaction() as (session, now):
                report = deliver_due(session, services().mail, now=now)
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
