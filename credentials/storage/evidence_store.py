"""Uploaded evidence, kept once under its SHA-256 behind an interface an object store could implement later."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

CHUNK_BYTES = 1024 * 1024
FILE_MODE = 0o640
DIR_MODE = 0o750
_SHA256 = re.compile(r"[0-9a-f]{64}")
# A full disk, a filesystem out of inodes (both ENOSPC), an exhausted quota, or a file-size limit on the process.
_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class UploadTooLarge(Exception):
    """An upload that went past its limit; ``limit`` is in bytes. Nothing of it is kept."""

    def __init__(self, limit: int):
        super().__init__(f"The upload is larger than {limit} bytes.")
        self.limit = limit


class StoreFull(Exception):
    """The store has no room for an upload (disk, inodes or quota). Nothing of the upload is left in it."""

    def __init__(self):
        super().__init__("The evidence store has no room for this upload.")


@dataclass(frozen=True)
class PendingBlob:
    """An upload received into a temporary file, not yet kept or discarded."""

    path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class StoredBlob:
    """A kept blob, named by the SHA-256 of its content."""

    sha256: str
    size: int


@runtime_checkable
class EvidenceStore(Protocol):
    """Where evidence files live: received into a temporary place, then kept under their SHA-256 or discarded."""

    def receive(self, stream: BinaryIO, *, max_bytes: int) -> PendingBlob:
        """Copy ``stream`` to a temporary file, hashing it; ``UploadTooLarge`` past ``max_bytes``, ``StoreFull``
        when there is no room (nothing is left behind either way)."""
        ...

    def keep(self, pending: PendingBlob) -> StoredBlob:
        """Move a received upload into place under its SHA-256; a blob already there wins. If it cannot (``StoreFull``
        or any other error), the upload is discarded."""
        ...

    def discard(self, pending: PendingBlob) -> None:
        """Remove a received upload that will not be kept."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """The content of a kept blob, for reading; ``FileNotFoundError`` if there is none."""
        ...

    def exists(self, sha256: str) -> bool:
        """True when a blob with this SHA-256 is kept."""
        ...

    def delete(self, sha256: str) -> None:
        """Remove a kept blob (for the garbage collector); a missing blob is not an error."""
        ...


class FilesystemEvidenceStore:
    """Blobs at ``root/blobs/ab/cd/<sha256>``; uploads arrive in ``root/incoming`` on the same filesystem."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.blobs = self.root / "blobs"
        self.incoming = self.root / "incoming"

    def receive(self, stream: BinaryIO, *, max_bytes: int) -> PendingBlob:
        """Copy ``stream`` to a temporary file in 1 MiB chunks, hashing it; ``UploadTooLarge`` past ``max_bytes``,
        ``StoreFull`` when the disk has no room (the partial file is removed either way)."""
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        with _no_room_as_store_full():
            _make_dirs(self.incoming)
            fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=self.incoming)
        path = Path(name)
        digest = hashlib.sha256()
        size = 0
        try:
            with _no_room_as_store_full(), os.fdopen(fd, "wb") as out:
                os.fchmod(out.fileno(), FILE_MODE)
                while True:
                    # Never ask for more than one byte past the limit: that byte is enough to refuse the upload.
                    chunk = stream.read(min(CHUNK_BYTES, max_bytes + 1 - size))
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > max_bytes:
                        raise UploadTooLarge(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return PendingBlob(path=path, sha256=digest.hexdigest(), size=size)

    def keep(self, pending: PendingBlob) -> StoredBlob:
        """Move a received upload into place under its SHA-256 (atomically); if that blob exists, drop the upload.
        If the move fails (``StoreFull`` when the disk has no room), the upload is removed."""
        source = self._incoming_path(pending)
        target = self._blob_path(pending.sha256)
        try:
            with _no_room_as_store_full():
                _make_dirs(target.parent)
                if _size_or_none(target) == pending.size:
                    source.unlink(missing_ok=True)
                else:
                    # Same content under the same name, so a concurrent keep of it replacing this one does no harm.
                    os.replace(source, target)
                    _fsync_dir(target.parent)
        except BaseException:
            source.unlink(missing_ok=True)  # nobody can keep it later: it would only fill the incoming folder
            raise
        return StoredBlob(sha256=pending.sha256, size=pending.size)

    def discard(self, pending: PendingBlob) -> None:
        """Remove a received upload that will not be kept."""
        self._incoming_path(pending).unlink(missing_ok=True)

    def open(self, sha256: str) -> BinaryIO:
        """The content of a kept blob, for reading; ``FileNotFoundError`` if there is none."""
        return self._blob_path(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        """True when a blob with this SHA-256 is kept."""
        return self._blob_path(sha256).is_file()

    def delete(self, sha256: str) -> None:
        """Remove a kept blob (for the garbage collector); a missing blob is not an error."""
        self._blob_path(sha256).unlink(missing_ok=True)

    def _blob_path(self, sha256: str) -> Path:
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            raise ValueError("not a SHA-256 digest (64 lowercase hex digits)")
        return self.blobs / sha256[:2] / sha256[2:4] / sha256

    def _incoming_path(self, pending: PendingBlob) -> Path:
        # Only files this store received may be moved or removed, whatever a caller puts in a PendingBlob.
        path = Path(pending.path)
        if path.parent.resolve() != self.incoming.resolve() or not path.name.startswith("upload-"):
            raise ValueError("not an upload received by this store")
        return path


@contextlib.contextmanager
def _no_room_as_store_full():
    try:
        yield
    except OSError as exc:
        if exc.errno in _NO_ROOM:
            raise StoreFull() from exc
        raise


def _make_dirs(path: Path) -> None:
    missing = []
    while not path.is_dir():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir()
            # chmod, because mkdir's mode is filtered through the umask.
            os.chmod(directory, DIR_MODE)


def _size_or_none(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable; not every platform lets a directory be opened for this.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
