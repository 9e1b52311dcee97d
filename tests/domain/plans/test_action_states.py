"""Micro-credentials planned as learning actions show the teacher's live state, read in one query for the plan."""

from __future__ import annotations

from credentials.domain.plans import action_states, plans
from credentials.domain.portfolio import attempts
from credentials.storage.models import GrowthPlan, User
from tests.builders import definition
from tests.plans_builders import step


def test_each_micro_credential_action_shows_where_the_teacher_stands(build, grow, session, clock, count_queries):
    teacher = build.user("teacher", school=build.school())
    plan = grow.plan(teacher, goals=2)
    earned = grow.catalog()
    submitted = build.published(definition(slug="talk-moves", title="Talk moves"))
    drafted = build.published(definition(slug="wait-time", title="Wait time"))
    untouched = build.published(definition(slug="cold-calls", title="Cold calls"))
    build.earned(earned, teacher)
    build.submitted(submitted, teacher)
    session.rollback()
    first, second = (g.id for g in session.get(GrowthPlan, plan.id).goals)
    with step(session):
        t = session.get(User, teacher.id)
        attempts.start_attempt(session, t, drafted, now=clock())
        ids = {
            slug: plans.add_action(session, goal, t, kind="microcredential", slug=slug, now=clock()).id
            for goal, slug in ((first, earned), (first, submitted), (second, drafted), (second, untouched))
        }
        activity = plans.add_action(session, second, t, kind="activity", description="Institute", now=clock()).id
    session.rollback()
    with count_queries() as statements:
        states = action_states.microcredential_states(session, plan.id)
    assert len([s for s in statements if s != "BEGIN"]) == 1
    assert states == {
        ids[earned]: "earned", ids[submitted]: "submitted", ids[drafted]: "draft", ids[untouched]: "not_started"
    }  # fmt: skip
    assert activity not in states


def test_another_teachers_attempts_do_not_count(build, grow, session):
    teacher = build.user("teacher", school=build.school())
    plan = grow.plan(teacher)
    slug = grow.catalog()
    build.submitted(slug)  # someone else's
    session.rollback()
    goal = session.get(GrowthPlan, plan.id).goals[0].id
    with step(session):
        action = plans.add_action(
            session, goal, session.get(User, teacher.id), kind="microcredential", slug=slug, now=build.services.clock()
        )
    assert action_states.microcredential_states(session, plan.id) == {action.id: "not_started"}
