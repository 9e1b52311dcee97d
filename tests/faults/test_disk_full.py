"""The evidence disk full during an upload: the teacher gets a clear error, the draft stays as it was last saved,
and no partial file is left in the store; once there is room again, the same save stores the file once.

The uploads directory is a small tmpfs mounted for the drill (we run as root), so the kernel itself answers ENOSPC,
in the two ways a full disk shows: an upload larger than the space left (its write fails part-way), and a
filesystem out of inodes (the upload is received, but the directory its blob goes into cannot be made). Without the
privilege to mount, the drill skips with the reason (and fails under ``CI=true``).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.builders import pdf_bytes

from .arrange import large_image, publish_with_reviewers, signed_in, teacher_with_draft
from .conftest import served, unavailable
from .ledger import after_the_fault, assert_no_partial_uploads, attempt_state, everything_counted
from .service import DrillService

pytestmark = pytest.mark.faults

DISK_SIZE = "2m"
FULL = "evidence storage is full"


def remount(mount_point: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(mount_point)], check=True, capture_output=True)


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A 2 MiB tmpfs where the service keeps its evidence."""
    mount_point = tmp_path / "uploads"
    mount_point.mkdir()
    options = f"size={DISK_SIZE},mode=0750"
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount_point)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        unavailable(f"cannot mount a small tmpfs as the evidence disk: {result.stderr.strip() or 'mount failed'}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True, capture_output=True)


@pytest.fixture
def service(small_disk, tmp_path, database_url, smtp) -> Iterator[DrillService]:
    with served(tmp_path, database_url, smtp, uploads_dir=small_disk) as drill:
        yield drill


def save_with_file(visitor, attempt_id: int, filename: str, content: bytes):
    page = f"/attempts/{attempt_id}"
    fields = {"answer-reflection": "A new reflection typed with the upload.", "action": "save",
              "revision": str(visitor.revision(page))}  # fmt: skip
    return visitor.post_multipart(page, fields, [("files-tickets", filename, content)])


def assert_refused_cleanly(reply, filename: str) -> None:
    assert reply.status == 507, f"{reply.status}:\n{reply.text[:3000]}"
    assert FULL in reply.text and filename in reply.text, reply.text[:3000]
    assert "Traceback" not in reply.text and "Errno" not in reply.text


def test_evidence_disk_full_during_an_upload(service: DrillService, smtp, small_disk):
    publish_with_reviewers(service)
    teacher, attempt_id = teacher_with_draft(service)
    visitor = signed_in(service, teacher)
    before, counted = attempt_state(service, attempt_id), everything_counted(service)

    # Larger than the space left: the write fails part-way through the file.
    assert_refused_cleanly(save_with_file(visitor, attempt_id, "all-tickets.png", large_image(3)), "all-tickets.png")
    assert attempt_state(service, attempt_id) == before and everything_counted(service) == counted
    assert_no_partial_uploads(small_disk)

    # Out of inodes: the file is received, but the directory of its blob cannot be made.
    disk = os.statvfs(small_disk)
    remount(small_disk, f"nr_inodes={disk.f_files - disk.f_ffree + 1}")
    ticket = pdf_bytes("Wednesday's tickets")
    assert_refused_cleanly(save_with_file(visitor, attempt_id, "wednesday.pdf", ticket), "wednesday.pdf")
    assert attempt_state(service, attempt_id) == before and everything_counted(service) == counted
    assert_no_partial_uploads(small_disk)

    # The earlier file is still there, whole.
    artifact_id = service.scalar("SELECT id FROM attempt_artifacts WHERE attempt_id = :id", id=attempt_id)
    assert visitor.get(f"/attempts/{attempt_id}/files/{artifact_id}").text.encode() == pdf_bytes("Monday's tickets")

    # Room again: the same save goes through, and the file is stored once.
    remount(small_disk, "size=64m,nr_inodes=4096")
    reply = save_with_file(visitor, attempt_id, "wednesday.pdf", ticket)
    assert reply.status == 302, reply.text[:3000]
    after = attempt_state(service, attempt_id)
    assert (
        len(after["artifacts"]) == 2
        and ("reflection", "A new reflection typed with the upload.", None) in after["answers"]
    )
    after_the_fault(service, smtp)
