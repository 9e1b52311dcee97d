import hashlib
import io
import os
import stat
import threading

import pytest

from credentials.storage.evidence_store import (
    CHUNK_BYTES,
    EvidenceStore,
    FilesystemEvidenceStore,
    PendingBlob,
    StoredBlob,
    UploadTooLarge,
)

MiB = 1024 * 1024


class RecordingStream(io.BytesIO):
    """A stream that remembers how much each read asked for."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.asked: list[int] = []

    def read(self, size=-1):
        self.asked.append(size)
        return super().read(size)


@pytest.fixture
def store(tmp_path):
    return FilesystemEvidenceStore(tmp_path / "evidence")


def incoming(store) -> list[str]:
    return sorted(p.name for p in store.incoming.iterdir()) if store.incoming.exists() else []


def test_it_is_an_evidence_store(store):
    assert isinstance(store, EvidenceStore)


def test_receive_streams_in_chunks_and_hashes_as_it_goes(store):
    data = os.urandom(3 * MiB + 123)
    stream = RecordingStream(data)

    pending = store.receive(stream, max_bytes=10 * MiB)

    assert pending.sha256 == hashlib.sha256(data).hexdigest()
    assert pending.size == len(data)
    assert pending.path.parent == store.incoming
    assert pending.path.read_bytes() == data
    assert max(stream.asked) <= CHUNK_BYTES and -1 not in stream.asked
    assert stat.S_IMODE(pending.path.stat().st_mode) == 0o640


def test_keep_moves_the_upload_under_its_sha256(store):
    data = b"exit ticket photo"
    pending = store.receive(io.BytesIO(data), max_bytes=1000)

    blob = store.keep(pending)

    digest = hashlib.sha256(data).hexdigest()
    assert blob == StoredBlob(sha256=digest, size=len(data))
    path = store.root / "blobs" / digest[:2] / digest[2:4] / digest
    assert path.read_bytes() == data
    assert not pending.path.exists() and incoming(store) == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    for directory in (store.root, store.blobs, path.parent.parent, path.parent, store.incoming):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o750


def test_identical_content_is_kept_once(store):
    first = store.keep(store.receive(io.BytesIO(b"same lesson plan"), max_bytes=100))
    second_pending = store.receive(io.BytesIO(b"same lesson plan"), max_bytes=100)

    second = store.keep(second_pending)

    assert first == second
    assert not second_pending.path.exists() and incoming(store) == []
    assert len([p for p in store.blobs.rglob("*") if p.is_file()]) == 1


def test_an_upload_of_exactly_the_limit_is_received(store):
    assert store.receive(io.BytesIO(b"x" * 100), max_bytes=100).size == 100


def test_one_byte_past_the_limit_is_refused_and_leaves_nothing_behind(store):
    stream = RecordingStream(b"x" * (2 * MiB + 1))

    with pytest.raises(UploadTooLarge) as caught:
        store.receive(stream, max_bytes=2 * MiB)

    assert caught.value.limit == 2 * MiB
    assert incoming(store) == []
    # It stops reading as soon as it knows, rather than draining the whole stream.
    assert sum(stream.asked) <= 2 * MiB + 1


def test_an_empty_upload_with_no_room_left_is_received_but_one_byte_is_not(store):
    assert store.receive(io.BytesIO(b""), max_bytes=0).size == 0
    with pytest.raises(UploadTooLarge):
        store.receive(io.BytesIO(b"x"), max_bytes=0)
    assert len(incoming(store)) == 1


def test_a_failing_stream_leaves_no_temporary_file(store):
    class Broken(io.BytesIO):
        def read(self, size=-1):
            if self.tell():
                raise OSError("client went away")
            return super().read(size)

    with pytest.raises(OSError, match="client went away"):
        store.receive(Broken(b"x" * (3 * MiB)), max_bytes=10 * MiB)
    assert incoming(store) == []


def test_discard_removes_the_upload(store):
    pending = store.receive(io.BytesIO(b"not this one"), max_bytes=100)

    store.discard(pending)
    store.discard(pending)

    assert not pending.path.exists()
    assert not store.exists(pending.sha256)


def test_open_exists_and_delete(store):
    blob = store.keep(store.receive(io.BytesIO(b"student work"), max_bytes=100))

    assert store.exists(blob.sha256)
    with store.open(blob.sha256) as handle:
        assert handle.read() == b"student work"

    store.delete(blob.sha256)
    store.delete(blob.sha256)

    assert not store.exists(blob.sha256)
    with pytest.raises(FileNotFoundError):
        store.open(blob.sha256)


@pytest.mark.parametrize(
    "bad",
    [
        "../../etc/passwd",
        "../" + "a" * 61,
        "A" * 64,
        "a" * 63,
        "a" * 65,
        "/" + "a" * 63,
        "a" * 63 + "\n",
        "",
        None,
    ],
)
def test_bad_digests_are_refused_before_any_path_is_built(store, bad):
    for call in (store.open, store.exists, store.delete):
        with pytest.raises(ValueError, match="SHA-256"):
            call(bad)


def test_keep_refuses_a_pending_blob_it_did_not_receive(store, tmp_path):
    victim = tmp_path / "upload-victim.txt"
    victim.write_bytes(b"keep me")
    forged = PendingBlob(path=victim, sha256=hashlib.sha256(b"keep me").hexdigest(), size=7)

    for call in (store.keep, store.discard):
        with pytest.raises(ValueError, match="not an upload"):
            call(forged)
    assert victim.read_bytes() == b"keep me"

    real = store.receive(io.BytesIO(b"x"), max_bytes=10)
    with pytest.raises(ValueError, match="SHA-256"):
        store.keep(PendingBlob(path=real.path, sha256="../../etc/passwd", size=1))


def test_concurrent_keeps_of_the_same_content_end_with_one_intact_blob(store):
    data = os.urandom(2 * MiB)
    pendings = [store.receive(io.BytesIO(data), max_bytes=4 * MiB) for _ in range(2)]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def keep(pending):
        barrier.wait()
        try:
            results.append(store.keep(pending))
        except Exception as exc:  # reported below, so a failure is not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=keep, args=(p,)) for p in pendings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    digest = hashlib.sha256(data).hexdigest()
    assert results == [StoredBlob(digest, len(data))] * 2
    with store.open(digest) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == digest
    assert incoming(store) == []
    assert len([p for p in store.blobs.rglob("*") if p.is_file()]) == 1


def test_a_damaged_blob_of_the_wrong_size_is_replaced(store):
    blob = store.keep(store.receive(io.BytesIO(b"portfolio"), max_bytes=100))
    path = store.blobs / blob.sha256[:2] / blob.sha256[2:4] / blob.sha256
    path.write_bytes(b"port")

    store.keep(store.receive(io.BytesIO(b"portfolio"), max_bytes=100))

    assert path.read_bytes() == b"portfolio"
