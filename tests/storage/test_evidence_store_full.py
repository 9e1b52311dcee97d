"""The evidence store when the disk has no room: ``StoreFull``, and nothing of the upload left behind.

A file-size limit on this process (``RLIMIT_FSIZE``; Python ignores SIGXFSZ, so a write past it fails with EFBIG)
stands in for a full disk here; ``tests/faults/test_disk_full.py`` fills a real (tmpfs) disk under the served app.
"""

from __future__ import annotations

import io
import resource
from contextlib import contextmanager

import pytest

from credentials.storage.evidence_store import FilesystemEvidenceStore, StoreFull

MiB = 1024 * 1024


@contextmanager
def file_size_limit(limit: int):
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


@pytest.fixture
def store(tmp_path):
    return FilesystemEvidenceStore(tmp_path / "evidence")


def test_receive_without_room_raises_store_full_and_removes_the_partial_file(store):
    with file_size_limit(MiB), pytest.raises(StoreFull) as refused:
        store.receive(io.BytesIO(b"x" * (3 * MiB)), max_bytes=10 * MiB)

    assert isinstance(refused.value.__cause__, OSError)
    assert list(store.incoming.iterdir()) == []


def test_a_keep_that_fails_removes_the_upload(store):
    pending = store.receive(io.BytesIO(b"evidence"), max_bytes=MiB)
    # A file where the blob's directory must go: the move cannot happen.
    store.blobs.mkdir(parents=True)
    (store.blobs / pending.sha256[:2]).write_bytes(b"")

    with pytest.raises(NotADirectoryError):
        store.keep(pending)

    assert list(store.incoming.iterdir()) == []
