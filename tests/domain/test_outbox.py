"""The outbox against a real SMTP server (aiosmtpd) and a real database."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from credentials.domain import letters, outbox
from credentials.domain.audit import Actor
from credentials.domain.errors import Conflict, NotFound
from credentials.mail import LogTransport, SmtpTransport
from credentials.storage.database import transaction
from credentials.storage.models import AuditEvent, OutboxMessage
from credentials.storage.models.outbox import FAILED, LOGGED, PENDING, SENT
from tests.smtp import SENDER, closed_port, smtp_server_fixture  # noqa: F401


def queue(services, recipient="maria.lopez@riverside.example.org", subject="Reset your password", body="Hello.\n"):
    """Queue one message in a transaction of its own; returns its id."""
    with transaction(services.session_factory) as session:
        message = outbox.queue_email(
            session, kind="password_reset", recipient=recipient, subject=subject, body=body, now=services.clock()
        )
        return message.id


def deliver(services, transport, **kwargs) -> outbox.DeliveryReport:
    """One delivery pass at the clock's time, committed."""
    kwargs.setdefault("now", services.clock())
    with transaction(services.session_factory) as session:
        return outbox.deliver_due(session, transport, **kwargs)


def fetch(services, message_id) -> OutboxMessage:
    """The message as committed (read in a session of its own)."""
    with services.session_factory() as session:
        return session.get(OutboxMessage, message_id)


def count_messages(services) -> int:
    with services.session_factory() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage))


def test_queued_message_is_pending_and_due_at_once(services, clock):
    message = fetch(services, queue(services))
    assert (message.status, message.attempts, message.last_error) == (PENDING, 0, None)
    assert message.created_at == message.next_attempt_at == clock.now
    assert message.delivered_at is None


def test_queueing_in_a_transaction_that_rolls_back_leaves_no_message(services, smtp_server):
    with pytest.raises(RuntimeError), transaction(services.session_factory) as session:
        outbox.queue_email(
            session, kind="invitation", recipient="a@example.org", subject="Hi", body="Hi", now=services.clock()
        )
        raise RuntimeError("the change that caused the e-mail failed")
    assert count_messages(services) == 0
    assert deliver(services, smtp_server.transport()).handled == 0
    assert smtp_server.messages == []


def test_delivers_to_an_smtp_server(services, clock, smtp_server):
    message_id = queue(
        services, subject="Félicitations, María", body="Your credential is ready.\nOuvrez le lien: é ü ✓\n"
    )
    report = deliver(services, smtp_server.transport())

    assert (report.delivered, report.handled) == (1, 1)
    assert smtp_server.envelopes == [("no-reply@microcred.test", ["maria.lopez@riverside.example.org"])]
    [mail] = smtp_server.messages
    assert mail["To"] == "maria.lopez@riverside.example.org"
    assert mail["From"] == SENDER
    assert mail["Subject"] == "Félicitations, María"
    assert mail.get_content() == "Your credential is ready.\nOuvrez le lien: é ü ✓\n"
    # A long Message-ID is folded onto its own line (RFC 5322), so the parsed value may start with a space.
    header = mail["Message-ID"].strip()
    assert header.startswith("<") and header.endswith(f".outbox-{message_id}@microcred.test>")
    assert mail["Auto-Submitted"] == "auto-generated"

    message = fetch(services, message_id)
    assert (message.status, message.attempts, message.last_error) == (SENT, 1, None)
    assert message.delivered_at == clock.now
    # Delivered once: a later pass has nothing to do.
    clock.advance(hours=1)
    assert deliver(services, smtp_server.transport()).handled == 0
    assert len(smtp_server.messages) == 1


def test_each_message_gets_its_own_message_id(services, smtp_server):
    queue(services, recipient="a@example.org")
    queue(services, recipient="b@example.org")
    deliver(services, smtp_server.transport())
    assert len({mail["Message-ID"] for mail in smtp_server.messages}) == 2


