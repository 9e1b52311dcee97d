"""Operator commands for signing keys and issued credentials: ``microcred keys`` and ``microcred credentials``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from .cli_support import cli_failure, cli_services
from .domain.audit import Actor
from .domain.credentials import credential_rows, downloads, issuance, issuer_keys, revocation
from .domain.credentials.csv_issuance import IssueRow, parse_issue_csv
from .domain.errors import DomainError
from .storage.database import transaction

OPERATOR = Actor.system("cli")


keys_cli = AppGroup("keys", help="The issuer's signing keys (private keys live in MICROCRED_KEYS_DIR).")


@keys_cli.command("generate")
def keys_generate() -> None:
    """Create an Ed25519 and an RSA-2048 key if there is no active one (safe to run again)."""
    svc = cli_services()
    with transaction(svc.session_factory) as session:
        created = issuer_keys.generate_keys(session, svc.keys, actor=OPERATOR, now=svc.clock())
    if not created:
        click.echo("Active signing keys already exist; nothing to do (use `microcred keys rotate` for new ones).")
    for key in created:
        note = "" if svc.keys.encrypts else " (development key: not encrypted, refused in production)"
        click.echo(f"Generated {key.algorithm} key {key.kid} in {svc.keys.directory}{note}")


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Retire the active keys and make new ones active; retired keys still verify what they signed."""
    svc = cli_services()
    with transaction(svc.session_factory) as session:
        created = issuer_keys.rotate_keys(session, svc.keys, actor=OPERATOR, now=svc.clock())
    for key in created:
        click.echo(f"New active {key.algorithm} key: {key.kid}")


@keys_cli.command("revoke")
@click.argument("kid")
@click.option("--reason", required=True, help="Why (for example: key file exposed). Shown to verifiers.")
def keys_revoke(kid: str, reason: str) -> None:
    """Withdraw a compromised key: it leaves the DID document and what it signed no longer verifies."""
    svc = cli_services()
    try:
        with transaction(svc.session_factory) as session:
            key = issuer_keys.revoke_key(session, kid, reason=reason, actor=OPERATOR, now=svc.clock())
    except DomainError as exc:
        raise cli_failure(exc) from exc
    click.echo(f"Revoked {key.algorithm} key {key.kid}. Run `microcred keys rotate` if it was active.")


@keys_cli.command("list")
def keys_list() -> None:
    """Every key with its algorithm and status."""
    svc = cli_services()
    with transaction(svc.session_factory) as session:
        for key in issuer_keys.list_keys(session):
            when = key.revoked_at or key.retired_at or key.created_at
            click.echo(f"{key.kid:<24} {key.algorithm:<8} {key.status:<8} {when:%Y-%m-%d}")


credentials_cli = AppGroup("credentials", help="Issued credentials.")


@credentials_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
def credentials_list(as_json: bool) -> None:
    """Every issued credential: uuid, earner, micro-credential, issued, status."""
    svc = cli_services()
    with transaction(svc.session_factory) as session:
        rows = credential_rows.all_credentials(session, now=svc.clock())
    for row in rows:
        if as_json:
            click.echo(json.dumps(row.as_dict()))
        else:
            click.echo(f"{row.uuid}  {row.earner:<28.28} {row.title:<40.40} {row.issued:%Y-%m-%d}  {row.status}")


