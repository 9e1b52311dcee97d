"""``microcred keys``: generating, rotating, revoking and listing signing keys; private keys stay on disk."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import func, select

from credentials.storage.models import IssuerKey


def test_keys_generate_writes_private_key_files_readable_by_the_owner_only(run, build, services, session):
    build.issuer()
    result = run("keys", "generate")
    assert result.exit_code == 0, result.output
    assert "Ed25519" in result.output and "RSA" in result.output and "development key" in result.output
    files = sorted(services.keys.directory.glob("*.pem"))
    assert len(files) == 2
    for path in files:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert b"PRIVATE KEY" in path.read_bytes()
    again = run("keys", "generate")
    assert "nothing to do" in again.output
    assert session.scalar(select(func.count()).select_from(IssuerKey)) == 2
    # No private material in the database.
    for key in session.scalars(select(IssuerKey)):
        assert "d" not in key.public_jwk and "p" not in key.public_jwk


def test_keys_rotate_and_revoke(run, build, session):
    build.issuer_keys()
    old = {key.kid for key in session.scalars(select(IssuerKey))}
    assert run("keys", "rotate").exit_code == 0
    session.rollback()
    statuses = {key.kid: key.status for key in session.scalars(select(IssuerKey))}
    assert {statuses[kid] for kid in old} == {"retired"} and list(statuses.values()).count("active") == 2
    kid = sorted(old)[0]
    missing_reason = run("keys", "revoke", kid)
    assert missing_reason.exit_code != 0
    revoked = run("keys", "revoke", kid, "--reason", "Backup tape lost")
    assert revoked.exit_code == 0, revoked.output
    unknown = run("keys", "revoke", "ed25519-000000000000", "--reason", "x")
    assert unknown.exit_code == 1 and "no issuer key" in unknown.output
    listing = run("keys", "list").output
    assert f"{kid}" in listing and "revoked" in listing


def test_encrypted_keys_need_the_passphrase(tmp_path):
    from credentials.crypto.key_store import KeyStore, KeyStoreError

    store = KeyStore(tmp_path, "a long enough passphrase")
    generated = store.generate("Ed25519")
    assert (tmp_path / f"{generated.kid}.pem").read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert store.development_keys() == []
    with pytest.raises(KeyStoreError, match="MICROCRED_KEY_PASSPHRASE"):
        KeyStore(tmp_path).private_key(generated.kid)
    with pytest.raises(KeyStoreError, match="wrong") as caught:
        KeyStore(tmp_path, "the wrong passphrase!!").private_key(generated.kid)
    assert "BEGIN" not in str(caught.value)
    assert "passphrase" not in repr(store)
    assert KeyStore(tmp_path, "a long enough passphrase").private_key(generated.kid) is not None
