"""What every drill checks once the fault has passed: each e-mail delivered exactly once, the audit chain intact, and
no evidence file half-written; and the snapshots a drill compares before and after a fault."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from .mail_server import RestartableSmtp
from .service import DrillService

MAIL_TIMEOUT_SECONDS = 30


def deliver_outstanding_mail(service: DrillService, *, later_by: timedelta | None = None) -> None:
    """Run ``microcred mail deliver`` (as the operator's timer does) until no message waits in the outbox.

    ``later_by`` runs it with the clock that far ahead, as a timer would run once a retry's backoff has passed.
    """
    deadline = time.monotonic() + MAIL_TIMEOUT_SECONDS
    while True:
        service.cli("mail", "deliver", later_by=later_by)
        waiting = service.scalar("SELECT count(*) FROM outbox_messages WHERE status = 'pending'")
        if not waiting:
            return
        assert time.monotonic() < deadline, f"{waiting} message(s) still wait after {MAIL_TIMEOUT_SECONDS} s"
        # Another deliverer (the worker, right after a request) holds them; its pass ends in a moment.
        time.sleep(0.2)


def assert_every_message_delivered_once(service: DrillService, smtp: RestartableSmtp) -> int:
    """Every outbox message is marked sent and reached the SMTP server exactly once; how many there were."""
    rows = service.rows("SELECT id, recipient, status FROM outbox_messages ORDER BY id")
    unsent = [(r.id, r.recipient, r.status) for r in rows if r.status != "sent"]
    assert not unsent, f"messages not sent: {unsent}"
    copies = smtp.copies_by_outbox_id()
    expected = Counter({r.id: 1 for r in rows})
    assert copies == expected, (
        f"lost: {sorted(set(expected) - set(copies))}; "
        f"duplicated: {sorted(i for i, n in copies.items() if n > 1)}; unknown: {sorted(set(copies) - set(expected))}"
    )
    recipients = {r.id: r.recipient for r in rows}
    for message in smtp.received.messages:
        outbox_id = int(message["Message-ID"].split(".outbox-")[1].split("@")[0])
        assert message["To"] == recipients[outbox_id]
    return len(rows)


def assert_audit_trail_intact(service: DrillService) -> None:
    """``microcred audit verify`` finds the chain whole."""
    output = service.cli("audit", "verify")
    assert "Audit trail intact" in output, output


def assert_no_partial_uploads(uploads: Path) -> None:
    """Nothing is left half-received in the store's incoming folder, and every kept blob holds what its name says."""
    leftovers = sorted(p.name for p in (uploads / "incoming").glob("*")) if (uploads / "incoming").exists() else []
    assert not leftovers, f"partial uploads left behind: {leftovers}"
    for blob in (uploads / "blobs").rglob("*") if (uploads / "blobs").exists() else ():
        if blob.is_file():
            assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name, f"blob {blob.name} is damaged"


def after_the_fault(service: DrillService, smtp: RestartableSmtp, *, later_by: timedelta | None = None) -> int:
    """The checks every drill ends with; the number of e-mails sent."""
    deliver_outstanding_mail(service, later_by=later_by)
    sent = assert_every_message_delivered_once(service, smtp)
    assert_no_partial_uploads(service.uploads)
    assert_audit_trail_intact(service)
    return sent


def attempt_state(service: DrillService, attempt_id: int) -> dict:
    """Everything stored about one attempt, as plain values to compare."""
    attempt = service.rows("SELECT status, revision, submitted_at FROM attempts WHERE id = :id", id=attempt_id)[0]
    return {
        "attempt": tuple(attempt),
        "answers": sorted(tuple(r) for r in service.rows(
            "SELECT prompt_key, text, url FROM attempt_answers WHERE attempt_id = :id", id=attempt_id
        )),
        "artifacts": sorted(tuple(r) for r in service.rows(
            "SELECT prompt_key, sha256, size FROM attempt_artifacts WHERE attempt_id = :id", id=attempt_id
        )),
        "assignments": sorted(tuple(r) for r in service.rows(
            "SELECT reviewer_id, status FROM review_assignments WHERE attempt_id = :id", id=attempt_id
        )),
        "scores": sorted(tuple(r) for r in service.rows(
            "SELECT s.criterion_key, s.level_key FROM review_scores s JOIN review_assignments a "
            "ON a.id = s.assignment_id WHERE a.attempt_id = :id", id=attempt_id
        )),
        "issuance_requests": service.scalar(
            "SELECT count(*) FROM issuance_requests WHERE attempt_id = :id", id=attempt_id
        ),
        "credentials": service.scalar("SELECT count(*) FROM issued_credentials WHERE attempt_id = :id", id=attempt_id),
    }  # fmt: skip


def everything_counted(service: DrillService) -> dict:
    """The newest audit event and the number of outbox messages: both move with any committed change."""
    return {
        "audit_seq": service.audit_seq(),
        "outbox": service.scalar("SELECT count(*) FROM outbox_messages"),
    }