@pytest.mark.parametrize("refusal", ["rcpt_reply", "data_reply"])
def test_temporary_refusal_is_retried_with_backoff_until_accepted(services, clock, smtp_server, refusal):
    reply = "451 4.3.0 Mailbox busy, try again later"
    setattr(smtp_server, refusal, reply)
    message_id = queue(services)
    queued_at = clock.now

    waited = timedelta()
    for attempt, backoff in enumerate([1, 2, 4, 8], start=1):
        report = deliver(services, smtp_server.transport())
        assert (report.retrying, report.handled) == (1, 1)
        message = fetch(services, message_id)
        assert (message.status, message.attempts) == (PENDING, attempt)
        assert message.last_error == (
            reply if refusal == "data_reply" else f"recipient deferred: maria.lopez@riverside.example.org: {reply}"
        )
        assert message.next_attempt_at == clock.now + timedelta(minutes=backoff)
        # Not due yet: a pass a second before the retry time leaves it alone.
        clock.advance(minutes=backoff, seconds=-1)
        assert deliver(services, smtp_server.transport()).handled == 0
        clock.advance(seconds=1)
        waited += timedelta(minutes=backoff)
    assert clock.now == queued_at + waited

    smtp_server.accept_all()
    report = deliver(services, smtp_server.transport())
    assert report.delivered == 1
    message = fetch(services, message_id)
    assert (message.status, message.attempts, message.last_error) == (SENT, 5, None)
    assert message.delivered_at == clock.now
    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize(
    ("refusal", "reply"),
    [("rcpt_reply", "550 5.1.1 No such mailbox"), ("data_reply", "554 5.7.1 Message refused")],
)
def test_permanent_refusal_fails_the_message_at_once(services, clock, smtp_server, refusal, reply):
    setattr(smtp_server, refusal, reply)
    message_id = queue(services)

    report = deliver(services, smtp_server.transport())

    assert (report.failed, report.handled) == (1, 1)
    message = fetch(services, message_id)
    assert (message.status, message.attempts, message.delivered_at) == (FAILED, 1, None)
    # The server's own words, readable on the Outbox page.
    assert message.last_error == (
        reply if refusal == "data_reply" else f"recipient refused: maria.lopez@riverside.example.org: {reply}"
    )
    smtp_server.accept_all()
    clock.advance(days=1)
    assert deliver(services, smtp_server.transport()).handled == 0
    assert smtp_server.messages == []


def test_one_refused_address_does_not_hold_back_the_others(services, smtp_server):
    smtp_server.replies_by_recipient["gone@example.org"] = "550 5.1.1 No such mailbox"
    smtp_server.replies_by_recipient["busy@example.org"] = "452 4.2.2 Mailbox full"
    gone, busy, fine = (queue(services, recipient=f"{who}@example.org") for who in ("gone", "busy", "fine"))

    report = deliver(services, smtp_server.transport())

    assert (report.delivered, report.retrying, report.failed) == (1, 1, 1)
    assert [fetch(services, i).status for i in (gone, busy, fine)] == [FAILED, PENDING, SENT]
    assert smtp_server.recipients == ["fine@example.org"]


def test_a_message_that_cannot_be_built_fails_alone_and_nothing_is_sent_twice(services, smtp_server):
    first = queue(services, recipient="first@example.org")
    broken = queue(services, recipient="x@example.org", subject="Line one\nBcc: everyone@example.org")
    last = queue(services, recipient="last@example.org")

    report = deliver(services, smtp_server.transport())
    again = deliver(services, smtp_server.transport())

    assert (report.delivered, report.failed, again.handled) == (2, 1, 0)
    assert [fetch(services, i).status for i in (first, broken, last)] == [SENT, FAILED, SENT]
    assert "ValueError" in fetch(services, broken).last_error
    assert smtp_server.recipients == ["first@example.org", "last@example.org"]


def test_connection_refused_is_transient(services, clock):
    transport = SmtpTransport(f"smtp://127.0.0.1:{closed_port()}", SENDER)
    message_id = queue(services)

    report = deliver(services, transport)

    assert report.retrying == 1
    message = fetch(services, message_id)
    assert (message.status, message.attempts) == (PENDING, 1)
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at == clock.now + timedelta(minutes=1)


def test_gives_up_after_max_attempts(services, clock):
    transport = SmtpTransport(f"smtp://127.0.0.1:{closed_port()}", SENDER)
    message_id = queue(services)

    for attempt in range(1, outbox.MAX_ATTEMPTS):
        assert deliver(services, transport).retrying == 1
        assert fetch(services, message_id).attempts == attempt
        clock.advance(minutes=2 ** (attempt - 1))
    report = deliver(services, transport)

    assert (report.failed, report.retrying) == (1, 0)
    message = fetch(services, message_id)
    assert (message.status, message.attempts) == (FAILED, outbox.MAX_ATTEMPTS)
    assert "ConnectionRefusedError" in message.last_error
    clock.advance(days=2)
    assert deliver(services, transport).handled == 0


