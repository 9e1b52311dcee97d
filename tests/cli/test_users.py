"""``microcred users create``: accounts with a password from the option, the prompt or the environment."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from credentials.storage.models import AuditEvent, User

NEW_PASSWORD = "a brand new passphrase"


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
def test_users_create_refuses_bad_input_and_saves_nothing(run, build, count, changes, message):
    build.issuer()
    users_before = count(User)
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
    assert count(User) == users_before
