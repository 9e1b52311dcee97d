"""The public-profile hook: a teacher's public goals of the current year, as a visitor may see them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update

from credentials.domain.plans import checkins
from credentials.domain.plans.public_goals import public_goals
from credentials.storage.database import transaction
from credentials.storage.models import Goal, GrowthPlan, User
from tests.plans_builders import step


def test_only_public_goals_of_a_declared_plan_with_numbers_when_shared(build, grow, services, session, clock):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, goals=3, status="active", coach=coach)
    with transaction(services.session_factory) as s:
        ids = s.scalars(select(Goal.id).where(Goal.plan_id == plan.id).order_by(Goal.position)).all()
        s.execute(update(Goal).where(Goal.id == ids[0]).values(visibility="public", share_progress=True))
        s.execute(update(Goal).where(Goal.id == ids[1]).values(visibility="district"))
        s.execute(update(Goal).where(Goal.id == ids[2]).values(visibility="public", share_progress=False))
    with step(session):
        checkins.add_check_in(
            session, ids[0], session.get(User, teacher.id), checked_on=date(2026, 8, 25), value="60", now=clock()
        )
    session.rollback()
    goals = public_goals(session, teacher.id, now=clock())
    assert [g.goal_id for g in goals] == [ids[0], ids[2]]
    first, third = goals
    assert first.focus == ["formative assessment"] and first.target_date == date(2027, 5, 28)
    assert (first.numbers.baseline, first.numbers.target, first.numbers.latest) == (48.0, 75.0, 60.0)
    assert third.numbers is None


def test_a_draft_a_deactivated_teacher_or_no_year_shows_nothing(build, grow, services, session, clock):
    assert public_goals(session, 12345, now=clock()) == []
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="draft", coach=coach)
    with transaction(services.session_factory) as s:
        s.execute(update(Goal).where(Goal.plan_id == plan.id).values(visibility="public"))
    assert public_goals(session, teacher.id, now=clock()) == []
    with transaction(services.session_factory) as s:
        s.execute(update(GrowthPlan).where(GrowthPlan.id == plan.id).values(status="active"))
    session.rollback()
    assert len(public_goals(session, teacher.id, now=clock())) == 1
    with transaction(services.session_factory) as s:
        s.execute(update(User).where(User.id == teacher.id).values(is_active=False))
    session.rollback()
    assert public_goals(session, teacher.id, now=clock()) == []


def test_last_years_public_goals_are_not_this_years(build, grow, services, session, clock):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="active", coach=coach)
    with transaction(services.session_factory) as s:
        s.execute(update(Goal).where(Goal.plan_id == plan.id).values(visibility="public"))
    clock.advance(days=365)  # September 2027: the 2026–27 year is over and no new one is set up
    assert public_goals(session, teacher.id, now=clock()) == []
