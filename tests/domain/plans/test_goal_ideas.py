"""Goal ideas: a plan started from a template offers the template's goals not yet used; using one adds the goal as the
teacher wrote it and the learning actions the template suggests (unpublished micro-credentials left out)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from credentials.domain.errors import NotFound
from credentials.domain.plans import goal_ideas
from credentials.storage.models import GrowthPlan, MicroCredential, MicroCredentialVersion, User
from tests.plans_builders import goal_input, step


def fresh_plan(session, plan):
    session.rollback()
    return session.get(GrowthPlan, plan.id)


def test_a_plan_without_a_template_has_no_ideas(grow, session):
    teacher, _ = grow.teacher_and_coach()
    plan = grow.plan(teacher, goals=0)
    assert goal_ideas.ideas(session, fresh_plan(session, plan)) == []


def test_the_ideas_are_the_template_goals_not_yet_used(grow, session):
    teacher, _ = grow.teacher_and_coach()
    plan = grow.plan(teacher, goals=0)
    template = grow.template(
        [
            {"statement": "Students explain their reasoning.", "focus": ["tag:formative assessment"]},
            {"statement": "Fewer students  miss homework.", "focus": ["tag:homework"], "measure_what": "Homework in"},
        ]
    )
    grow.from_template(plan, template)
    found = goal_ideas.ideas(session, fresh_plan(session, plan))
    assert [i.statement for i in found] == ["Students explain their reasoning.", "Fewer students  miss homework."]
    with step(session):
        from credentials.domain.plans import plans

        plans.add_goal(
            session, plan.id, session.get(User, teacher.id),
            goal_input(statement="fewer students miss homework."), now=grow.services.clock(),
        )  # fmt: skip
    assert [i.statement for i in goal_ideas.ideas(session, fresh_plan(session, plan))] == [
        "Students explain their reasoning."
    ]


def test_using_an_idea_adds_the_goal_and_the_suggested_actions(grow, session):
    teacher, _ = grow.teacher_and_coach()
    plan = grow.plan(teacher, goals=0)
    slug = grow.catalog()
    template = grow.template()
    grow.from_template(plan, template)
    idea = goal_ideas.ideas(session, fresh_plan(session, plan))[0]
    assert idea.actions == ("Checking for understanding with exit tickets", "Attend the writing institute")
    typed = goal_ideas.idea_input(session, fresh_plan(session, plan), idea.id)
    assert (typed.statement, typed.measure_what, typed.measure_unit) == (
        "Students explain their reasoning in writing.",
        "Written explanations scored 3 or 4",
        "%",
    )
    with step(session):
        data = goal_input(statement=typed.statement, measure_what=typed.measure_what)
        goal = goal_ideas.add_goal_from_idea(
            session, plan.id, session.get(User, teacher.id), idea.id, data, now=grow.services.clock()
        )
        kinds = [(a.kind, a.microcredential_id is not None, a.description) for a in goal.actions]
    assert kinds == [("microcredential", True, None), ("activity", False, "Attend the writing institute")]
    assert goal_ideas.ideas(session, fresh_plan(session, plan)) == []
    assert slug
    with step(session):  # the teacher makes it their own: the idea stays used
        from credentials.domain.plans import plans

        rewritten = goal_input(statement="My own words now.", measure_what="Something else entirely")
        plans.edit_goal(session, goal.id, session.get(User, teacher.id), rewritten, now=grow.services.clock())
    assert goal_ideas.ideas(session, fresh_plan(session, plan)) == []


def test_an_unpublished_micro_credential_is_left_out(grow, session):
    teacher, _ = grow.teacher_and_coach()
    plan = grow.plan(teacher, goals=0)
    slug = grow.catalog()
    template = grow.template()
    grow.from_template(plan, template)
    grow.other_microcredential()  # still published, so the goal's focus can still be chosen
    with step(session):
        mc_id = session.scalar(select(MicroCredential.id).where(MicroCredential.slug == slug))
        for version in session.scalars(
            select(MicroCredentialVersion).where(MicroCredentialVersion.microcredential_id == mc_id)
        ):
            version.status = "retired"
    idea = goal_ideas.ideas(session, fresh_plan(session, plan))[0]
    assert idea.actions == ("Attend the writing institute",)
    with step(session):
        goal = goal_ideas.add_goal_from_idea(
            session, plan.id, session.get(User, teacher.id), idea.id, goal_input(), now=grow.services.clock()
        )
        assert [a.kind for a in goal.actions] == ["activity"]


def test_an_idea_of_another_template_is_not_found(grow, session):
    teacher, _ = grow.teacher_and_coach()
    plan = grow.plan(teacher, goals=0)
    other = grow.template()
    with pytest.raises(NotFound):
        goal_ideas.idea_input(session, fresh_plan(session, plan), other.goals[0].id)
    with pytest.raises(NotFound):
        goal_ideas.idea_input(session, fresh_plan(session, plan), 987654)
