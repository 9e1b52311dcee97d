"""The e-mail outbox: queue messages inside the transaction that causes them, deliver them after commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..mail import Letter, MailTransport, PermanentMailError, TransientMailError
from ..storage.database import is_postgresql
from ..storage.models import OutboxMessage
from .after_commit import note_mail_queued
from .audit import Actor, record_event
from .errors import Conflict, NotFound
from .paging import Page, fetch_page

log = logging.getLogger(__name__)

# Where a message stands, as stored (``outbox_messages.status``): pending until sent, or logged when no SMTP server
# is configured, or failed for good.
PENDING = "pending"
SENT = "sent"
LOGGED = "logged"
FAILED = "failed"
STATUSES = (PENDING, SENT, LOGGED, FAILED)

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)


def queue_email(
    session: Session,
    *,
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    now: datetime,
    html: str | None = None,
) -> OutboxMessage:
    """Write a message (its text and, when given, the same letter as HTML) to the outbox; it goes out only if the
    caller's transaction commits. Letters are written with ``letters.queue_letter``, which gives both parts."""
    message = OutboxMessage(
        kind=kind,
        recipient=recipient,
        subject=subject[:200],
        body_text=body,
        body_html=html,
        created_at=now,
        status=PENDING,
        attempts=0,
        next_attempt_at=now,
    )
    session.add(message)
    session.flush()
    note_mail_queued(session)
    return message


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after ``attempts`` failed tries: 1, 2, 4 ... minutes, at most six hours."""
    # The exponent is capped: past about 40 doublings a timedelta overflows, long after the six-hour cap.
    return min(FIRST_RETRY * (2 ** min(max(0, attempts - 1), 30)), LONGEST_RETRY)


@dataclass
class DeliveryReport:
    delivered: int = 0
    logged: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.delivered + self.logged + self.retrying + self.failed


def deliver_due(session: Session, transport: MailTransport, *, now: datetime, limit: int = 50) -> DeliveryReport:
    """Try every due message (up to ``limit``) once; the caller commits.

    On PostgreSQL several deliverers may run at once (rows are claimed with SKIP LOCKED); on SQLite run one.
    """
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if is_postgresql(session):
        # Another deliverer skips the rows we hold, so no message is sent twice at once.
        query = query.with_for_update(skip_locked=True)
    report = DeliveryReport()
    for message in session.scalars(query).all():
        letter = Letter(
            recipient=message.recipient,
            subject=message.subject,
            body=message.body_text,
            html=message.body_html,
            reference=f"outbox-{message.id}",
        )
        message.attempts += 1
        try:
            transport.send(letter)
        except PermanentMailError as exc:
            message.status, message.last_error = FAILED, str(exc)[:2000]
            report.failed += 1
        except (ValueError, TypeError, UnicodeError) as exc:
            # A message that cannot even be built (a malformed address or header) will never go out; failing it
            # here keeps one bad row from rolling back the pass and resending what was already delivered.
            log.error("outbox message %s cannot be sent: %s", message.id, exc)
            message.status, message.last_error = FAILED, f"{type(exc).__name__}: {exc}"[:2000]
            report.failed += 1
        except TransientMailError as exc:
            message.last_error = str(exc)[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = FAILED
                report.failed += 1
            else:
                message.next_attempt_at = now + retry_delay(message.attempts)
                report.retrying += 1
        else:
            message.status = SENT if transport.delivers else LOGGED
            message.delivered_at, message.last_error = now, None
            if transport.delivers:
                report.delivered += 1
            else:
                report.logged += 1
        session.flush()
    return report


def list_messages(session: Session, *, status: str = "", page: int = 1, per_page: int = 50) -> Page[OutboxMessage]:
    """Messages newest first, optionally of one status."""
    where = [OutboxMessage.status == status] if status else []
    query = select(OutboxMessage).where(*where).order_by(OutboxMessage.id.desc())
    return fetch_page(session, query, page=page, per_page=per_page)


def requeue_message(session: Session, message_id: int, *, actor: Actor, now: datetime) -> OutboxMessage:
    """Put a failed message back in the queue (after fixing the SMTP settings, say)."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("There is no such message in the outbox.")
    if message.status != FAILED:
        raise Conflict("Only a message whose delivery failed can be queued again.")
    message.status, message.attempts, message.next_attempt_at = PENDING, 0, now
    record_event(
        session,
        actor=actor,
        action="outbox.requeue",
        subject_type="outbox_message",
        subject_id=message.id,
        summary={"recipient": message.recipient, "kind": message.kind},
        now=now,
    )
    return message
