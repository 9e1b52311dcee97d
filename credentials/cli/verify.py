"""``microcred verify FILE``: the verification report on a credential file, exiting 0 only when it is verified."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..domain.credentials.verification import verify_credential
from ..verification import MAX_INPUT_BYTES, InputError
from .transaction import in_transaction, services

EXIT_NOT_VERIFIED = 1
EXIT_BAD_INPUT = 2
MARKS = {"passed": "ok", "failed": "FAILED", "warning": "warning", "skipped": "skipped"}


@click.command("verify")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (as POST /api/v1/verify returns it).")
@with_appcontext
def verify_command(file: Path, as_json: bool) -> None:
    """Verify the credential in FILE (JSON, VC-JWT, baked PNG or SVG, certificate PDF; - reads standard input)."""
    svc = services()
    data = _read(file)
    try:
        with in_transaction() as (session, now):
            # The app's verifier: the same deadline (MICROCRED_VERIFY_FETCH_SECONDS) and fetch cap as the web's.
            report = verify_credential(session, svc.verifier, data, public_url=svc.settings.public_url, now=now)
    except InputError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        raise SystemExit(EXIT_BAD_INPUT) from None
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(f"{report.headline}: {report.reason}")
        summary = report.credential
        if summary.achievement_name or summary.earner_name:
            names = (summary.achievement_name or "?", summary.earner_name or "?", summary.issuer_name or "?")
            click.echo(" — ".join(names))
        for check in report.checks:
            click.echo(f"  [{MARKS[check.result]:>7}] {check.check}: {check.message}")
    raise SystemExit(0 if report.verified else EXIT_NOT_VERIFIED)


def _read(file: Path) -> bytes:
    if str(file) == "-":
        data = click.get_binary_stream("stdin").read(MAX_INPUT_BYTES + 1)
    else:
        try:
            with file.open("rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            click.echo(f"Error: cannot read {file}: {exc.strerror}", err=True)
            raise SystemExit(EXIT_BAD_INPUT) from None
    return data
