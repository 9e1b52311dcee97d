"""``microcred keys``: the issuer's signing keys (private keys live in MICROCRED_KEYS_DIR)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..domain.credentials import issuer_keys
from .transaction import OPERATOR, in_transaction, services

keys_cli = AppGroup("keys", help="The issuer's signing keys (private keys live in MICROCRED_KEYS_DIR).")


@keys_cli.command("generate")
def keys_generate() -> None:
    """Create an Ed25519 and an RSA-2048 key if there is no active one (safe to run again)."""
    store = services().keys
    with in_transaction() as (session, now):
        created = issuer_keys.generate_keys(session, store, actor=OPERATOR, now=now)
    if not created:
        click.echo("Active signing keys already exist; nothing to do (use `microcred keys rotate` for new ones).")
    for key in created:
        note = "" if store.encrypts else " (development key: not encrypted, refused in production)"
        click.echo(f"Generated {key.algorithm} key {key.kid} in {store.directory}{note}")


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Retire the active keys and make new ones active; retired keys still verify what they signed."""
    with in_transaction() as (session, now):
        created = issuer_keys.rotate_keys(session, services().keys, actor=OPERATOR, now=now)
    for key in created:
        click.echo(f"New active {key.algorithm} key: {key.kid}")


@keys_cli.command("revoke")
@click.argument("kid")
@click.option("--reason", required=True, help="Why (for example: key file exposed). Shown to verifiers.")
def keys_revoke(kid: str, reason: str) -> None:
    """Withdraw a compromised key: it leaves the DID document and what it signed no longer verifies."""
    with in_transaction() as (session, now):
        key = issuer_keys.revoke_key(session, kid, reason=reason, actor=OPERATOR, now=now)
    click.echo(f"Revoked {key.algorithm} key {key.kid}. Run `microcred keys rotate` if it was active.")


@keys_cli.command("list")
def keys_list() -> None:
    """Every key with its algorithm and status."""
    with in_transaction() as (session, _now):
        for key in issuer_keys.list_keys(session):
            when = key.revoked_at or key.retired_at or key.created_at
            click.echo(f"{key.kid:<24} {key.algorithm:<8} {key.status:<8} {when:%Y-%m-%d}")
