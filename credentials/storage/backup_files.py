"""The files of a backup directory and its manifest: every file with its size and SHA-256, and what the backup holds.

A backup directory holds the database (``database.sqlite3`` or ``database.pgdump``), the evidence store's blobs as
``evidence/ab/cd/<sha256>``, the issuer's key files as ``keys/<kid>.pem`` (exactly the bytes on disk) and
``manifest.json``, written last: a directory without a manifest is an interrupted backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from .backup import DUMP_FILES
from .evidence_store import FilesystemEvidenceStore

MANIFEST_NAME = "manifest.json"
FORMAT = "microcred-backup"
FORMAT_VERSION = 1
CHUNK_BYTES = 1024 * 1024
DIR_MODE = 0o700
FILE_MODE = 0o600
_SHA256 = re.compile(r"[0-9a-f]{64}")
_EVIDENCE = re.compile(r"evidence/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")
# Any safe file name (no directory, no leading dot): the key store's own naming rule is not the manifest's business.
_KEY = re.compile(r"keys/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\.pem")


class ManifestProblems(Exception):
    """A backup directory that does not match its manifest, or a manifest that cannot be read; one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class FileEntry:
    """One file of the backup, by its path inside the backup directory."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What a backup holds and when it was made; ``files`` lists every file but the manifest itself."""

    created_at: datetime
    microcred_version: str
    backend: str
    revision: str
    audit_seq: int
    audit_sha256: str
    files: tuple[FileEntry, ...]
    warnings: tuple[str, ...] = ()

    @property
    def database(self) -> FileEntry:
        return next(entry for entry in self.files if entry.path == DUMP_FILES[self.backend])

    @property
    def evidence(self) -> list[FileEntry]:
        return [entry for entry in self.files if entry.path.startswith("evidence/")]

    @property
    def keys(self) -> list[FileEntry]:
        return [entry for entry in self.files if entry.path.startswith("keys/")]

    @property
    def total_bytes(self) -> int:
        return sum(entry.size for entry in self.files)

    def as_json(self) -> bytes:
        """The manifest document, files in path order."""
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at.isoformat(),
            "microcred_version": self.microcred_version,
            "database": {
                "backend": self.backend,
                "file": DUMP_FILES[self.backend],
                "revision": self.revision,
                "audit_head": {"seq": self.audit_seq, "sha256": self.audit_sha256},
            },
            "files": [
                {"path": e.path, "size": e.size, "sha256": e.sha256} for e in sorted(self.files, key=lambda e: e.path)
            ],
            "warnings": list(self.warnings),
        }
        return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    @classmethod
    def parse(cls, data: bytes) -> Manifest:
        """Read a manifest document; ``ManifestProblems`` names everything wrong with it."""
        try:
            document = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ManifestProblems([f"{MANIFEST_NAME} is not valid JSON ({exc})"]) from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ManifestProblems([f"{MANIFEST_NAME} is not a microcred backup manifest"])
        if document.get("format_version") != FORMAT_VERSION:
            raise ManifestProblems([
                f"{MANIFEST_NAME} has format version {document.get('format_version')!r}; this microcred reads "
                f"version {FORMAT_VERSION} (a newer microcred made this backup)"
            ])  # fmt: skip
        try:
            database = document["database"]
            manifest = cls(
                created_at=datetime.fromisoformat(document["created_at"]),
                microcred_version=str(document["microcred_version"]),
                backend=database["backend"],
                revision=str(database["revision"]),
                audit_seq=int(database["audit_head"]["seq"]),
                audit_sha256=str(database["audit_head"]["sha256"]),
                files=tuple(FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in document["files"]),
                warnings=tuple(str(w) for w in document.get("warnings", [])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            problem = f"{MANIFEST_NAME} is incomplete or malformed ({type(exc).__name__}: {exc})"
            raise ManifestProblems([problem]) from None
        problems = manifest._inconsistencies()
        if problems:
            raise ManifestProblems(problems)
        return manifest

    def _inconsistencies(self) -> list[str]:
        problems = []
        if self.backend not in DUMP_FILES:
            return [f"{MANIFEST_NAME} names an unknown database backend {self.backend!r}"]
        paths = [entry.path for entry in self.files]
        if DUMP_FILES[self.backend] not in paths:
            problems.append(f"{MANIFEST_NAME} does not list the database file {DUMP_FILES[self.backend]}")
        for path in sorted({p for p in paths if paths.count(p) > 1}):
            problems.append(f"{MANIFEST_NAME} lists {path} more than once")
        for entry in self.files:
            evidence = _EVIDENCE.fullmatch(entry.path)
            if not (entry.path == DUMP_FILES[self.backend] or evidence or _KEY.fullmatch(entry.path)):
                problems.append(f"{MANIFEST_NAME} lists {entry.path!r}, which has no place in a backup")
            elif not _SHA256.fullmatch(entry.sha256) or entry.size < 0:
                problems.append(f"{MANIFEST_NAME} gives {entry.path} a malformed size or SHA-256")
            elif evidence and evidence_path(entry.sha256) != entry.path:
                problems.append(f"{MANIFEST_NAME} gives {entry.path} another SHA-256 ({entry.sha256}) than its name")
        return problems


def evidence_path(sha256: str) -> str:
    """Where a blob goes inside the backup directory (the evidence store's own layout)."""
    return f"evidence/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def stored_blobs(store: FilesystemEvidenceStore) -> Iterator[str]:
    """The SHA-256 of every blob kept in ``store``, in order; partial uploads in ``incoming/`` are not blobs."""
    if not store.blobs.is_dir():
        return
    for path in sorted(store.blobs.glob("*/*/*")):
        name = path.name
        if _SHA256.fullmatch(name) and path.parent.parent.name == name[:2] and path.parent.name == name[2:4]:
            yield name


def copy_in(stream: BinaryIO, root: Path, path: str) -> FileEntry:
    """Write ``stream`` to ``root/path`` (a new file, owner-only), hashing as it goes."""
    target = root / path
    _make_dirs(root, target.parent)
    digest, size = hashlib.sha256(), 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return FileEntry(path, size, digest.hexdigest())


def link_in(previous: Path, root: Path, path: str, sha256: str) -> FileEntry | None:
    """Hard-link ``path`` from an earlier backup when its content there still hashes to ``sha256``; else None."""
    source = previous / path
    if source.is_symlink() or not source.is_file() or describe(previous, path).sha256 != sha256:
        return None
    _make_dirs(root, (root / path).parent)
    try:
        os.link(source, root / path)
    except OSError:
        return None  # another filesystem, or links not allowed: the caller copies instead
    return describe(root, path)


def describe(root: Path, path: str) -> FileEntry:
    """The size and SHA-256 of a file already in the backup directory."""
    with (root / path).open("rb") as stream:
        return FileEntry(path, *measure(stream))


def measure(stream: BinaryIO) -> tuple[int, str]:
    """The size and SHA-256 of what ``stream`` holds, read in 1 MiB chunks."""
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def write_manifest(root: Path, manifest: Manifest) -> str:
    """Write ``manifest.json`` last and durably; returns its SHA-256 (the backup's fingerprint)."""
    data = manifest.as_json()
    fd = os.open(root / MANIFEST_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    return hashlib.sha256(data).hexdigest()


def read_manifest(root: Path) -> tuple[Manifest, str]:
    """The backup's manifest and its SHA-256."""
    try:
        data = (root / MANIFEST_NAME).read_bytes()
    except FileNotFoundError:
        raise ManifestProblems([
            f"{root} has no {MANIFEST_NAME}: it is not a microcred backup, or the backup was interrupted"
        ]) from None  # fmt: skip
    except OSError as exc:
        raise ManifestProblems([f"{root / MANIFEST_NAME} cannot be read: {exc.strerror}"]) from None
    return Manifest.parse(data), hashlib.sha256(data).hexdigest()


def mismatches(root: Path, manifest: Manifest) -> list[str]:
    """Every way the directory differs from its manifest: missing, extra, resized and altered files."""
    listed = {entry.path: entry for entry in manifest.files}
    found, problems = set(), []
    for directory, subdirectories, files in os.walk(root):
        here = Path(directory)
        # A link is never followed: what it points at is not part of the backup.
        links = [name for name in subdirectories if (here / name).is_symlink()]
        subdirectories[:] = sorted(name for name in subdirectories if name not in links)
        for name in sorted([*files, *links]):
            path = (here / name).relative_to(root).as_posix()
            if path == MANIFEST_NAME:
                continue
            found.add(path)
            if (here / name).is_symlink() or not (here / name).is_file():
                problems.append(f"{path}: not a regular file (a backup holds no links or devices)")
            elif path not in listed:
                problems.append(f"{path}: an extra file the manifest does not list")
            else:
                actual = describe(root, path)
                if actual.size != listed[path].size:
                    problems.append(f"{path}: {actual.size} bytes, the manifest says {listed[path].size}")
                elif actual.sha256 != listed[path].sha256:
                    problems.append(
                        f"{path}: altered (its SHA-256 is {actual.sha256}, the manifest says {listed[path].sha256})"
                    )
    problems += [f"{path}: missing (the manifest lists it)" for path in sorted(listed) if path not in found]
    return sorted(problems)


def _make_dirs(root: Path, directory: Path) -> None:
    missing = []
    while directory != root and not directory.is_dir():
        missing.append(directory)
        directory = directory.parent
    for path in reversed(missing):
        path.mkdir(mode=DIR_MODE)
