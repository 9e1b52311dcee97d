"""Write a backup of a running installation into an empty directory, and record it in the audit trail.

Order matters for a service that keeps running: the database is copied first (one consistent snapshot), then the
evidence blobs and key files. A blob or key file is written before the row that names it commits, and neither is ever
changed or removed, so everything the copied database refers to is already on disk when it is copied. Newer blobs
and keys come along too; they are harmless. The audit event is appended after the copy, so the backup does not hold
its own event: the live trail says a backup was taken, up to which event, and with which manifest.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ...crypto.key_store import KID_PATTERN, KeyStore
from ...storage.backup import DatabaseBackupError, dump_database
from ...storage.backup_files import (
    MANIFEST_NAME,
    FileEntry,
    Manifest,
    copy_in,
    describe,
    evidence_path,
    link_in,
    measure,
    stored_blobs,
    write_manifest,
)
from ...storage.evidence_store import FilesystemEvidenceStore
from ...storage.models import AuditEvent
from ..audit import Actor, record_event
from ..errors import DomainError


class BackupRefused(DomainError):
    """A backup or restore that cannot go ahead; ``problems`` lists each reason (nothing was changed)."""

    def __init__(self, message: str, problems: list[str] | tuple[str, ...] = ()):
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True)
class WrittenBackup:
    """A complete backup: its directory, its manifest and the manifest's SHA-256 (the backup's fingerprint)."""

    directory: Path
    manifest: Manifest
    manifest_sha256: str
    linked: int | None = None  # evidence blobs hard-linked from an earlier backup; None when there was none


def microcred_version() -> str:
    """The installed microcred's version, as recorded in a manifest."""
    try:
        return version("microcred")
    except PackageNotFoundError:
        return "unknown"


def write_backup(
    target: Path,
    *,
    engine: Engine,
    evidence: FilesystemEvidenceStore,
    keys: KeyStore,
    now: datetime,
    link_dest: Path | None = None,
) -> WrittenBackup:
    """Back up the database, every evidence blob and every key file into ``target`` (new or empty).

    With ``link_dest`` (an earlier backup on the same filesystem), a blob already there with the right content is
    hard-linked instead of copied: each backup stays complete on its own, and only new evidence takes new space.
    """
    # A missing earlier backup (the first night, or a night that failed) costs space, not the backup.
    if link_dest is not None and not (link_dest / MANIFEST_NAME).is_file():
        link_dest = None
    created = _claim(target)
    try:
        try:
            dump, facts = dump_database(engine, target)
        except DatabaseBackupError as exc:
            raise BackupRefused(str(exc)) from None
        if facts.revision is None:
            raise BackupRefused("The database has no microcred tables: there is nothing to back up.")
        files = [describe(target, dump.name)]
        copied, linked, warnings = _copy_evidence(evidence, target, link_dest, facts.evidence)
        files += copied
        key_files = sorted(
            path for path in keys.directory.glob("*.pem") if path.is_file() and KID_PATTERN.match(path.stem)
        )
        for path in key_files:
            # The file's bytes, never the key: the backup holds what the passphrase encrypted.
            with path.open("rb") as stream:
                files.append(copy_in(stream, target, f"keys/{path.name}"))
        warnings += [
            f"issuer key {kid} is in the database but its file is not in MICROCRED_KEYS_DIR"
            for kid in sorted(facts.key_ids - {path.stem for path in key_files})
        ]
        manifest = Manifest(
            created_at=now.astimezone(UTC),
            microcred_version=microcred_version(),
            backend=facts.backend,
            revision=facts.revision,
            audit_seq=facts.audit_seq,
            audit_sha256=facts.audit_sha256,
            files=tuple(files),
            warnings=tuple(warnings),
        )
        fingerprint = write_manifest(target, manifest)
    except OSError as exc:
        _release(target, created)
        where = f" ({exc.filename})" if exc.filename else ""
        raise BackupRefused(f"The backup failed: {exc.strerror or exc}{where}. Nothing was kept in {target}.") from None
    except BaseException:
        _release(target, created)
        raise
    return WrittenBackup(target, manifest, fingerprint, linked if link_dest is not None else None)


def record_backup(session: Session, written: WrittenBackup, *, actor: Actor, now: datetime) -> AuditEvent:
    """Append ``backup.created`` to the live trail (the backup itself ends at the event before)."""
    manifest = written.manifest
    return record_event(
        session,
        actor=actor,
        action="backup.created",
        subject_type="backup",
        subject_id=written.manifest_sha256,
        summary={
            "directory": str(written.directory.resolve()),
            "created_at": manifest.created_at.isoformat(),
            "files": len(manifest.files),
            "bytes": manifest.total_bytes,
            "evidence_blobs": len(manifest.evidence),
            "key_files": len(manifest.keys),
            "last_event": manifest.audit_seq,
            "warnings": len(manifest.warnings),
        },
        now=now,
    )


def _copy_evidence(
    evidence: FilesystemEvidenceStore, target: Path, link_dest: Path | None, needed: frozenset[str]
) -> tuple[list[FileEntry], int, list[str]]:
    """Every intact blob into the backup (linked from ``link_dest`` when it has it); warnings for the others."""
    entries: list[FileEntry] = []
    warnings: list[str] = []
    damaged, linked = set(), 0
    for sha256 in stored_blobs(evidence):
        path = evidence_path(sha256)
        try:
            # The live blob is read either way, so damage in the store is reported even when a good copy is linked.
            if link_dest is not None and _live_sha256(evidence, sha256) == sha256:
                entry = link_in(link_dest, target, path, sha256)
                if entry is not None:
                    entries.append(entry)
                    linked += 1
                    continue
            with evidence.open(sha256) as blob:
                entry = copy_in(blob, target, path)
        except FileNotFoundError:
            continue  # removed since it was listed; if the database needs it, it is reported below
        if entry.sha256 != sha256:
            (target / path).unlink()
            damaged.add(sha256)
            warnings.append(
                f"evidence blob {sha256} is damaged (its content's SHA-256 is {entry.sha256}); it was left out"
            )
            continue
        entries.append(entry)
    kept = {entry.sha256 for entry in entries}
    warnings += [
        f"evidence blob {sha256} is in the database but not in MICROCRED_UPLOADS_DIR"
        for sha256 in sorted(needed - kept - damaged)
    ]
    return entries, linked, warnings


def _live_sha256(evidence: FilesystemEvidenceStore, sha256: str) -> str:
    with evidence.open(sha256) as blob:
        return measure(blob)[1]


def _claim(target: Path) -> bool:
    """Make sure ``target`` is a new or empty directory; True when this backup created it."""
    if target.exists() and not target.is_dir():
        raise BackupRefused(f"{target} is a file: give a new or empty directory.")
    if target.is_dir():
        if any(target.iterdir()):
            raise BackupRefused(f"{target} is not empty: a backup goes into a new or empty directory.")
        return False
    # Owner only: the backup holds every teacher's evidence and the issuer's (encrypted) keys.
    target.mkdir(mode=0o700, parents=True)
    return True


def _release(target: Path, created: bool) -> None:
    """Leave no half-written backup behind: remove what this run wrote."""
    if created:
        shutil.rmtree(target, ignore_errors=True)
        return
    for child in target.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
