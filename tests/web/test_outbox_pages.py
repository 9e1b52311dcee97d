"""The admin Outbox page: watch delivery, read logged mail, try a failed message again."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from credentials.domain import outbox
from credentials.mail import LogTransport
from credentials.storage.database import transaction
from credentials.storage.models import AuditEvent, OutboxMessage
from credentials.storage.models.outbox import FAILED, LOGGED, PENDING, SENT
from tests.smtp import smtp_server_fixture  # noqa: F401

from ..conftest import ADMIN_EMAIL


def queue(services, recipient, subject, body):
    with transaction(services.session_factory) as session:
        return outbox.queue_email(
            session, kind="password_reset", recipient=recipient, subject=subject, body=body, now=services.clock()
        ).id


def deliver(services, transport):
    with transaction(services.session_factory) as session:
        return outbox.deliver_due(session, transport, now=services.clock())


def status_of(services, message_id) -> str:
    with services.session_factory() as session:
        return session.get(OutboxMessage, message_id).status


@pytest.fixture
def mailbag(services, smtp_server):
    """One message in each state, queued and delivered through the real transports; returns their ids."""
    ids = {"logged": queue(services, "logged@example.org", "A logged message", "Logged body: open /reset-password/L")}
    deliver(services, LogTransport(logging.getLogger("tests.outbox")))
    ids["sent"] = queue(services, "sent@example.org", "A sent message", "Sent body: open /reset-password/S")
    ids["failed"] = queue(services, "gone@example.org", "A failed message", "Failed body")
    smtp_server.replies_by_recipient["gone@example.org"] = "550 5.1.1 No such mailbox here"
    deliver(services, smtp_server.transport())
    ids["pending"] = queue(services, "later@example.org", "A pending message", "Pending body")
    assert [status_of(services, ids[s]) for s in ("logged", "sent", "failed", "pending")] == [
        LOGGED,
        SENT,
        FAILED,
        PENDING,
    ]
    return ids


def test_admin_sees_every_message(admin, mailbag):
    page = admin.get("/admin/outbox")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "4 messages." in html
    for who in ("logged", "sent", "gone", "later"):
        assert f"<dd>{who}@example.org</dd>" in html
    # Newest first.
    assert html.index("A pending message") < html.index("A failed message") < html.index("A logged message")
    assert "550 5.1.1 No such mailbox here" in html
    assert "failed after 1 attempt" in html
    assert "No SMTP server is configured" in html  # the test settings have no MICROCRED_SMTP_URL


def test_a_logged_message_can_be_read_but_a_sent_one_cannot(admin, mailbag):
    html = admin.get("/admin/outbox").get_data(as_text=True)

    assert "Logged body: open /reset-password/L" in html
    assert "Sent body" not in html
    assert "Failed body" not in html and "Pending body" not in html


@pytest.mark.parametrize(("status", "subject"), [(s, f"A {s} message") for s in (PENDING, SENT, LOGGED, FAILED)])
def test_admin_filters_by_status(admin, mailbag, status, subject):
    html = admin.get(f"/admin/outbox?status={status}").get_data(as_text=True)
    assert "1 message." in html
    assert subject in html
    assert sum(f"A {s} message" in html for s in (PENDING, SENT, LOGGED, FAILED)) == 1


def test_an_unknown_status_shows_everything(admin, mailbag):
    assert "4 messages." in admin.get("/admin/outbox?status=bogus").get_data(as_text=True)


def test_a_retrying_message_shows_its_next_try(admin, services, clock, smtp_server):
    smtp_server.rcpt_reply = "451 4.3.0 Try again later"
    queue(services, "busy@example.org", "Busy", "Body")
    deliver(services, smtp_server.transport())
    html = admin.get("/admin/outbox").get_data(as_text=True)
    assert "pending after 1 attempt; next try 9:01 AM CDT" in html
    assert "451 4.3.0 Try again later" in html


def test_try_again_requeues_a_failed_message(admin, services, mailbag, smtp_server):
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert page.count(">Try again</button>") == 1
    assert f'action="/admin/outbox/{mailbag["failed"]}/requeue"' in page

    response = admin.submit(f"/admin/outbox/{mailbag['failed']}/requeue", page="/admin/outbox")

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/outbox"
    assert "The message to gone@example.org is queued again." in admin.get("/admin/outbox").get_data(as_text=True)
    assert status_of(services, mailbag["failed"]) == PENDING
    with services.session_factory() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.requeue")).one()
    assert (event.actor_label, event.subject_id) == (ADMIN_EMAIL, str(mailbag["failed"]))
    # Once the address works again, the next pass delivers it.
    smtp_server.accept_all()
    assert deliver(services, smtp_server.transport()).delivered == 2  # with the pending one
    assert status_of(services, mailbag["failed"]) == SENT


def test_try_again_needs_the_csrf_token(admin, services, mailbag):
    response = admin.client.post(f"/admin/outbox/{mailbag['failed']}/requeue")
    assert response.status_code == 400
    assert status_of(services, mailbag["failed"]) == FAILED


@pytest.mark.parametrize("status", ["sent", "logged", "pending"])
def test_only_a_failed_message_can_be_tried_again(admin, services, mailbag, status):
    response = admin.submit(f"/admin/outbox/{mailbag[status]}/requeue", page="/admin/outbox")
    assert response.status_code == 409
    assert status_of(services, mailbag[status]) == status


def test_trying_again_an_unknown_message_is_not_found(admin, mailbag):
    assert admin.submit("/admin/outbox/999999/requeue", page="/admin/outbox").status_code == 404


@pytest.mark.parametrize("role", ["teacher", "reviewer"])
def test_others_may_not_see_or_requeue(browser, build, services, mailbag, role):
    build.user(role, email="someone@riverside.example.org")
    browser.login("someone@riverside.example.org")
    assert browser.get("/admin/outbox").status_code == 403
    # Even with a valid CSRF token (taken from a page this person may see).
    response = browser.submit(f"/admin/outbox/{mailbag['failed']}/requeue", page="/")
    assert response.status_code == 403
    assert status_of(services, mailbag["failed"]) == FAILED


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/outbox")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_the_page_runs_a_bounded_number_of_queries(admin, services, count_queries):
    def queries_for_page() -> int:
        with count_queries() as statements:
            assert admin.get("/admin/outbox").status_code == 200
        return len(statements)

    few = queries_for_page()
    for n in range(60):
        queue(services, f"person{n}@example.org", f"Message {n}", "Body")
    deliver(services, LogTransport(logging.getLogger("tests.outbox")))
    many = queries_for_page()

    assert many == few
    assert many <= 6


def test_a_logged_letter_shows_its_text_and_never_its_html(admin, services, build):
    from credentials.domain import letters

    letter = letters.Letter(
        subject="Feedback on <script>",
        to="María",
        paragraphs=("Hello <script>alert(1)</script>",),
        action=letters.Action("Read the feedback", "https://microcred.test/attempts/1"),
        signature="Riverside Unified School District",
    )
    with transaction(services.session_factory) as session:
        letters.queue_letter(session, letter, kind="decision", recipient="m@example.org", now=services.clock())
    deliver(services, LogTransport(logging.getLogger("tests.outbox")))
    html = admin.get("/admin/outbox").get_data(as_text=True)
    assert "Read the feedback:\nhttps://microcred.test/attempts/1" in html
    assert "The same letter goes out as HTML too" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<!DOCTYPE html>\n<html" not in html.split("<body", 1)[1]
