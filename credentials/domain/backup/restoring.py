"""Restore a backup into an empty installation: check it against its manifest, then the database, evidence and keys.

Nothing is written until every check has passed: the backup matches its manifest file for file, the database, the
uploads directory and the keys directory are empty, and the tools the restore needs are there. Key files are copied
as they are (the passphrase is not needed); when it is set, each key is opened with it and compared with its public
half in the restored database, so a lost or wrong passphrase shows now rather than at the next issuance.

The restore is recorded in the restored audit trail as ``backup.restored``, appended after the backup's last event
and chained to it as any event is, so ``microcred audit verify`` still passes and the trail shows where the
installation was restored and from which backup (its time and manifest SHA-256). Whatever the old installation
recorded after the backup is not in the restored trail; the gap is the time between the two events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import jwt
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ...crypto.key_store import ED25519, KeyStore, KeyStoreError
from ...storage import migrate
from ...storage.backup import (
    POSTGRESQL,
    DatabaseBackupError,
    DatabaseFacts,
    backend_of,
    client_tool,
    existing_tables,
    head_revision,
    restore_database,
    restored_facts,
    revision_is_known,
)
from ...storage.backup_files import Manifest, ManifestProblems, copy_in, mismatches, read_manifest
from ...storage.evidence_store import FilesystemEvidenceStore
from ...storage.models import AuditEvent, IssuerKey
from ..audit import Actor, record_event
from .writing import BackupRefused, microcred_version

BACKENDS = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
AGAIN = "Empty the database, MICROCRED_UPLOADS_DIR and MICROCRED_KEYS_DIR before restoring again."


@dataclass(frozen=True)
class CheckedBackup:
    """A backup directory whose every file matches its manifest."""

    directory: Path
    manifest: Manifest
    manifest_sha256: str


@dataclass
class RestoredBackup:
    """What a restore did and what it found when it checked the restored installation."""

    backup: CheckedBackup
    facts: DatabaseFacts
    upgraded_from: str | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class KeyCheck:
    """Which restored keys opened with the passphrase and matched their public halves, and which could not."""

    opened: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_backup(directory: Path, *, expected_sha256: str | None = None) -> CheckedBackup:
    """Read the manifest and compare every file with it; ``BackupRefused`` names each difference."""
    if not directory.is_dir():
        raise BackupRefused(f"{directory} is not a directory.")
    try:
        manifest, fingerprint = read_manifest(directory)
    except ManifestProblems as exc:
        raise BackupRefused(f"{directory} cannot be restored; nothing was restored:", exc.problems) from None
    if expected_sha256 and expected_sha256.strip().lower() != fingerprint:
        raise BackupRefused(
            f"{directory}/manifest.json has the SHA-256 {fingerprint}, not {expected_sha256.strip()}: it is not "
            "the backup you named, or its manifest was changed. Nothing was restored."
        )
    problems = mismatches(directory, manifest)
    if problems:
        raise BackupRefused(
            f"The backup in {directory} does not match its manifest; nothing was restored:", problems
        )  # fmt: skip
    return CheckedBackup(directory, manifest, fingerprint)


def check_installation(
    backup: CheckedBackup, *, engine: Engine, evidence: FilesystemEvidenceStore, keys: KeyStore
) -> None:
    """Refuse unless this installation can take the backup: same kind of database, all of it empty, tools present."""
    manifest, problems = backup.manifest, []
    try:
        backend = backend_of(engine)
    except DatabaseBackupError as exc:
        raise BackupRefused("Nothing was restored:", [str(exc)]) from None
    if backend != manifest.backend:
        problems.append(
            f"the backup is of a {BACKENDS[manifest.backend]} database but MICROCRED_DATABASE_URL names a "
            f"{BACKENDS[backend]} one: restore into the same kind of database"
        )
    if not revision_is_known(manifest.revision):
        problems.append(
            f"the backup's schema revision {manifest.revision} is unknown to this microcred ({microcred_version()}): "
            f"it was made by microcred {manifest.microcred_version}; install that version or a newer one"
        )
    try:
        tables, readable = existing_tables(engine), True
    except (DatabaseBackupError, OperationalError) as exc:
        problems.append(f"the database cannot be read: {str(getattr(exc, 'orig', None) or exc).strip()}")
        tables, readable = [], False
    if tables:
        shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        problems.append(
            f"the database is not empty: it has {len(tables)} table(s) ({shown}); restore into a new, empty database"
        )
    if evidence.root.is_dir() and any(p.is_file() or p.is_symlink() for p in evidence.root.rglob("*")):
        problems.append(
            f"MICROCRED_UPLOADS_DIR ({evidence.root}) is not empty: restore into an empty uploads directory"
        )
    present = sorted(path.name for path in keys.directory.glob("*.pem")) if keys.directory.is_dir() else []
    if present:
        problems.append(
            f"MICROCRED_KEYS_DIR ({keys.directory}) already holds key files ({', '.join(present)}): restore into a "
            "keys directory without keys"
        )
    if backend == POSTGRESQL == manifest.backend and readable:
        try:
            client_tool("pg_restore", engine)
        except DatabaseBackupError as exc:
            problems.append(str(exc))
    if problems:
        raise BackupRefused("This installation cannot take the backup; nothing was restored:", problems)


def restore_backup(
    backup: CheckedBackup, *, engine: Engine, evidence: FilesystemEvidenceStore, keys: KeyStore
) -> RestoredBackup:
    """Restore the database, then the evidence blobs, then the key files; migrate an older schema to this version's."""
    manifest, directory = backup.manifest, backup.directory
    try:
        restore_database(engine, directory / manifest.database.path)
    except DatabaseBackupError as exc:
        raise BackupRefused(f"{exc} The database was left as it was; nothing was restored.") from None
    try:
        for entry in manifest.evidence:
            with (directory / entry.path).open("rb") as stream:
                pending = evidence.receive(stream, max_bytes=entry.size)
            if pending.sha256 != entry.sha256:
                evidence.discard(pending)
                raise BackupRefused(f"{entry.path} changed while it was being restored.")
            evidence.keep(pending)
        keys.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        for entry in manifest.keys:
            with (directory / entry.path).open("rb") as stream:
                copied = copy_in(stream, keys.directory, Path(entry.path).name)
            if copied.sha256 != entry.sha256:
                raise BackupRefused(f"{entry.path} changed while it was being restored.")
        facts = restored_facts(engine)
        upgraded_from = None
        if manifest.revision != head_revision():
            migrate.upgrade(engine)
            upgraded_from = manifest.revision
    except (BackupRefused, OSError) as exc:
        reason = exc.message if isinstance(exc, BackupRefused) else str(exc)
        raise BackupRefused(f"The restore stopped after the database was restored: {reason} {AGAIN}") from None
    restored = RestoredBackup(backup, facts, upgraded_from)
    if (facts.audit_seq, facts.audit_sha256) != (manifest.audit_seq, manifest.audit_sha256):
        restored.problems.append(
            f"the restored audit trail ends at event {facts.audit_seq}, but the manifest says {manifest.audit_seq}"
        )
    restored.problems += [
        f"evidence blob {sha256} is named by the database but is not in the backup"
        for sha256 in sorted(facts.evidence - {entry.sha256 for entry in manifest.evidence})
    ]
    restored.problems += [
        f"issuer key {kid} is in the database but its file is not in the backup"
        for kid in sorted(facts.key_ids - {Path(entry.path).stem for entry in manifest.keys})
    ]
    return restored


