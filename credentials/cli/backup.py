"""``microcred backup --out DIR`` and ``microcred restore DIR``: a whole installation, checked file by file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..domain.backup.restoring import (
    BACKENDS,
    KeyCheck,
    check_backup,
    check_installation,
    check_keys,
    record_restore,
    restore_backup,
)
from ..domain.backup.writing import BackupRefused, record_backup, write_backup
from .transaction import OPERATOR, in_transaction, services


@click.command("backup")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="A new or empty directory for the backup (it will hold personal data: keep it private).",
)
@click.option(
    "--link-dest",
    type=click.Path(file_okay=False, path_type=Path),
    help="An earlier backup on the same filesystem: evidence files it holds intact are hard-linked, not copied "
    "(if it is not a backup, everything is copied).",
)
@with_appcontext
def backup_command(out: Path, link_dest: Path | None) -> None:
    """Back up the database, the evidence files and the issuer's key files (as they are, encrypted) into DIR."""
    svc = services()
    with _refusals():
        written = write_backup(
            out, engine=svc.engine, evidence=svc.evidence, keys=svc.keys, now=svc.clock(), link_dest=link_dest
        )
    with in_transaction() as (session, now):
        event = record_backup(session, written, actor=OPERATOR, now=now)
    manifest = written.manifest
    click.echo(
        f"Backed up to {out}: the {BACKENDS[manifest.backend]} database (revision {manifest.revision}, audit trail "
        f"up to event {manifest.audit_seq}), {len(manifest.evidence)} evidence file(s), "
        f"{len(manifest.keys)} key file(s); {len(manifest.files) + 1} files, {_size(manifest.total_bytes)}."
    )
    if written.linked is not None:
        click.echo(f"{written.linked} of the evidence files are hard links to the same files in {link_dest}.")
    elif link_dest is not None:
        click.echo(f"{link_dest} is not a microcred backup: every evidence file was copied.")
    click.echo(f"Manifest SHA-256: {written.manifest_sha256} (audit event {event.seq}).")
    if svc.keys.encrypts:
        click.echo("Keep MICROCRED_KEY_PASSPHRASE apart from this backup: the key files in it are encrypted with it.")
    else:
        click.echo("The key files are development keys, not encrypted: keep this backup as secret as the keys.")
    if manifest.warnings:
        for warning in manifest.warnings:
            click.echo(f"WARNING: {warning}", err=True)
        raise click.ClickException(
            f"The backup was written, but this installation has {len(manifest.warnings)} problem(s) (listed above)."
        )


@click.command("restore")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--manifest-sha256",
    metavar="HEX",
    help="Refuse the backup unless its manifest.json has this SHA-256 (printed by backup, kept in the audit trail).",
)
@click.option("--dry-run", is_flag=True, help="Check the backup and this installation; restore nothing.")
@with_appcontext
def restore_command(directory: Path, manifest_sha256: str | None, dry_run: bool) -> None:
    """Restore a backup made by `microcred backup` into this installation, which must be empty."""
    svc = services()
    with _refusals():
        backup = check_backup(directory, expected_sha256=manifest_sha256)
        check_installation(backup, engine=svc.engine, evidence=svc.evidence, keys=svc.keys)
        manifest = backup.manifest
        if dry_run:
            click.echo(
                f"The backup of {manifest.created_at:%Y-%m-%d %H:%M} UTC matches its manifest "
                f"({len(manifest.files) + 1} files) and this installation is empty. Nothing was restored (dry run)."
            )
            return
        restored = restore_backup(backup, engine=svc.engine, evidence=svc.evidence, keys=svc.keys)
    with in_transaction() as (session, now):
        keys = check_keys(session, svc.keys)
        event = record_restore(session, restored, actor=OPERATOR, now=now)
    click.echo(
        f"Restored the backup of {manifest.created_at:%Y-%m-%d %H:%M} UTC (microcred {manifest.microcred_version}) "
        f"from {directory}:"
    )
    upgraded = f"; migrated from revision {restored.upgraded_from}" if restored.upgraded_from else ""
    click.echo(
        f"  database: {BACKENDS[manifest.backend]}, revision {manifest.revision}{upgraded}, "
        f"audit trail of {restored.facts.audit_seq} event(s)"
    )
    click.echo(f"  evidence: {len(manifest.evidence)} file(s), {_size(sum(e.size for e in manifest.evidence))}")
    click.echo(f"  keys: {len(manifest.keys)} key file(s){_key_note(keys)}")
    click.echo(f"Recorded as audit event {event.seq} (backup.restored).")
    click.echo("Next: run `microcred audit verify`, then start the service and open a credential's page.")
    problems = [*manifest.warnings, *restored.problems, *keys.problems]
    if problems:
        for problem in problems:
            click.echo(f"WARNING: {problem}", err=True)
        raise click.ClickException(f"The backup was restored, but with {len(problems)} problem(s) (listed above).")


def _key_note(keys: KeyCheck) -> str:
    if keys.opened and not keys.unchecked and not keys.problems:
        encrypted = services().keys.encrypts
        return f"; each opens{' with MICROCRED_KEY_PASSPHRASE' if encrypted else ''} and matches its public key"
    if keys.unchecked:
        return "; not opened: set MICROCRED_KEY_PASSPHRASE to check they open before the service signs anything"
    return ""


@contextmanager
def _refusals() -> Iterator[None]:
    """Turns ``BackupRefused`` into the command's error: the message, then one line per problem."""
    try:
        yield
    except BackupRefused as exc:
        details = "".join(f"\n  - {problem}" for problem in exc.problems)
        raise click.ClickException(f"{exc.message}{details}") from exc


def _size(count: float) -> str:
    if count < 1000:
        return f"{count:,.0f} bytes"
    for unit in ("KB", "MB", "GB"):
        count /= 1000
        if count < 1000 or unit == "GB":
            break
    return f"{count:,.1f} {unit}"
