"""The SMTP server down for a while, then deferring mail, then back: submissions never wait for mail, every message
waits in the outbox with its error and its backoff, and each one is delivered exactly once in the end, whether by the
delivery right after a request or by ``microcred mail deliver``.

The server is taken down between requests (never in the middle of a message: a message whose "250 OK" is lost with
the connection is sent again, which SMTP allows and no outbox can avoid).
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from .arrange import publish_with_reviewers, signed_in, submission, teacher_with_draft
from .ledger import after_the_fault, deliver_outstanding_mail
from .service import DrillService

pytestmark = pytest.mark.faults

DELIVERY_TIMEOUT_SECONDS = 30
# The operator's timer runs ``mail deliver`` an hour later, then again two and three hours later: each time past the
# backoff of every message (1 minute after the first failure, doubling per try).
HOUR = timedelta(hours=1)


def submit(service: DrillService, visitor, attempt_id: int) -> None:
    reply = visitor.post_form(f"/attempts/{attempt_id}", submission(visitor, attempt_id))
    assert reply.status == 302, reply.text[:2000]


def outbox(service: DrillService, attempt_id: int) -> list:
    """The receipt of an attempt's teacher: (status, attempts, last_error, next_attempt_at, created_at)."""
    return service.rows(
        "SELECT m.status, m.attempts, m.last_error, m.next_attempt_at, m.created_at FROM outbox_messages m "
        "JOIN users u ON u.email = m.recipient JOIN attempts a ON a.teacher_id = u.id "
        "WHERE a.id = :id AND m.kind = 'submission_received'",
        id=attempt_id,
    )


def wait_for_a_try(service: DrillService, attempt_id: int, tries: int) -> tuple:
    """The teacher's receipt once the delivery after the request has tried it ``tries`` times (or sent it)."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        rows = outbox(service, attempt_id)
        if rows and (rows[0].attempts >= tries or rows[0].status == "sent"):
            return rows[0]
        time.sleep(0.05)
    raise AssertionError(f"the receipt of attempt {attempt_id} was not tried {tries} time(s) after the request")


def test_smtp_down_then_deferring_then_back(service: DrillService, smtp):
    publish_with_reviewers(service)
    drafts = [teacher_with_draft(service) for _ in range(4)]
    (up, up_visitor), (down, down_visitor), (deferred, deferred_visitor), (back, back_visitor) = (
        (attempt_id, signed_in(service, teacher)) for teacher, attempt_id in drafts
    )

    submit(service, up_visitor, up)
    assert wait_for_a_try(service, up, 1).status == "sent"

    smtp.stop()
    submit(service, down_visitor, down)  # the submission does not wait for mail
    refused = wait_for_a_try(service, down, 1)
    assert refused.status == "pending" and "Connection refused" in refused.last_error
    assert refused.next_attempt_at - refused.created_at >= timedelta(minutes=1)  # backoff, not a busy retry
    assert "0 sent" in service.cli("mail", "deliver", later_by=HOUR)  # the operator's timer, an hour on: still down
    assert outbox(service, down)[0].attempts == 2

    smtp.start()
    smtp.received.rcpt_reply = "451 4.3.0 Mailbox busy, try again later"
    submit(service, deferred_visitor, deferred)
    deferring = wait_for_a_try(service, deferred, 1)
    assert deferring.status == "pending" and "451" in deferring.last_error

    smtp.received.accept_all()
    submit(service, back_visitor, back)
    assert wait_for_a_try(service, back, 1).status == "sent"
    # Nothing is retried before its backoff has passed, even though the server is back.
    assert outbox(service, down)[0].status == outbox(service, deferred)[0].status == "pending"

    deliver_outstanding_mail(service, later_by=2 * HOUR)
    assert "0 sent" in service.cli("mail", "deliver", later_by=3 * HOUR)
    for attempt_id in (up, down, deferred, back):
        assert outbox(service, attempt_id)[0].status == "sent"
    after_the_fault(service, smtp, later_by=3 * HOUR)