def check_keys(session: Session, keys: KeyStore) -> KeyCheck:
    """Open each restored key with the passphrase (when set) and compare it with its public half in the database."""
    result, unencrypted = KeyCheck(), set(keys.development_keys())
    for key in session.scalars(select(IssuerKey).order_by(IssuerKey.kid)):
        if not (keys.directory / f"{key.kid}.pem").is_file():
            continue  # already reported by restore_backup
        if not keys.encrypts and key.kid not in unencrypted:
            result.unchecked.append(key.kid)
            continue
        try:
            public = keys.private_key(key.kid).public_key()
        except KeyStoreError as exc:
            result.problems.append(str(exc))
            continue
        to_jwk = jwt.algorithms.OKPAlgorithm if key.algorithm == ED25519 else jwt.algorithms.RSAAlgorithm
        expected = {name: value for name, value in key.public_jwk.items() if name != "kid"}
        if to_jwk.to_jwk(public, as_dict=True) != expected:
            result.problems.append(f"issuer key {key.kid}: the file does not hold the key the database publishes")
        else:
            result.opened.append(key.kid)
    return result


def record_restore(session: Session, restored: RestoredBackup, *, actor: Actor, now: datetime) -> AuditEvent:
    """Append ``backup.restored`` to the restored trail, right after the backup's last event."""
    manifest = restored.backup.manifest
    return record_event(
        session,
        actor=actor,
        action="backup.restored",
        subject_type="backup",
        subject_id=restored.backup.manifest_sha256,
        summary={
            "message": f"restored from backup {manifest.created_at.isoformat()}",
            "backup_created_at": manifest.created_at.isoformat(),
            "directory": str(restored.backup.directory.resolve()),
            "microcred_version": manifest.microcred_version,
            "revision": manifest.revision,
            "upgraded_from": restored.upgraded_from,
            "last_event": manifest.audit_seq,
        },
        now=now,
    )
