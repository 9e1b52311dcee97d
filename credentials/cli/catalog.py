"""``microcred catalog``: import and export micro-credential definitions."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from ..domain.catalog import transfer
from .transaction import OPERATOR, in_transaction

catalog_cli = AppGroup("catalog", help="Micro-credential definitions.")


@catalog_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--publish", is_flag=True, help="Publish the imported version at once.")
def catalog_import(file, publish: bool) -> None:
    """Import a definition (JSON, schemas/microcredential.schema.json) as a new micro-credential or a new draft."""
    with in_transaction() as (session, now):
        document = transfer.parse_document(file.read())
        version = transfer.import_definition(session, document, actor=OPERATOR, now=now, publish=publish)
        slug, number, status = version.microcredential.slug, version.number, version.status
    click.echo(f"Imported {slug} as version {number} ({status}).")


@catalog_cli.command("export")
@click.argument("slug")
@click.option("--version", "number", type=int, help="Version number (default: the published one, else the newest).")
def catalog_export(slug: str, number: int | None) -> None:
    """Print a micro-credential's definition as JSON."""
    with in_transaction() as (session, _now):
        document = transfer.export_definition(session, slug, number)
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))