def test_backoff_doubles_and_is_capped():
    assert [outbox.retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert outbox.retry_delay(9) == timedelta(hours=4, minutes=16)
    assert outbox.retry_delay(10) == outbox.retry_delay(60) == timedelta(hours=6)


def test_log_transport_marks_messages_logged(services, clock, caplog):
    message_id = queue(services, body="The secret link: https://microcred.test/reset-password/abc\n")
    logger = logging.getLogger("tests.outbox")

    with caplog.at_level(logging.WARNING, logger="tests.outbox"):
        report = deliver(services, LogTransport(logger))

    assert (report.logged, report.delivered) == (1, 0)
    message = fetch(services, message_id)
    assert (message.status, message.attempts, message.delivered_at) == (LOGGED, 1, clock.now)
    [record] = caplog.records
    assert f"outbox-{message_id}" in record.getMessage()
    assert "maria.lopez@riverside.example.org" in record.getMessage()
    assert "reset-password" not in record.getMessage(), "the body (with its link) must not go to the log"
    assert deliver(services, LogTransport(logger)).handled == 0


def test_requeue_puts_a_failed_message_back_and_audits_it(services, clock, smtp_server):
    smtp_server.rcpt_reply = "550 5.1.1 No such mailbox"
    message_id = queue(services)
    deliver(services, smtp_server.transport())
    assert fetch(services, message_id).status == FAILED

    clock.advance(hours=3)
    with transaction(services.session_factory) as session:
        outbox.requeue_message(session, message_id, actor=Actor.system("test"), now=clock.now)

    message = fetch(services, message_id)
    assert (message.status, message.attempts, message.next_attempt_at) == (PENDING, 0, clock.now)
    with services.session_factory() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.requeue")).one()
    assert (event.subject_type, event.subject_id, event.actor_label) == (
        "outbox_message",
        str(message_id),
        "system:test",
    )
    assert event.summary == {"recipient": "maria.lopez@riverside.example.org", "kind": "password_reset"}

    smtp_server.accept_all()
    assert deliver(services, smtp_server.transport()).delivered == 1
    assert fetch(services, message_id).status == SENT
    assert smtp_server.recipients == ["maria.lopez@riverside.example.org"]


@pytest.mark.parametrize("status", [PENDING, SENT, LOGGED])
def test_only_failed_messages_can_be_requeued(services, smtp_server, status):
    message_id = queue(services)
    if status == SENT:
        deliver(services, smtp_server.transport())
    elif status == LOGGED:
        deliver(services, LogTransport(logging.getLogger("tests.outbox")))
    before = fetch(services, message_id)
    assert before.status == status

    with pytest.raises(Conflict), transaction(services.session_factory) as session:
        outbox.requeue_message(session, message_id, actor=Actor.system("test"), now=services.clock())
    after = fetch(services, message_id)
    assert (after.status, after.attempts) == (before.status, before.attempts)


def test_requeue_of_an_unknown_message_is_not_found(services):
    with pytest.raises(NotFound), transaction(services.session_factory) as session:
        outbox.requeue_message(session, 12345, actor=Actor.system("test"), now=services.clock())


def test_deliver_due_never_takes_messages_that_are_not_due(services, clock, smtp_server):
    smtp_server.rcpt_reply = "451 4.3.0 Try again later"
    waiting = queue(services, recipient="waiting@example.org")
    deliver(services, smtp_server.transport())  # fails; next try in one minute
    smtp_server.accept_all()
    clock.advance(seconds=30)
    fresh = queue(services, recipient="fresh@example.org")

    # A pass whose "now" is before the fresh message was queued takes neither.
    assert deliver(services, smtp_server.transport(), now=clock.now - timedelta(seconds=1)).handled == 0
    report = deliver(services, smtp_server.transport())

    assert report.delivered == 1
    assert smtp_server.recipients == ["fresh@example.org"]
    assert fetch(services, waiting).status == PENDING
    assert fetch(services, fresh).status == SENT


def test_deliver_due_takes_the_oldest_first_up_to_the_limit(services, clock, smtp_server):
    ids = []
    for n in range(3):
        ids.append(queue(services, recipient=f"person{n}@example.org"))
        clock.advance(seconds=1)

    assert deliver(services, smtp_server.transport(), limit=2).delivered == 2
    assert smtp_server.recipients == ["person0@example.org", "person1@example.org"]
    assert fetch(services, ids[2]).status == PENDING
    assert deliver(services, smtp_server.transport(), limit=2).delivered == 1


def test_list_messages_filters_by_status_and_pages(services, smtp_server):
    smtp_server.replies_by_recipient["gone@example.org"] = "550 5.1.1 No such mailbox"
    sent = [queue(services, recipient=f"person{n}@example.org") for n in range(3)]
    failed = queue(services, recipient="gone@example.org")
    deliver(services, smtp_server.transport())
    pending = queue(services, recipient="later@example.org")

    with services.session_factory() as session:
        first_page = outbox.list_messages(session, per_page=2)
        second_page = outbox.list_messages(session, page=2, per_page=2)
        by_status = {status: outbox.list_messages(session, status=status) for status in (SENT, FAILED, PENDING, LOGGED)}

    assert (first_page.total, first_page.pages) == (5, 3)
    assert [m.id for m in first_page.items] == [pending, failed]  # newest first
    assert [m.id for m in second_page.items] == [sent[2], sent[1]]
    assert {status: [m.id for m in page.items] for status, page in by_status.items()} == {
        SENT: sent[::-1],
        FAILED: [failed],
        PENDING: [pending],
        LOGGED: [],
    }
    assert by_status[SENT].total == 3


@pytest.mark.postgres
def test_concurrent_deliverers_never_send_a_message_twice(services, smtp_server):
    """Two processes delivering at once each take different rows (FOR UPDATE SKIP LOCKED)."""
    count = 30
    for n in range(count):
        queue(services, recipient=f"person{n}@example.org")
    smtp_server.delay_seconds = 0.01  # each deliverer holds its rows while it talks to the server
    start = threading.Barrier(2)
    delivered = [0, 0]
    errors: list[BaseException] = []

    def deliverer(index: int) -> None:
        try:
            start.wait(timeout=10)
            while True:
                report = deliver(services, smtp_server.transport(), limit=5)
                if report.handled == 0:
                    return
                delivered[index] += report.delivered
        except BaseException as exc:  # reported to the test below
            errors.append(exc)

    threads = [threading.Thread(target=deliverer, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(smtp_server.recipients) == sorted(f"person{n}@example.org" for n in range(count))
    assert len({mail["Message-ID"] for mail in smtp_server.messages}) == count
    assert sum(delivered) == count
    assert all(delivered), f"both deliverers should have sent some messages: {delivered}"
    # Neither waited for the other's rows: they talked to the server at the same time.
    assert smtp_server.most_at_once == 2
    with services.session_factory() as session:
        statuses = session.execute(select(OutboxMessage.status, OutboxMessage.attempts)).all()
    assert set(statuses) == {(SENT, 1)}


def test_a_letter_goes_out_as_text_and_html_alternatives(services, smtp_server):
    letter = letters.Letter(
        subject="Feedback on Exit tickets",
        to="María López",
        paragraphs=("Reviewers have scored your evidence.",),
        action=letters.Action("Read the feedback", "https://microcred.test/attempts/7"),
        signature="Riverside Unified School District",
    )
    with transaction(services.session_factory) as session:
        letters.queue_letter(session, letter, kind="decision", recipient="maria@example.org", now=services.clock())
    assert deliver(services, smtp_server.transport()).delivered == 1
    [mail] = smtp_server.messages
    assert mail.get_content_type() == "multipart/alternative"
    # Text first, then HTML: a client shows the last part it can display.
    assert [part.get_content_type() for part in mail.iter_parts()] == ["text/plain", "text/html"]
    text, page = (part.get_content() for part in mail.iter_parts())
    assert text == letter.text() and page == letter.html()
    assert "Read the feedback:\nhttps://microcred.test/attempts/7\n" in text
    assert 'href="https://microcred.test/attempts/7"' in page and "María López" in page


def test_a_message_queued_without_html_still_goes_out_as_text(services, smtp_server):
    queue(services, body="Queued before e-mail had an HTML part.\n")
    deliver(services, smtp_server.transport())
    [mail] = smtp_server.messages
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content() == "Queued before e-mail had an HTML part.\n"
