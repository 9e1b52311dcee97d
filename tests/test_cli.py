"""Operator commands, run through Flask's CLI runner against the test app and a real database."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from credentials.domain import outbox
from credentials.domain.demo.district import DEMO_PASSWORD, PEOPLE
from credentials.storage import migrate
from credentials.storage.database import transaction
from credentials.storage.models import AuditEvent, OutboxMessage, User
from credentials.storage.models.outbox import FAILED, LOGGED, PENDING, SENT
from tests.smtp import smtp_server_fixture  # noqa: F401

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def run(app):
    """Run ``microcred`` with the given arguments; returns click's result."""
    runner = app.test_cli_runner()

    def invoke(*args, **kwargs):
        return runner.invoke(args=list(args), **kwargs)

    return invoke


def count(services, model) -> int:
    with services.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_db_current_prints_the_newest_revision(run, services):
    head = ScriptDirectory.from_config(migrate.alembic_config(services.engine)).get_current_head()
    result = run("db", "current")
    assert result.exit_code == 0
    assert result.output == f"{head}\n"


def test_audit_verify_passes_on_an_intact_trail(run, build, services):
    build.admin()
    events = count(services, AuditEvent)
    assert events >= 2
    result = run("audit", "verify")
    assert result.exit_code == 0, result.output
    assert result.output == f"Audit trail intact: {events} event(s) verified.\n"


def test_audit_verify_fails_after_tampering(run, build, services):
    build.admin()
    with services.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor_label = 'someone-else' WHERE seq = 2"))

    result = run("audit", "verify")

    assert result.exit_code == 1
    assert "BROKEN: event 2 was changed after it was written" in result.stderr
    assert "Audit trail is not intact (1 problem(s))." in result.stderr
    assert "intact:" not in result.output


def test_audit_verify_fails_when_the_last_events_are_deleted(run, build, services):
    build.admin()
    with services.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)"))
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert "BROKEN: the chain head points at event" in result.stderr


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


def test_demo_load_is_idempotent(run, services):
    first = run("demo", "load")
    assert first.exit_code == 0, first.output
    assert f"Demo data: {len(PEOPLE)} account(s) created, 0 already present." in first.output
    assert "admin@riverside.example.org" in first.output
    events_after_first = count(services, AuditEvent)

    second = run("demo", "load")

    assert second.exit_code == 0, second.output
    assert f"Demo data: 0 account(s) created, {len(PEOPLE)} already present." in second.output
    assert count(services, User) == len(PEOPLE)
    assert count(services, AuditEvent) == events_after_first  # a second run records nothing
    verify = run("audit", "verify")
    assert verify.exit_code == 0
    assert f"Audit trail intact: {events_after_first} event(s) verified." in verify.output


def test_demo_accounts_can_sign_in(run, browser):
    run("demo", "load")
    browser.login("admin@riverside.example.org", DEMO_PASSWORD)
    assert browser.get("/admin/audit").status_code == 200


def new_user(services, email):
    with services.session_factory() as session:
        user = session.scalar(select(User).where(User.email == email))
        return None if user is None else (user.name, sorted(user.roles), user.school.name)


def test_users_create_with_the_password_option(run, build, services, browser):
    build.issuer()

    result = run(
        "users", "create", "--email", "New.Admin@Riverside.example.org", "--name", "New Admin",
        "--role", "issuer_admin", "--role", "reviewer", "--password", NEW_PASSWORD,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert result.output == "Created new.admin@riverside.example.org (issuer_admin, reviewer) at District office.\n"
    assert new_user(services, "new.admin@riverside.example.org") == (
        "New Admin",
        ["issuer_admin", "reviewer"],
        "District office",
    )
    with services.session_factory() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.create")).one()
    assert event.actor_label == "system:cli"
    assert NEW_PASSWORD not in str(event.summary)
    browser.login("new.admin@riverside.example.org", NEW_PASSWORD)
    assert browser.get("/admin/outbox").status_code == 200


def test_users_create_reads_the_password_from_the_environment(run, build, services, browser):
    school = build.school("Oak Valley Middle School")

    result = run(
        "users", "create", "--email", "teacher@riverside.example.org", "--name", "Tom Becker",
        "--role", "teacher", "--school", school.name,
        env={"MICROCRED_NEW_PASSWORD": NEW_PASSWORD},
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert new_user(services, "teacher@riverside.example.org") == (
        "Tom Becker",
        ["teacher"],
        "Oak Valley Middle School",
    )
    browser.login("teacher@riverside.example.org", NEW_PASSWORD)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"--password": "short"}, "password: "),
        ({"--school": "No Such School"}, "No Such School"),
        ({"--email": "not-an-address"}, "email: "),
        ({"--role": "superuser"}, "Invalid value for '--role'"),
    ],
)
def test_users_create_refuses_bad_input_and_saves_nothing(run, build, services, changes, message):
    build.issuer()
    users_before = count(services, User)
    options = {
        "--email": "x@riverside.example.org",
        "--name": "X Person",
        "--role": "teacher",
        "--password": NEW_PASSWORD,
    }
    options.update(changes)

    result = run("users", "create", *(part for option in options.items() for part in option))

    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert count(services, User) == users_before
