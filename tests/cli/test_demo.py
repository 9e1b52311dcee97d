"""``microcred demo load``: the demo district, its accounts and two real credentials; safe to run again."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from credentials import create_app
from credentials.cli import microcred
from credentials.domain.demo.district import DEMO_PASSWORD, PEOPLE
from credentials.storage.models import AuditEvent, IssuedCredential, User


def test_demo_load_is_idempotent(run, count):
    first = run("demo", "load")
    assert first.exit_code == 0, first.output
    assert f"Demo data: {len(PEOPLE)} account(s) created, 0 already present." in first.output
    assert "admin@riverside.example.org" in first.output
    events_after_first = count(AuditEvent)

    second = run("demo", "load")

    assert second.exit_code == 0, second.output
    assert f"Demo data: 0 account(s) created, {len(PEOPLE)} already present." in second.output
    assert count(User) == len(PEOPLE)
    assert count(AuditEvent) == events_after_first  # a second run records nothing
    verify = run("audit", "verify")
    assert verify.exit_code == 0
    assert f"Audit trail intact: {events_after_first} event(s) verified." in verify.output


def test_demo_accounts_can_sign_in(run, browser):
    run("demo", "load")
    browser.login("admin@riverside.example.org", DEMO_PASSWORD)
    assert browser.get("/admin/audit").status_code == 200


def test_demo_load_issues_two_real_credentials(run, services, session):
    run("keys", "generate")  # as `make run` does, before loading the demo
    first = run("demo", "load")
    assert first.exit_code == 0, first.output
    assert "Issued 2 demo credential(s)" in first.output, first.output
    session.rollback()
    assert sorted(c.recipient_name for c in session.scalars(select(IssuedCredential))) == [
        "Aisha Okafor",
        "María López",
    ]
    assert "Issued" not in run("demo", "load").output  # nothing more the second time


def test_demo_load_refuses_to_run_in_production(settings, clock, database):
    production = settings.with_overrides(
        env="production",
        secret_key=secrets.token_urlsafe(48),
        smtp_url="smtp://127.0.0.1:2525",
        key_passphrase="the district's own passphrase",
    )
    app = create_app(production)
    app.extensions["microcred"].clock = clock
    try:
        result = app.test_cli_runner().invoke(microcred, ["demo", "load"])
        assert result.exit_code == 1
        assert "Error: microcred demo load does not run in production" in result.output
        assert DEMO_PASSWORD not in result.output
        with app.extensions["microcred"].session_factory() as session:
            assert session.scalars(select(User)).all() == []
    finally:
        app.extensions["microcred"].engine.dispose()
        database.reset()
