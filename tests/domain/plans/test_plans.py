"""A teacher's plan and its goals: one plan a year, one to three goals, every bad field refused with a sentence and
nothing saved, no changes while the coach reviews it, sharing changeable at any time, learning actions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from credentials.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from credentials.domain.plans import plans
from credentials.storage.models import AuditEvent, Goal, GoalAction, GrowthPlan, User
from tests.plans_builders import FOCUS, goal_input, step


def me(session, user):
    return session.get(User, user.id)


def test_a_teacher_starts_one_plan_for_the_current_school_year(build, grow, session, clock):
    teacher = build.user("teacher", school=build.school())
    with pytest.raises(Conflict) as refused, step(session):
        plans.start_plan(session, me(session, teacher), now=clock())
    assert "has not set up this school year" in refused.value.message
    year = grow.school_year()
    with step(session):
        plan = plans.start_plan(session, me(session, teacher), now=clock())
    assert (plan.status, plan.school_year_id, plan.revision) == ("draft", year.id, 1)
    with pytest.raises(Conflict) as again, step(session):
        plans.start_plan(session, me(session, teacher), now=clock())
    assert "already have a plan for the 2026–27 school year" in again.value.message
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "growth_plan")).all()
    assert actions == ["plan.start"]


def test_a_goal_keeps_what_the_teacher_wrote_with_the_default_sharing(build, grow, session, clock):
    teacher = build.user("teacher", school=build.school())
    plan = grow.plan(teacher, goals=0)
    with step(session):
        goal = plans.add_goal(session, plan.id, me(session, teacher), goal_input(), now=clock())
    assert (goal.position, goal.baseline, goal.target, goal.measure_unit) == (1, 48.0, 75.0, "%")
    assert goal.focus == [FOCUS] and goal.target_date == date(2027, 5, 28)
    assert (goal.visibility, goal.share_progress) == ("school", False)
    assert session.get(GrowthPlan, plan.id).revision == 2


def test_the_focus_is_chosen_from_the_catalogs_tags_and_competencies(build, grow, session, clock):
    slug = grow.catalog()
    keys = [key for key, _ in plans.focus_options(session)]
    assert {"tag:formative assessment", "tag:exit tickets", f"competency:{slug}"} <= set(keys)
    teacher = build.user("teacher", school=build.school())
    plan = grow.plan(teacher, goals=0)
    with step(session):
        goal = plans.add_goal(
            session, plan.id, me(session, teacher), goal_input(focus=[f"competency:{slug}", FOCUS]), now=clock()
        )
    assert goal.focus == [f"competency:{slug}", FOCUS]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"target": "48"}, "target", "The target equals the baseline (48 %)"),
        ({"target": 48.0, "baseline": "48%"}, "target", "equals the baseline"),
        ({"measure_unit": "  "}, "measure_unit", "what unit the measure is in"),
        ({"target_date": date(2027, 7, 15)}, "target_date", "within the 2026–27 school year: August 1, 2026 to"),
        ({"target_date": date(2026, 7, 31)}, "target_date", "within the 2026–27 school year"),
        ({"target_date": "next spring"}, "target_date", "Enter the date"),
        ({"baseline": "about half"}, "baseline", "as a number, such as 48"),
        ({"target": ""}, "target", "Enter the target"),
        ({"statement": ""}, "statement", "Write the goal"),
        ({"focus": []}, "focus", "at least one competency or tag"),
        ({"focus": ["tag:astrology"]}, "focus", "“astrology” is not in it"),
        ({"measure_what": ""}, "measure_what", "what will be measured"),
        ({"how_measured": ""}, "how_measured", "how it is measured"),
        ({"visibility": "everyone"}, "visibility", "who may see"),
    ],
)
def test_bad_goals_are_refused_with_a_sentence_per_field_and_nothing_saved(
    build, grow, session, clock, overrides, field, words
):
    teacher = build.user("teacher", school=build.school())
    plan = grow.plan(teacher, goals=0)
    with pytest.raises(InvalidInput) as refused, step(session):
        plans.add_goal(session, plan.id, me(session, teacher), goal_input(**overrides), now=clock())
    assert words in refused.value.errors[field], refused.value.errors
    assert session.scalar(select(func.count()).select_from(Goal)) == 0
    assert session.get(GrowthPlan, plan.id).revision == 1


def test_several_bad_fields_are_all_named_at_once(build, grow, session, clock):
    teacher = build.user("teacher", school=build.school())
    plan = grow.plan(teacher, goals=0)
    with pytest.raises(InvalidInput) as refused, step(session):
        plans.add_goal(
            session, plan.id, me(session, teacher), goal_input(measure_unit="", target="48", statement=""), now=clock()
        )
    assert set(refused.value.errors) == {"measure_unit", "target", "statement"}


def test_a_fourth_goal_is_refused(build, grow, session, clock):
    teacher = build.user("teacher", school=build.school())
    plan = grow.plan(teacher, goals=3)
    with pytest.raises(InvalidInput) as refused, step(session):
        plans.add_goal(session, plan.id, me(session, teacher), goal_input(), now=clock())
    assert "at most 3 goals" in refused.value.errors["goals"]
    assert session.scalar(select(func.count()).select_from(Goal)) == 3


def test_editing_and_removing_goals_in_a_draft(build, grow, session, clock):
    teacher = build.user("teacher", school=build.school())
    plan = grow.plan(teacher, goals=3)
    first, second, third = (g.id for g in session.get(GrowthPlan, plan.id).goals)
    with step(session):
        plans.edit_goal(
            session, second, me(session, teacher), goal_input(target="80", visibility="public"), now=clock()
        )
    assert session.get(Goal, second).target == 80.0
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "plan.edit_goal")).one()
    assert {"target", "visibility", "statement"} <= set(event.summary["changed"])
    with step(session):
        plans.remove_goal(session, first, me(session, teacher), now=clock())
    session.expire_all()
    assert [(g.id, g.position) for g in session.get(GrowthPlan, plan.id).goals] == [(second, 1), (third, 2)]
    with pytest.raises(InvalidInput), step(session):
        plans.edit_goal(session, second, me(session, teacher), goal_input(target="48"), now=clock())
    session.expire_all()
    assert session.get(Goal, second).target == 80.0


@pytest.mark.parametrize("status", ["waiting_for_review", "in_review"])
def test_a_teacher_cannot_change_a_plan_the_coach_is_reviewing(build, grow, session, clock, status):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, goals=1, status=status, coach=coach)
    goal_id = session.get(GrowthPlan, plan.id).goals[0].id
    attempts = [
        lambda s: plans.add_goal(s, plan.id, me(s, teacher), goal_input(), now=clock()),
        lambda s: plans.edit_goal(s, goal_id, me(s, teacher), goal_input(target="90"), now=clock()),
        lambda s: plans.remove_goal(s, goal_id, me(s, teacher), now=clock()),
        lambda s: plans.add_action(s, goal_id, me(s, teacher), kind="activity", description="A course", now=clock()),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict) as refused, step(session):
            attempt(session)
        assert "with your coach for review" in refused.value.message
    session.expire_all()
    goal = session.get(Goal, goal_id)
    assert goal.target == 75.0 and goal.actions == []


def test_sharing_can_change_at_any_time_even_in_review(build, grow, session, clock):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="in_review", coach=coach)
    goal_id = session.get(GrowthPlan, plan.id).goals[0].id
    with step(session):
        plans.set_sharing(
            session, goal_id, me(session, teacher), visibility="district", share_progress=True, now=clock()
        )
    goal = session.get(Goal, goal_id)
    assert (goal.visibility, goal.share_progress) == ("district", True)
    with pytest.raises(InvalidInput), step(session):
        plans.set_sharing(
            session, goal_id, me(session, teacher), visibility="nobody", share_progress=False, now=clock()
        )


def test_only_the_plans_teacher_changes_it(build, grow, session, clock):
    teacher, coach = grow.teacher_and_coach()
    other = build.user("teacher", school=build.school())
    plan = grow.plan(teacher)
    goal_id = session.get(GrowthPlan, plan.id).goals[0].id
    for someone in (other, coach):
        with pytest.raises(PermissionDenied), step(session):
            plans.edit_goal(session, goal_id, me(session, someone), goal_input(), now=clock())
    with pytest.raises(NotFound), step(session):
        plans.edit_goal(session, 99999, me(session, teacher), goal_input(), now=clock())
    assert plans.may_see_plan(session, session.get(GrowthPlan, plan.id), me(session, coach))
    assert not plans.may_see_plan(session, session.get(GrowthPlan, plan.id), me(session, other))


def test_learning_actions_micro_credentials_activities_and_collaboration(build, grow, session, clock):
    teacher = build.user("teacher", school=build.school())
    plan = grow.plan(teacher)
    slug = grow.catalog()
    goal_id = session.get(GrowthPlan, plan.id).goals[0].id
    with step(session):
        t = me(session, teacher)
        earn = plans.add_action(session, goal_id, t, kind="microcredential", slug=slug, now=clock())
        plans.add_action(session, goal_id, t, kind="activity", description="District math institute", now=clock())
        plans.add_action(session, goal_id, t, kind="collaboration", description="Grade 4 team PLC", now=clock())
    goal = session.get(Goal, goal_id)
    assert [(a.position, a.kind) for a in goal.actions] == [
        (1, "microcredential"), (2, "activity"), (3, "collaboration")
    ]  # fmt: skip
    assert goal.actions[0].microcredential_id is not None
    refusals = [
        ({"kind": "microcredential", "slug": slug}, "microcredential", "already one of this goal's actions"),
        ({"kind": "microcredential", "slug": "no-such-thing"}, "microcredential", "from the catalog"),
        ({"kind": "activity", "description": " "}, "description", "Say what the activity"),
        ({"kind": "webinar", "description": "x"}, "kind", "Choose a micro-credential"),
    ]
    for arguments, field, words in refusals:
        with pytest.raises(InvalidInput) as refused, step(session):
            plans.add_action(session, goal_id, me(session, teacher), now=clock(), **arguments)
        assert words in refused.value.errors[field]
    with step(session):
        plans.remove_action(session, earn.id, me(session, teacher), now=clock())
    session.expire_all()
    assert [(a.position, a.kind) for a in session.get(Goal, goal_id).actions] == [(1, "activity"), (2, "collaboration")]
    assert session.scalar(select(func.count()).select_from(GoalAction)) == 2