@credentials_cli.command("export")
@click.argument("uuid")
@click.option("--format", "fmt", type=click.Choice(["json", "jwt", "png", "svg"]), default="json", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
def credentials_export(uuid: str, fmt: str, out: Path | None) -> None:
    """Write a credential as signed JSON, VC-JWT, or a baked PNG or SVG badge."""
    svc = cli_services()
    make = {
        "json": downloads.signed_json,
        "jwt": downloads.signed_jwt,
        "png": downloads.baked_png,
        "svg": downloads.baked_svg,
    }[fmt]
    try:
        with transaction(svc.session_factory) as session:
            download = make(session, uuid)
    except DomainError as exc:
        raise cli_failure(exc) from exc
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
    svc = cli_services()
    with transaction(svc.session_factory) as session:
        attempt_ids = issuance.pending_requests(session)
    issued = 0
    for attempt_id in attempt_ids:
        try:
            with transaction(svc.session_factory) as session:
                issuance.issue_for_attempt(session, svc.signing, attempt_id, now=svc.clock())
            issued += 1
        except DomainError as exc:
            click.echo(f"attempt {attempt_id}: {exc.message}", err=True)
    click.echo(f"Issued {issued} of {len(attempt_ids)} pending credential(s).")


@credentials_cli.command("issue-csv")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--dry-run", is_flag=True, help="Check every row and report problems; issue nothing.")
def credentials_issue_csv(file, dry_run: bool) -> None:
    """Issue credentials for people named in a CSV file (columns: name, email, microcredential, awarded_on,
    optional version)."""
    svc = cli_services()
    with transaction(svc.session_factory) as session:
        rows, problems = parse_issue_csv(session, file.read())
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
            created_now = _issue_row(svc, row)
            created += created_now
            existing += not created_now
    click.echo(f"Issued {created} credential(s); {existing} row(s) were already issued and were left alone.")


def _issue_row(svc, row: IssueRow) -> bool:
    with transaction(svc.session_factory) as session:
        _credential, created = issuance.issue(
            session,
            svc.signing,
            row.version(session),
            row.recipient,
            awarded_at=row.awarded_at,
            source="csv",
            actor=OPERATOR,
            now=svc.clock(),
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
    _change(lambda s, svc: revocation.revoke_credential(
        s, svc.signing, uuid, category=category, reason=reason, actor=OPERATOR, now=svc.clock()))  # fmt: skip
    click.echo(f"Revoked {uuid} ({revocation.CATEGORIES[category]}).")


@credentials_cli.command("suspend")
@click.argument("uuid")
@click.option("--reason", required=True, help="Why (kept in the audit trail).")
def credentials_suspend(uuid: str, reason: str) -> None:
    """Suspend a credential until `credentials unsuspend`."""
    _change(lambda s, svc: revocation.suspend_credential(
        s, svc.signing, uuid, reason=reason, actor=OPERATOR, now=svc.clock()))  # fmt: skip
    click.echo(f"Suspended {uuid}.")


@credentials_cli.command("unsuspend")
@click.argument("uuid")
def credentials_unsuspend(uuid: str) -> None:
    """Lift a suspension."""
    _change(lambda s, svc: revocation.unsuspend_credential(s, svc.signing, uuid, actor=OPERATOR, now=svc.clock()))
    click.echo(f"Reinstated {uuid}.")


@credentials_cli.command("remind-expiring")
def credentials_remind_expiring() -> None:
    """E-mail earners whose credentials expire within 60 or 14 days (run daily from cron)."""
    svc = cli_services()
    with transaction(svc.session_factory) as session:
        sent = revocation.send_expiry_reminders(session, svc.signing, now=svc.clock())
    click.echo(f"Queued {sent} expiry reminder(s).")


def _change(operation) -> None:
    svc = cli_services()
    try:
        with transaction(svc.session_factory) as session:
            operation(session, svc)
    except DomainError as exc:
        raise cli_failure(exc) from exc


def load_demo_credentials() -> None:
    """The demo part of ``microcred demo load`` that needs signing keys: two teachers' earned credentials."""
    from .domain.credentials.issuer_keys import NoSigningKey
    from .domain.demo.credentials import load_demo_credentials as load

    svc = cli_services()
    try:
        with transaction(svc.session_factory) as session:
            issued = load(session, svc.evidence, svc.signing, now=svc.clock())
    except NoSigningKey as exc:
        click.echo(f"Demo credentials skipped: {exc.message}")
        return
    if issued:
        click.echo(
            f"Issued {issued} demo credential(s) (María López and Aisha Okafor); see `microcred credentials list`."
        )


COMMANDS = (keys_cli, credentials_cli)
