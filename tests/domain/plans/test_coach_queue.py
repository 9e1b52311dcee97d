"""The coach's list of plans: their teachers' plans waiting for review first (oldest request first), then in review,
then under way; drafts counted; other schools' plans left out."""

from __future__ import annotations

from sqlalchemy import select

from credentials.domain.plans.coach_queue import coach_queue, plans_waiting
from credentials.storage.models import User


def test_plans_are_listed_by_where_they_stand(build, grow, session, clock):
    school = build.school()
    coach = grow.coach(school)
    teachers = [build.user("teacher", school=school, name=f"Teacher {n}") for n in range(5)]
    grow.plan(teachers[0], status="active", coach=coach)
    grow.plan(teachers[1], status="waiting_for_review", coach=coach)
    clock.advance(hours=1)
    grow.plan(teachers[2], status="waiting_for_review", coach=coach)
    grow.plan(teachers[3], status="in_review", coach=coach)
    grow.plan(teachers[4], status="draft")
    elsewhere = build.user("teacher", school=build.school())
    grow.plan(elsewhere, status="waiting_for_review", coach=grow.coach(None))
    queue = coach_queue(session, session.get(User, coach.id))
    assert [r.teacher_name for r in queue.waiting] == ["Teacher 1", "Teacher 2"]
    assert [r.teacher_name for r in queue.in_review] == ["Teacher 3"]
    assert [r.teacher_name for r in queue.active] == ["Teacher 0"]
    assert queue.drafts == 1 and not queue.empty
    assert queue.in_review[0].reviewer_name == session.get(User, coach.id).name
    assert plans_waiting(session, session.get(User, coach.id)) == 2


def test_a_coach_without_teachers_has_an_empty_list(build, grow, session):
    coach = grow.coach(build.school())
    queue = coach_queue(session, session.get(User, coach.id))
    assert queue.empty and plans_waiting(session, session.get(User, coach.id)) == 0


def test_plans_under_way_show_their_latest_check_in(build, grow, session, clock):
    from datetime import date

    from credentials.domain.plans import checkins
    from credentials.storage.database import transaction
    from credentials.storage.models import Goal

    school = build.school()
    coach = grow.coach(school)
    quiet, busy = (build.user("teacher", school=school, name=name) for name in ("Quiet Teacher", "Busy Teacher"))
    grow.plan(quiet, status="active", coach=coach)
    plan = grow.plan(busy, goals=2, status="active", coach=coach)
    with transaction(grow.services.session_factory) as tx:
        first, second = tx.scalars(select(Goal.id).where(Goal.plan_id == plan.id).order_by(Goal.position))
        for goal_id, day in ((first, date(2026, 8, 20)), (second, date(2026, 8, 27)), (first, date(2026, 8, 13))):
            checkins.add_check_in(tx, goal_id, tx.get(User, busy.id), checked_on=day, value="55", now=clock())
    queue = coach_queue(session, session.get(User, coach.id))
    assert [(r.teacher_name, r.latest_check_in) for r in queue.active] == [
        ("Busy Teacher", date(2026, 8, 27)),
        ("Quiet Teacher", None),
    ]
