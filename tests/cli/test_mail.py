"""``microcred mail deliver``: the outbox sent through SMTP, retried with backoff, in batches."""

from __future__ import annotations

from sqlalchemy import select

from credentials.domain import outbox
from credentials.storage.database import transaction
from credentials.storage.models import OutboxMessage
from credentials.storage.models.outbox import FAILED, LOGGED, PENDING, SENT
from tests.smtp import smtp_server_fixture  # noqa: F401


def queue(services, recipient):
    with transaction(services.session_factory) as session:
        return outbox.queue_email(
            session,
            kind="invitation",
            recipient=recipient,
            subject=f"For {recipient}",
            body="Body",
            now=services.clock(),
        ).id


def statuses(services) -> dict[str, str]:
    with services.session_factory() as session:
        return {
            recipient: status
            for recipient, status in session.execute(select(OutboxMessage.recipient, OutboxMessage.status))
        }


def test_mail_deliver_sends_through_smtp(run, services, smtp_server):
    services.mail = smtp_server.transport()
    smtp_server.replies_by_recipient["gone@example.org"] = "550 5.1.1 No such mailbox"
    smtp_server.replies_by_recipient["busy@example.org"] = "451 4.3.0 Try again later"
    for who in ("ana", "ben", "gone", "busy"):
        queue(services, f"{who}@example.org")

    result = run("mail", "deliver")

    assert result.exit_code == 0, result.output
    assert result.output == "Outbox: 2 sent, 0 logged (no SMTP), 1 to retry, 1 failed.\n"
    assert sorted(smtp_server.recipients) == ["ana@example.org", "ben@example.org"]
    assert [m["Subject"] for m in smtp_server.messages] == ["For ana@example.org", "For ben@example.org"]
    assert statuses(services) == {
        "ana@example.org": SENT,
        "ben@example.org": SENT,
        "gone@example.org": FAILED,
        "busy@example.org": PENDING,
    }
    # Run again at once: the deferred message is not due yet, so nothing happens.
    assert run("mail", "deliver").output == "Outbox: 0 sent, 0 logged (no SMTP), 0 to retry, 0 failed.\n"


def test_mail_deliver_empties_a_queue_longer_than_one_batch(run, services):
    # The test settings have no SMTP URL, so the app logs mail instead of sending it.
    for n in range(55):  # the deliverer takes 50 at a time
        queue(services, f"person{n}@example.org")

    result = run("mail", "deliver")

    assert result.exit_code == 0, result.output
    assert result.output == "Outbox: 0 sent, 55 logged (no SMTP), 0 to retry, 0 failed.\n"
    assert set(statuses(services).values()) == {LOGGED}
