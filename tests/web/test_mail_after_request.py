"""In development, mail queued by a request goes out right after the response, and only if the request succeeded."""

from __future__ import annotations

import re

import pytest
from flask import abort
from sqlalchemy import select

from credentials import create_app
from credentials.cli import microcred
from credentials.domain import outbox
from credentials.domain.errors import Conflict
from credentials.storage.models import Assignment, IssuedCredential, OutboxMessage
from credentials.storage.models.outbox import PENDING, SENT
from credentials.web.transaction import db, now
from tests.builders import definition
from tests.smtp import smtp_server_fixture  # noqa: F401
from tests.web.test_review_pages import confirm_submission

MARIA = "maria.lopez@riverside.example.org"  # a demo account


@pytest.fixture
def deliver_after_request() -> bool:
    """The development setting; a test can turn it off with ``@pytest.mark.parametrize``."""
    return True


@pytest.fixture
def app(settings, clock, database, smtp_server, deliver_after_request):
    """The app with development mail delivery, sending to a real SMTP server (``client`` and ``browser`` use it)."""
    application = create_app(settings.with_overrides(deliver_mail_after_request=deliver_after_request))
    services = application.extensions["microcred"]
    services.clock = clock
    services.mail = smtp_server.transport()
    add_views_that_queue_mail_and_fail(application)
    result = application.test_cli_runner().invoke(microcred, args=["demo", "load"])
    assert result.exit_code == 0, result.output
    yield application
    services.engine.dispose()
    database.reset()


def add_views_that_queue_mail_and_fail(application):
    """Views that queue an e-mail in the request's transaction and then fail, each in its own way (and a control)."""

    def queue() -> None:
        outbox.queue_email(db(), kind="test", recipient=MARIA, subject="Queued by a test view", body="Body", now=now())

    @application.get("/test/queue-and-succeed")
    def queue_and_succeed():
        queue()
        return "Queued"

    @application.get("/test/queue-then-refuse")
    def queue_then_refuse():
        queue()
        raise Conflict("Refused after the e-mail was queued.")

    @application.get("/test/queue-then-forbid")
    def queue_then_forbid():
        queue()
        abort(403)

    @application.get("/test/queue-then-answer-422")
    def queue_then_answer_422():
        queue()
        return "Please check your input", 422


def outbox_statuses(services) -> list[str]:
    """The statuses of the messages these tests queue (not the demo's growth-plan letters, recorded as sent)."""
    with services.session_factory() as session:
        mine = OutboxMessage.kind != "growth_plan"
        return list(session.scalars(select(OutboxMessage.status).where(mine).order_by(OutboxMessage.id)))


def test_a_password_reset_email_arrives_right_after_the_response(browser, services, smtp_server, settings):
    response = browser.submit("/forgot-password", {"email": MARIA})

    assert response.status_code == 302
    # Committed, but not sent while the response is still being handed out ...
    assert outbox_statuses(services) == [PENDING]
    assert smtp_server.messages == []
    response.close()
    # ... and sent as soon as it has been.
    assert outbox_statuses(services) == [SENT]
    [mail] = smtp_server.messages
    assert smtp_server.recipients == [MARIA]
    assert mail["Subject"] == "Reset your password"
    assert mail.get_content_type() == "multipart/alternative"
    body = mail.get_body(("plain",)).get_content()
    assert body.startswith("Hello María López,")
    link = re.search(r"https://microcred\.test/reset-password/\S+", body)
    assert link, body
    assert f'href="{link.group(0)}"' in mail.get_body(("html",)).get_content()
    # The link in the e-mail works.
    assert browser.get(link.group(0).removeprefix(settings.public_url)).status_code == 200


def test_an_earned_review_is_followed_by_the_credential_and_its_e_mail_right_after_the_response(
    browser, build, services, smtp_server, session
):
    build.issuer_keys()
    slug = build.published(definition(slug="exit-tickets-two", title="Exit tickets, the sequel"))
    reviewer = build.reviewer(slug=slug, email="new.reviewer@example.org")
    teacher = build.user("teacher", school=build.school(), email="new.teacher@example.org")
    attempt = build.submitted(slug, teacher)
    assignment = session.scalars(select(Assignment).where(Assignment.attempt_id == attempt.id)).one()
    browser.login(reviewer.email)
    scores = {"level-design": "proficient", "level-reflection": "exemplary", "overall": "Clear evidence."}

    browser.submit(f"/reviews/{assignment.id}", {**scores, "action": "submit"})  # saved; the summary comes next
    response = confirm_submission(browser, f"/reviews/{assignment.id}")

    assert response.status_code == 302
    # The credential was issued as soon as the decision committed, before the response went out ...
    session.rollback()
    assert session.scalar(select(IssuedCredential.attempt_id)) == attempt.id
    assert teacher_mail(services, teacher.email) == {"decision": PENDING, "credential": PENDING}
    response.close()
    # ... and the teacher's e-mails (the decision, the credential) went out right after it.
    assert teacher_mail(services, teacher.email) == {"decision": SENT, "credential": SENT}
    assert {"You earned Exit tickets, the sequel", "Your credential: Exit tickets, the sequel"} <= {
        m["Subject"] for m in smtp_server.messages if m["To"] == teacher.email
    }


def teacher_mail(services, email) -> dict[str, str]:
    with services.session_factory() as session:
        query = select(OutboxMessage.kind, OutboxMessage.status).where(
            OutboxMessage.recipient == email, OutboxMessage.kind.in_(("decision", "credential"))
        )
        return dict(session.execute(query).all())


@pytest.mark.parametrize("deliver_after_request", [False])
def test_without_the_development_setting_mail_waits_for_the_deliverer(browser, services, smtp_server, app):
    response = browser.submit("/forgot-password", {"email": MARIA})
    response.close()

    assert outbox_statuses(services) == [PENDING]
    assert smtp_server.messages == []
    result = app.test_cli_runner().invoke(microcred, args=["mail", "deliver"])
    assert result.exit_code == 0, result.output
    assert smtp_server.recipients == [MARIA]


def test_an_unknown_address_sends_nothing(browser, services, smtp_server):
    response = browser.submit("/forgot-password", {"email": "nobody@riverside.example.org"})
    response.close()
    assert response.status_code == 302
    assert outbox_statuses(services) == []
    assert smtp_server.messages == []


@pytest.mark.parametrize(
    ("url", "status"),
    [("/test/queue-then-refuse", 409), ("/test/queue-then-forbid", 403), ("/test/queue-then-answer-422", 422)],
)
def test_a_failed_request_queues_nothing(client, services, smtp_server, url, status):
    with client.get(url) as response:
        assert response.status_code == status
    assert outbox_statuses(services) == []
    assert smtp_server.messages == []


def test_the_same_view_succeeding_does_send(client, services, smtp_server):
    with client.get("/test/queue-and-succeed") as response:
        assert response.status_code == 200
    assert outbox_statuses(services) == [SENT]
    assert [m["Subject"] for m in smtp_server.messages] == ["Queued by a test view"]


def test_a_forged_reset_request_queues_nothing(client, services, smtp_server):
    with client.post("/forgot-password", data={"email": MARIA}) as response:  # no CSRF token
        assert response.status_code == 400
    assert outbox_statuses(services) == []
    assert smtp_server.messages == []
