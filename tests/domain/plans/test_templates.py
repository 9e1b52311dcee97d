"""Plan templates: written by admins and coaches with one to three goals (a focus from the catalog, an example
measure, suggested actions), changed and archived by an admin or their author, and applied to a school or to chosen
teachers (a coach: only teachers they coach), each teacher reached getting a draft plan or the template's ideas and an
e-mail, all audited; bad input refused with a sentence per field and nothing saved."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from credentials.domain import audit
from credentials.domain.audit import EventFilter
from credentials.domain.audit import page as audit_page
from credentials.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from credentials.domain.plans import template_application, templates
from credentials.domain.plans.template_application import ApplicationOutcome
from credentials.domain.plans.templates import TemplateActionInput, TemplateGoalInput
from credentials.storage.models import AuditEvent, GrowthPlan, OutboxMessage, PlanTemplate, PlanTemplateGoal, User
from tests.plan_templates_builders import TemplateBuilders, template_goal, template_input
from tests.plans_builders import FOCUS, step


@pytest.fixture
def shape(grow) -> TemplateBuilders:
    return TemplateBuilders(grow)


def me(session, user):
    return session.get(User, user.id)


def test_a_coach_writes_a_template_with_goals_focus_measure_and_actions(grow, shape, session, clock):
    school = grow.build.school()
    coach = grow.coach(school, name="Grace Kim")
    template = shape.template(coach, goals=2)
    session.rollback()
    stored = templates.get_template(session, template.id)
    assert (stored.title, stored.author_id, stored.archived_at) == ("Checking for understanding", coach.id, None)
    assert [g.statement for g in stored.goals] == ["Template goal 1.", "Template goal 2."]
    first = stored.goals[0]
    assert (first.focus, first.measure_what, first.measure_unit, first.how_measured) == (
        [FOCUS],
        "Exit-ticket mastery",
        "%",
        "Weekly exit tickets",
    )
    assert [(a.kind, a.microcredential_id is not None, a.description) for a in first.actions] == [
        ("microcredential", True, None),
        ("collaboration", False, "Look at a week of tickets with a colleague."),
    ]
    events = list(audit.iter_events(session, EventFilter(subject_type="plan_template")))
    said = [line.sentence for line in audit_page.describe_events(session, events)]
    assert said == ["Grace Kim wrote the plan template “Checking for understanding” with 2 goals"]


def test_the_example_measure_and_actions_are_optional(grow, shape, session, clock):
    grow.catalog()
    admin = grow.build.admin()
    bare = template_goal(measure_what="", measure_unit="", how_measured="", actions=[])
    with step(session):
        template = templates.create_template(session, me(session, admin), template_input(goals=[bare]), now=clock())
    assert [g.actions for g in template.goals] == [[]]


@pytest.mark.parametrize("role", ["teacher", "reviewer"])
def test_only_admins_and_coaches_write_templates(grow, session, clock, role):
    grow.catalog()
    someone = grow.build.user(role)
    with step(session), pytest.raises(PermissionDenied):
        templates.create_template(session, me(session, someone), template_input(), now=clock())
    assert session.scalar(select(func.count()).select_from(PlanTemplate)) == 0


def test_bad_input_is_refused_with_a_sentence_per_field_and_nothing_saved(grow, session, clock):
    grow.catalog()
    coach = grow.coach()
    data = template_input(
        title="  ",
        description="x" * 5000,
        goals=[
            template_goal(statement="", focus=["tag:no such tag"]),
            template_goal(
                focus=[],
                measure_unit="u" * 41,
                actions=[
                    TemplateActionInput(kind="microcredential", slug="no-such-thing"),
                    TemplateActionInput(kind="activity", description="   "),
                    TemplateActionInput(kind="dance"),
                ],
            ),
            template_goal(
                focus=[f"tag:{n}" for n in range(6)],
                actions=[
                    TemplateActionInput(kind="microcredential", slug="exit-tickets"),
                    TemplateActionInput(kind="microcredential", slug="exit-tickets"),
                ],
            ),
        ],
    )
    with step(session), pytest.raises(InvalidInput) as refused:
        templates.create_template(session, me(session, coach), data, now=clock())
    errors = refused.value.errors
    assert errors["title"].startswith("Give the template a title")
    assert errors["description"] == "Keep the description to 4,000 characters."
    assert errors["goals-1-statement"].startswith("Write the goal")
    assert errors["goals-1-focus"] == "Choose the focus from the catalog; “no such tag” is not in it."
    assert errors["goals-2-focus"].startswith("Choose at least one competency or tag")
    assert errors["goals-2-measure_unit"] == "Keep the unit to 40 characters."
    assert errors["goals-2-actions-1-slug"] == "Choose a micro-credential from the catalog."
    assert errors["goals-2-actions-2-description"] == "Say what the activity or collaboration is."
    assert errors["goals-2-actions-3-kind"].startswith("Choose a micro-credential, a learning activity")
    assert errors["goals-3-focus"] == "Choose at most 5 competencies or tags."
    assert errors["goals-3-actions-2-slug"] == "This micro-credential is already suggested for this goal."
    assert session.scalar(select(func.count()).select_from(PlanTemplate)) == 0


def test_a_template_needs_one_to_three_goals_and_blank_blocks_are_left_out(grow, session, clock):
    grow.catalog()
    coach = grow.coach()
    blank = TemplateGoalInput(actions=[TemplateActionInput()])
    with step(session), pytest.raises(InvalidInput) as refused:
        templates.create_template(session, me(session, coach), template_input(goals=[blank, blank]), now=clock())
    assert refused.value.errors == {"goals-1-statement": "Write at least one goal."}
    four = [template_goal(statement=f"Goal {n}") for n in range(1, 5)]
    with step(session), pytest.raises(InvalidInput) as refused:
        templates.create_template(session, me(session, coach), template_input(goals=four), now=clock())
    assert refused.value.errors == {"goals-4-statement": "A template has at most 3 goals."}
    with step(session):
        template = templates.create_template(
            session, me(session, coach), template_input(goals=[blank, template_goal(statement="Second block")]),
            now=clock(),
        )  # fmt: skip
        assert [(g.position, g.statement) for g in template.goals] == [(1, "Second block")]


def test_editing_keeps_each_goal_in_its_place_and_drops_the_ones_removed(grow, shape, session, clock):
    coach = grow.coach()
    template = shape.template(coach, goals=3)
    session.rollback()
    first_id = session.scalar(select(PlanTemplateGoal.id).where(PlanTemplateGoal.position == 1))
    changed = template_input(title="Fractions first", goals=[template_goal(statement="Changed goal", actions=[])])
    with step(session):
        templates.edit_template(session, template.id, me(session, coach), changed, now=clock())
    session.rollback()
    stored = templates.get_template(session, template.id)
    assert stored.title == "Fractions first"
    assert [(g.id, g.statement, g.actions) for g in stored.goals] == [(first_id, "Changed goal", [])]
    assert session.scalar(select(func.count()).select_from(PlanTemplateGoal)) == 1


def test_only_an_admin_or_the_author_changes_or_archives_a_template(grow, shape, session, clock):
    author, other = grow.coach(), grow.coach()
    admin = grow.build.admin()
    template = shape.template(author)
    with step(session), pytest.raises(PermissionDenied):
        templates.edit_template(session, template.id, me(session, other), template_input(), now=clock())
    with step(session), pytest.raises(PermissionDenied):
        templates.template_for_editing(session, template.id, me(session, other))
    with step(session), pytest.raises(PermissionDenied):
        templates.archive_template(session, template.id, me(session, other), now=clock())
    with step(session):
        assert templates.template_for_editing(session, template.id, me(session, author)).title == template.title
        templates.edit_template(session, template.id, me(session, admin), template_input(title="By admin"), now=clock())
        templates.archive_template(session, template.id, me(session, admin), now=clock())
    with step(session), pytest.raises(Conflict):
        templates.archive_template(session, template.id, me(session, author), now=clock())
    with step(session), pytest.raises(NotFound):
        templates.get_template(session, 999_999)


def _teachers_at(grow, school, n):
    return [grow.build.user("teacher", school=school, name=f"Teacher {chr(65 + i)}") for i in range(n)]


def test_applying_to_a_school_starts_plans_and_adds_ideas_and_leaves_the_rest(grow, shape, session, clock):
    grow.school_year()
    school, elsewhere = grow.build.school("Lakeside Elementary"), grow.build.school()
    coach = grow.coach(school, name="Grace Kim")
    fresh, drafting, from_other, done = _teachers_at(grow, school, 4)
    outsider = grow.build.user("teacher", school=elsewhere)
    grow.plan(drafting)
    grow.plan(done, status="complete", coach=coach)
    other = shape.template(coach, title="Another template")
    with step(session):
        template_application.apply_template(
            session, other.id, me(session, coach), teacher_ids=[from_other.id], now=clock()
        )
    template = shape.template(coach)
    clock.advance(minutes=5)
    with step(session):
        outcome = template_application.apply_template(
            session, template.id, me(session, coach), school_id=school.id, now=clock()
        )
    assert outcome == ApplicationOutcome("Checking for understanding", started=1, added_to=1, other_template=1,
                                         complete=1)  # fmt: skip
    assert outcome.sentence == (
        "Started 1 plan; added the template's goal ideas to 1 plan teachers had started; 1 teacher already had a "
        "plan from another template; 1 teacher already completed this year's plan."
    )
    session.rollback()
    plans = {p.teacher_id: p for p in session.scalars(select(GrowthPlan))}
    assert (plans[fresh.id].status, plans[fresh.id].template_id) == ("draft", template.id)
    assert plans[drafting.id].template_id == template.id
    assert plans[from_other.id].template_id == other.id
    assert plans[done.id].template_id is None
    assert outsider.id not in plans
    mail = session.execute(
        select(OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body_text)
        .where(OutboxMessage.kind == "growth_plan", OutboxMessage.created_at == clock())
        .order_by(OutboxMessage.id)
    ).all()
    assert [m.recipient for m in mail] == [fresh.email, drafting.email]
    assert all(m.subject == "A growth plan to make your own: Checking for understanding" for m in mail)
    assert "Grace Kim started your growth plan for the 2026–27 school year" in mail[0].body_text
    assert "https://microcred.test/my/plan" in mail[0].body_text
    assert "Its goals now show in your growth plan" in mail[1].body_text
    # Applying again reaches nobody new.
    with step(session):
        again = template_application.apply_template(
            session, template.id, me(session, coach), school_id=school.id, now=clock()
        )
    assert (again.started, again.added_to, again.same_template) == (0, 0, 2)


def test_applying_is_audited_per_application_and_per_plan(grow, shape, session, clock):
    grow.school_year()
    school = grow.build.school("Lakeside Elementary")
    coach = grow.coach(school, name="Grace Kim")
    grow.build.user("teacher", school=school, name="Maria Lopez")
    drafting = grow.build.user("teacher", school=school, name="Sam Ortiz")
    grow.plan(drafting)
    template = shape.template(coach)
    with step(session):
        template_application.apply_template(session, template.id, me(session, coach), school_id=school.id, now=clock())
    session.rollback()
    events = [
        e for e in audit.iter_events(session, EventFilter()) if e.action in {"plan.start", "plan.use_template",
                                                                             "plan_template.apply"}
        and e.actor_id == coach.id
    ]  # fmt: skip
    said = sorted(line.sentence for line in audit_page.describe_events(session, events))
    assert said == [
        "Grace Kim added the plan template “Checking for understanding” to Sam Ortiz's growth plan",
        "Grace Kim applied the plan template “Checking for understanding” to Lakeside Elementary: 1 plan started, "
        "added to 1 plan",
        "Grace Kim started Maria Lopez's growth plan for 2026–27",
    ]
    started = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "plan.start", AuditEvent.actor_id == coach.id)
    )
    assert started.summary["template"] == template.id


def test_a_coach_applies_only_to_teachers_and_schools_they_coach(grow, shape, session, clock):
    grow.school_year()
    mine, theirs = grow.build.school(), grow.build.school()
    coach = grow.coach(mine)
    coached = grow.build.user("teacher", school=mine)
    not_coached = grow.build.user("teacher", school=theirs)
    template = shape.template(coach)
    for kwargs in ({"teacher_ids": [coached.id, not_coached.id]}, {"school_id": theirs.id},
                   {"teacher_ids": [coach.id]}, {"teacher_ids": [999_999]}):  # fmt: skip
        with step(session), pytest.raises(PermissionDenied):
            template_application.apply_template(session, template.id, me(session, coach), now=clock(), **kwargs)
    assert session.scalar(select(func.count()).select_from(GrowthPlan)) == 0
    with step(session):
        outcome = template_application.apply_template(
            session, template.id, me(session, coach), teacher_ids=[coached.id], now=clock()
        )
    assert outcome.started == 1


def test_an_admin_applies_to_any_teacher_but_only_teachers(grow, shape, session, clock):
    grow.school_year()
    admin = grow.build.admin()
    teacher = grow.build.user("teacher", school=grow.build.school())
    reviewer = grow.build.user("reviewer")
    template = shape.template(admin)
    with step(session), pytest.raises(InvalidInput) as refused:
        template_application.apply_template(
            session, template.id, me(session, admin), teacher_ids=[reviewer.id], now=clock()
        )
    assert refused.value.errors == {"teachers": "Choose the teachers from the list."}
    for kwargs, field in (({}, "target"), ({"teacher_ids": []}, "target"), ({"school_id": 0}, "school")):
        with step(session), pytest.raises(InvalidInput) as refused:
            template_application.apply_template(session, template.id, me(session, admin), now=clock(), **kwargs)
        assert list(refused.value.errors) == [field]
    with step(session):
        outcome = template_application.apply_template(
            session, template.id, me(session, admin), teacher_ids=[teacher.id], now=clock()
        )
    assert outcome.sentence == "Started 1 plan."


def test_teachers_and_reviewers_apply_nothing_and_archived_templates_are_not_applied(grow, shape, session, clock):
    grow.school_year()
    school = grow.build.school()
    coach = grow.coach(school)
    teacher = grow.build.user("teacher", school=school)
    template = shape.archived(coach)
    with step(session), pytest.raises(PermissionDenied):
        template_application.apply_template(
            session, template.id, me(session, teacher), school_id=school.id, now=clock()
        )
    with step(session), pytest.raises(Conflict, match="archived"):
        template_application.apply_template(session, template.id, me(session, coach), school_id=school.id, now=clock())


def test_no_plan_is_started_before_the_district_sets_up_the_school_year(grow, shape, session, clock):
    school = grow.build.school()
    coach = grow.coach(school)
    grow.build.user("teacher", school=school)
    template = shape.template(coach)
    with step(session), pytest.raises(Conflict, match="school year"):
        template_application.apply_template(session, template.id, me(session, coach), school_id=school.id, now=clock())
    assert session.scalar(select(func.count()).select_from(GrowthPlan)) == 0


def test_the_outcome_in_words():
    assert ApplicationOutcome("T", started=12, other_template=3).sentence == (
        "Started 12 plans; 3 teachers already had a plan from another template."
    )
    assert ApplicationOutcome("T", same_template=1).sentence == "1 teacher already had a plan from this template."
    assert ApplicationOutcome("T").sentence.startswith("No teachers were reached")


def test_dropping_a_template_goal_a_teacher_adopted_keeps_their_goal(grow, shape, session, clock):
    from credentials.domain.plans import goal_ideas
    from credentials.storage.models import Goal
    from tests.plans_builders import goal_input

    coach = grow.coach()
    template = shape.template(coach, goals=2)
    teacher = grow.build.user("teacher")
    plan = grow.plan(teacher, goals=0)
    grow.from_template(plan, template)
    session.rollback()
    second = session.scalar(select(PlanTemplateGoal.id).where(PlanTemplateGoal.position == 2))
    with step(session):
        goal = goal_ideas.add_goal_from_idea(session, plan.id, me(session, teacher), second, goal_input(), now=clock())
        goal_id = goal.id
    only_the_first = template_input(goals=[template_goal(statement="Keep only this one", actions=[])])
    with step(session):
        templates.edit_template(session, template.id, me(session, coach), only_the_first, now=clock())
    session.rollback()
    session.expire_all()
    assert session.get(PlanTemplateGoal, second) is None  # dropped from the template
    kept = session.get(Goal, goal_id)
    assert kept is not None and kept.template_goal_id is None
