"""``microcred keys`` and ``microcred credentials``: key lifecycle, listing, export, CSV issuance, demo credentials."""

import json
import os
import stat

import pytest
from sqlalchemy import func, select

from credentials.openbadges.baking import unbake_png, unbake_svg
from credentials.storage.models import IssuedCredential, IssuerKey


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args, **kwargs):
        return runner.invoke(args=list(args), **kwargs)

    return invoke


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


def test_credentials_list_and_export(run, build, tmp_path):
    credential = build.credential()
    table = run("credentials", "list")
    assert credential.uuid in table.output and "valid" in table.output
    [line] = run("credentials", "list", "--json").output.splitlines()
    row = json.loads(line)
    assert row["uuid"] == credential.uuid and row["status"] == "valid" and row["microcredential"] == "exit-tickets"
    exported = run("credentials", "export", credential.uuid)
    signed = json.loads(exported.output)
    assert signed["id"].endswith(credential.uuid)
    png = tmp_path / "badge.png"
    assert run("credentials", "export", credential.uuid, "--format", "png", "--out", str(png)).exit_code == 0
    assert json.loads(unbake_png(png.read_bytes())) == signed
    svg = tmp_path / "badge.svg"
    run("credentials", "export", credential.uuid, "--format", "svg", "--out", str(svg))
    assert json.loads(unbake_svg(svg.read_bytes())) == signed
    jwt = run("credentials", "export", credential.uuid, "--format", "jwt")
    assert jwt.output.count(".") == 2
    missing = run("credentials", "export", "00000000-0000-4000-8000-000000000000")
    assert missing.exit_code == 1 and "no credential" in missing.output


def test_issue_csv_reports_every_bad_row_and_issues_nothing(run, build, services, session, tmp_path):
    build.issuer_keys()
    build.published()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "name,email,microcredential,awarded_on\n"
        "Ana Ruiz,ana@example.org,exit-tickets,2024-06-01\n"
        ",not-an-email,no-such-thing,yesterday\n"
        "Ana Ruiz,ana@example.org,exit-tickets,2024-06-01\n"
        "Ben Ode,ben@example.org,exit-tickets,2999-01-01\n"
    )
    result = run("credentials", "issue-csv", str(bad))
    assert result.exit_code == 1
    for expected in ("line 3: name is empty", "line 3: email", "no-such-thing", "not a date", "line 4: repeats line 2",
                     "line 5: awarded_on 2999-01-01 is in the future"):  # fmt: skip
        assert expected in result.output, result.output
    session.rollback()
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 0


def test_issue_csv_dry_run_then_issue_then_rerun_is_a_no_op(run, build, session, tmp_path):
    build.issuer_keys()
    build.published()
    good = tmp_path / "good.csv"
    good.write_text(
        "Email,Name,MicroCredential,Awarded_On\n"
        "ana@example.org,Ana Ruiz,exit-tickets,2024-06-01\n"
        "ben@example.org,Ben Ode,exit-tickets,2023-09-15\n"
    )
    dry = run("credentials", "issue-csv", "--dry-run", str(good))
    assert dry.exit_code == 0 and "All 2 row(s) are valid" in dry.output
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 0
    issued = run("credentials", "issue-csv", str(good))
    assert issued.exit_code == 0 and "Issued 2 credential(s)" in issued.output
    again = run("credentials", "issue-csv", str(good))
    assert "Issued 0 credential(s); 2 row(s) were already issued" in again.output
    session.rollback()
    names = sorted(c.recipient_name for c in session.scalars(select(IssuedCredential)))
    assert names == ["Ana Ruiz", "Ben Ode"]


def test_credentials_process_issues_pending_requests(run, build, session):
    attempt = build.earned()  # decided before any key exists: the request waits
    build.issuer_keys()
    result = run("credentials", "process")
    assert "Issued 1 of 1" in result.output
    session.rollback()
    assert session.scalar(select(IssuedCredential.attempt_id)) == attempt.id


def test_demo_load_issues_two_real_credentials(run, services, session):
    run("keys", "generate")  # as `make run` does, before loading the demo
    first = run("demo", "load")
    assert first.exit_code == 0, first.output
    assert "Issued 2 demo credential(s)" in first.output, first.output
    session.rollback()
    assert sorted(c.recipient_name for c in session.scalars(select(IssuedCredential))) == [
        "Aisha Okafor",
        "María López",
    ]
    assert "Issued" not in run("demo", "load").output  # nothing more the second time
