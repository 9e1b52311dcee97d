"""The restore drill: a district with real data is backed up, restored into a fresh installation, and checked there.

Runs on SQLite, and on PostgreSQL (pg_dump, pg_restore, a second scratch database) under make test-postgres.
"""

from __future__ import annotations

import hashlib
import json
import threading

import pytest
from sqlalchemy import select

from credentials.domain.audit import Actor, record_event
from credentials.storage.database import transaction
from credentials.storage.models import Artifact, IssuedCredential
from tests.builders import pdf_bytes, png_bytes

from .conftest import PASSPHRASE, draft_with_files, event_count, sha256_of


@pytest.fixture
def settings(settings):
    """The source installation encrypts its keys, as production does."""
    return settings.with_overrides(key_passphrase=PASSPHRASE)


def test_a_district_restored_from_its_backup_verifies_everywhere(run, build, services, target, tmp_path):
    # A district: two issued credentials (same PDF evidence, one blob), one revoked, keys rotated in between so an
    # older credential is signed by a retired key, and a draft with two more files.
    slug = build.published()
    first = build.credential(slug)
    assert run("credentials", "revoke", first.uuid, "--reason", "Issued in error").exit_code == 0
    assert run("keys", "rotate").exit_code == 0
    second = build.credential(slug)
    draft_with_files(build, slug, [("tickets.png", png_bytes()), ("notes.pdf", pdf_bytes("Notes on tickets"))])
    source_keys = {path.name: path.read_bytes() for path in services.keys.directory.glob("*.pem")}
    assert len(source_keys) == 4 and all(b"ENCRYPTED PRIVATE KEY" in key for key in source_keys.values())

    backup = tmp_path / "backup"
    result = run("backup", "--out", str(backup))
    assert result.exit_code == 0, result.output
    manifest = json.loads((backup / "manifest.json").read_text())
    backed_up_events = event_count(services)
    # The backup's own event is in the live trail, after the last event the backup holds.
    assert manifest["database"]["audit_head"]["seq"] == backed_up_events - 1
    assert f"Manifest SHA-256: {sha256_of(backup / 'manifest.json')}" in result.output
    assert run("audit", "verify").exit_code == 0

    restored = target.run("restore", backup)
    assert restored.exit_code == 0, restored.output
    assert "not opened: set MICROCRED_KEY_PASSPHRASE" in restored.output  # restoring needed no passphrase
    assert "Next: run `microcred audit verify`" in restored.output

    # The audit trail: the backup's events, then one backup.restored chained to the backup's last event.
    verified = target.run("audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert verified.output == f"Audit trail intact: {backed_up_events} event(s) verified.\n"
    event = target.last_event()
    assert (event.action, event.subject_id) == ("backup.restored", sha256_of(backup / "manifest.json"))
    assert event.previous_sha256 == manifest["database"]["audit_head"]["sha256"]
    assert event.summary["message"] == f"restored from backup {manifest['created_at']}"

    # Every evidence file: its content hashes to its name, and matches its artifacts row.
    store = target.services.evidence
    with target.services.session_factory() as session:
        artifacts = session.scalars(select(Artifact)).all()
        uuids = {c.uuid: c.revoked_at is not None for c in session.scalars(select(IssuedCredential))}
    assert len(artifacts) == 4 and len({a.sha256 for a in artifacts}) == 3
    for artifact in artifacts:
        with store.open(artifact.sha256) as blob:
            content = blob.read()
        assert hashlib.sha256(content).hexdigest() == artifact.sha256 and len(content) == artifact.size
    assert sorted(p.name for p in store.blobs.rglob("*") if p.is_file()) == sorted({a.sha256 for a in artifacts})

    # The key files are the same bytes, still encrypted.
    restored_keys = {path.name: path.read_bytes() for path in target.settings.keys_dir.glob("*.pem")}
    assert restored_keys == source_keys

    # Every credential, as signed JSON and as a VC-JWT, verifies against the restored keys; the revoked one says so.
    assert uuids == {first.uuid: True, second.uuid: False}
    for uuid, revoked in uuids.items():
        for fmt in ("json", "jwt"):
            path = tmp_path / f"{uuid}.{fmt}"
            assert target.run("credentials", "export", uuid, "--format", fmt, "--out", path).exit_code == 0
            report = target.run("verify", path)
            if revoked:
                assert report.exit_code == 1 and "Revoked by the issuer" in report.output, report.output
            else:
                assert report.exit_code == 0 and report.output.startswith("Verified: Every check passed."), (
                    report.output
                )
            assert "[     ok] proof: A valid" in report.output


def test_the_restored_keys_sign_with_the_passphrase(run, build, services, target, tmp_path):
    slug = build.published()
    build.credential(slug)
    assert run("backup", "--out", str(tmp_path / "backup")).exit_code == 0
    target.settings = target.settings.with_overrides(key_passphrase=PASSPHRASE)

    restored = target.run("restore", tmp_path / "backup")
    assert restored.exit_code == 0, restored.output
    assert "2 key file(s); each opens with MICROCRED_KEY_PASSPHRASE and matches its public key" in restored.output

    # A new credential in the restored installation: new rows (sequences restored) signed by the restored keys.
    issued = target.build().credential(slug)
    path = tmp_path / "new.jwt"
    assert target.run("credentials", "export", issued.uuid, "--format", "jwt", "--out", path).exit_code == 0
    report = target.run("verify", path)
    assert report.exit_code == 0, report.output
    assert target.run("audit", "verify").exit_code == 0


def test_a_wrong_passphrase_shows_at_restore_not_at_the_next_issuance(run, build, target, tmp_path):
    build.credential()
    assert run("backup", "--out", str(tmp_path / "backup")).exit_code == 0
    target.settings = target.settings.with_overrides(key_passphrase="not the district's passphrase")

    restored = target.run("restore", tmp_path / "backup")

    assert restored.exit_code == 1
    assert "cannot be decrypted: MICROCRED_KEY_PASSPHRASE is wrong or the file is damaged" in restored.stderr
    assert "The backup was restored, but with 2 problem(s)" in restored.output
    assert target.run("audit", "verify").exit_code == 0


def test_a_running_service_is_backed_up_consistently(run, build, services, target, tmp_path):
    build.credential()
    stop, written = threading.Event(), []

    def keep_writing():
        while not stop.is_set():
            with transaction(services.session_factory) as session:
                event = record_event(
                    session, actor=Actor.system("test"), action="test.busy", subject_type="test", subject_id=1,
                    now=services.clock(),
                )  # fmt: skip
                written.append(event.seq)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = run("backup", "--out", str(tmp_path / "backup"))
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert len(written) > 1
    restored = target.run("restore", tmp_path / "backup")
    assert restored.exit_code == 0, restored.output
    # Whatever the writer managed before the snapshot is there, as one intact chain ending where the manifest says.
    assert target.run("audit", "verify").exit_code == 0
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert target.last_event().seq == manifest["database"]["audit_head"]["seq"] + 1
