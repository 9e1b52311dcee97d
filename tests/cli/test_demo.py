"""``microcred demo load``: the demo district, its accounts and two real credentials; safe to run again."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from credentials import create_app
from credentials.cli import microcred
from credentials.domain.demo.district import DEMO_PASSWORD, PEOPLE
from credentials.storage.models import Attempt, AuditEvent, CoachAssignment, IssuedCredential, User


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


def test_the_demo_coach_coaches_the_whole_district_once(run, browser, session):
    run("demo", "load")
    run("demo", "load")
    session.rollback()
    coach = session.scalar(select(User).where(User.email == "coach@riverside.example.org"))
    assert coach.name == "Denise Carter" and coach.roles == {"coach"} and coach.school.name == "District office"
    assert list(session.scalars(select(CoachAssignment.school_id))) == [None]  # the whole district, assigned once
    assert list(session.scalars(select(AuditEvent.action).where(AuditEvent.action == "coach.assign"))) == [
        "coach.assign"
    ]
    browser.login("coach@riverside.example.org", DEMO_PASSWORD)
    assert b"You coach teachers across the whole district." in browser.get("/").data


def test_demo_accounts_can_sign_in(run, browser):
    run("demo", "load")
    browser.login("admin@riverside.example.org", DEMO_PASSWORD)
    assert browser.get("/admin/audit").status_code == 200


def test_demo_load_issues_real_credentials_and_a_year_of_states(run, services, session, count):
    run("keys", "generate")  # as `make run` does, before loading the demo
    first = run("demo", "load")
    assert first.exit_code == 0, first.output
    assert "Issued 2 demo credential(s)" in first.output, first.output
    session.rollback()
    credentials = {c.recipient_name: c for c in session.scalars(select(IssuedCredential))}
    assert sorted(credentials) == ["Aisha Okafor", "Dana Whitfield", "María López", "Sam O'Connor"]
    assert credentials["Aisha Okafor"].source == credentials["María López"].source == "review"
    assert credentials["Sam O'Connor"].source == "admin" and credentials["Sam O'Connor"].revoked_at is None
    assert credentials["Dana Whitfield"].revoked_at is not None  # a revoked credential to look at
    statuses = dict(
        session.execute(select(User.email, Attempt.status).join(Attempt, Attempt.teacher_id == User.id)).all()
    )
    assert statuses == {
        "maria.lopez@riverside.example.org": "earned",
        "aisha.okafor@riverside.example.org": "earned",
        "james.chen@riverside.example.org": "not_yet",  # with feedback to resubmit against
        "tom.becker@riverside.example.org": "in_review",  # a reviewer has a draft under way
        "priya.natarajan@riverside.example.org": "draft",
    }
    events = count(AuditEvent)
    again = run("demo", "load").output
    assert "Issued" not in again and "Demo year" not in again  # nothing more the second time
    assert count(AuditEvent) == events


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


def test_demo_load_gives_growth_plans_in_every_state_and_a_dozen_declared_goals(run, session, count):
    from credentials.domain.plans.visibility import declared_to
    from credentials.storage.models import CheckIn, Goal, GrowthPlan, SchoolYear

    assert run("demo", "load").exit_code == 0
    plans_after_first, check_ins_after_first = count(GrowthPlan), count(CheckIn)
    assert run("demo", "load").exit_code == 0
    assert (count(GrowthPlan), count(CheckIn)) == (plans_after_first, check_ins_after_first)  # nothing twice
    session.rollback()
    by_teacher = {
        name: status
        for name, status in session.execute(
            select(User.name, GrowthPlan.status).join(GrowthPlan, GrowthPlan.teacher_id == User.id)
        )
    }
    assert by_teacher["María López"] == "active"
    assert by_teacher["Tom Becker"] == "waiting_for_review"
    assert by_teacher["Aisha Okafor"] == "complete"
    assert by_teacher["James Chen"] == "draft"
    assert "in_review" in by_teacher.values()
    assert count(SchoolYear) == 2
    maria_goal = session.scalar(
        select(Goal).join(GrowthPlan).join(User, User.id == GrowthPlan.teacher_id).where(User.name == "María López")
    )
    assert len(maria_goal.check_ins) >= 5  # enough for a chart
    colleague = session.scalar(select(User).where(User.email == "noah.williams@riverside.example.org"))
    assert colleague.grade_band == "3-5" and colleague.subject == "ela"
    current = max(session.scalars(select(SchoolYear)), key=lambda year: year.starts_on)
    declared = set()
    for email in (
        "noah.williams@riverside.example.org",
        "tom.becker@riverside.example.org",
        "lena.fischer@riverside.example.org",
    ):
        viewer = session.scalar(select(User).where(User.email == email))  # one teacher at each school
        declared |= set(
            session.scalars(
                select(Goal.id)
                .join(GrowthPlan, GrowthPlan.id == Goal.plan_id)
                .join(User, User.id == GrowthPlan.teacher_id)
                .where(GrowthPlan.school_year_id == current.id, declared_to(viewer))
            )
        )
    assert len(declared) >= 12  # across the three schools' boards
