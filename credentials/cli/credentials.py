"""``microcred credentials``: list, export, issue (pending requests and CSV files), revoke and suspend credentials."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from ..domain.credentials import credential_rows, downloads, issuance, revocation
from ..domain.credentials.csv_issuance import IssueRow, parse_issue_csv
from ..domain.people.organizations import district_time_zone
from ..text.dates import local_day
from .transaction import OPERATOR, in_transaction, services

credentials_cli = AppGroup("credentials", help="Issued credentials.")


@credentials_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
def credentials_list(as_json: bool) -> None:
    """Every issued credential: uuid, earner, micro-credential, issued (district's day), status."""
    with in_transaction() as (session, now):
        rows = credential_rows.all_credentials(session, now=now)
        time_zone = district_time_zone(session)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row.as_dict()))
        return
    if not rows:
        click.echo("No credentials have been issued.")
        return
    table = [
        (row.uuid, row.earner, row.title, local_day(row.issued, time_zone).isoformat(), row.status) for row in rows
    ]
    for line in aligned(LIST_HEADER, table):
        click.echo(line)


LIST_HEADER = ("UUID", "EARNER", "MICRO-CREDENTIAL", "ISSUED", "STATUS")


def aligned(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """A plain-text table whose columns are as wide as their widest cell: nothing is cut short."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in (header, *rows)
    ]


@credentials_cli.command("export")
@click.argument("uuid")
@click.option("--format", "fmt", type=click.Choice(["json", "jwt", "png", "svg"]), default="json", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
def credentials_export(uuid: str, fmt: str, out: Path | None) -> None:
    """Write a credential as signed JSON, VC-JWT, or a baked PNG or SVG badge."""
    make = {
        "json": downloads.signed_json,
        "jwt": downloads.signed_jwt,
        "png": downloads.baked_png,
        "svg": downloads.baked_svg,
    }[fmt]
    with in_transaction() as (session, _now):
        download = make(session, uuid)
    if out is None:
        if fmt == "png":
            raise click.ClickException("A PNG is binary: write it to a file with --out FILE.")
        click.echo(download.data.decode("utf-8"))
    else:
        out.write_bytes(download.data)
        click.echo(f"Wrote {out} ({len(download.data):,} bytes).")


@credentials_cli.command("process")
def credentials_process() -> None:
    """Issue every credential an earned decision asked for that is not issued yet (for a cron job)."""
    svc = services()
    # The same function the web runs after an earned decision commits; it opens one transaction per request.
    run = issuance.issue_requested(svc.session_factory, svc.signing, clock=svc.clock)
    for attempt_id, reason in run.refused:
        click.echo(f"attempt {attempt_id}: {reason}", err=True)
    click.echo(f"Issued {len(run.issued)} of {len(run.attempts)} pending credential(s).")


@credentials_cli.command("issue-csv")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Check every row and report problems; issue nothing.")
def credentials_issue_csv(file, dry_run: bool) -> None:
    """Issue credentials for people named in a CSV file (columns: name, email, microcredential, awarded_on,
    optional version)."""
    with in_transaction() as (session, now):
        # Bytes, so that a file that is not UTF-8 is a reported problem with its line, as on the web.
        rows, problems = parse_issue_csv(session, file.read(), today=now.date())
    for line, message in problems:
        click.echo(f"line {line}: {message}", err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} bad row(s); nothing was issued. Fix them and run again.")
    if dry_run:
        click.echo(f"All {len(rows)} row(s) are valid. Nothing was issued (dry run).")
        return
    created = existing = 0
    with click.progressbar(rows, label="Issuing", show_pos=True, file=sys.stderr) as bar:
        for row in bar:
            created_now = _issue_row(row)
            created += created_now
            existing += not created_now
    click.echo(f"Issued {created} credential(s); {existing} row(s) were already issued and were left alone.")


def _issue_row(row: IssueRow) -> bool:
    # One transaction per row: what was issued before a failure stays issued, and a re-run skips it.
    with in_transaction() as (session, now):
        _credential, created = issuance.issue(
            session,
            services().signing,
            row.version(session),
            row.recipient,
            awarded_at=row.awarded_at,
            source="csv",
            actor=OPERATOR,
            now=now,
        )
    return created


@credentials_cli.command("revoke")
@click.argument("uuid")
@click.option("--reason", required=True, help="Why (kept privately in the audit trail).")
@click.option(
    "--category", type=click.Choice(sorted(revocation.CATEGORIES)), default="other", show_default=True,
    help="What the public is told.",
)  # fmt: skip
def credentials_revoke(uuid: str, reason: str, category: str) -> None:
    """Revoke a credential for good: its status bit is set and the list re-signed; the earner is told."""
    with in_transaction() as (session, now):
        revocation.revoke_credential(
            session, services().signing, uuid, category=category, reason=reason, actor=OPERATOR, now=now
        )
    click.echo(f"Revoked {uuid} ({revocation.CATEGORIES[category]}).")


@credentials_cli.command("suspend")
@click.argument("uuid")
@click.option("--reason", required=True, help="Why (kept in the audit trail).")
def credentials_suspend(uuid: str, reason: str) -> None:
    """Suspend a credential until `credentials unsuspend`."""
    with in_transaction() as (session, now):
        revocation.suspend_credential(session, services().signing, uuid, reason=reason, actor=OPERATOR, now=now)
    click.echo(f"Suspended {uuid}.")


@credentials_cli.command("unsuspend")
@click.argument("uuid")
def credentials_unsuspend(uuid: str) -> None:
    """Lift a suspension."""
    with in_transaction() as (session, now):
        revocation.unsuspend_credential(session, services().signing, uuid, actor=OPERATOR, now=now)
    click.echo(f"Reinstated {uuid}.")


@credentials_cli.command("remind-expiring")
def credentials_remind_expiring() -> None:
    """E-mail earners whose credentials expire within 60 or 14 days (run daily from cron)."""
    with in_transaction() as (session, now):
        sent = revocation.send_expiry_reminders(session, services().signing, now=now)
    click.echo(f"Queued {sent} expiry reminder(s).")
