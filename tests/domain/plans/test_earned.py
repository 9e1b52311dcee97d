"""The "earned" note: a credential issued to a teacher for a micro-credential a goal of their current plan lists puts
one note on each such goal's thread, in the issuance's transaction, whether the credential came from a review or from
a district record; never for other teachers, complete plans or micro-credentials the goal does not list."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from credentials.domain.audit import Actor
from credentials.domain.credentials import admin as credential_admin
from credentials.domain.plans import plans, workflow
from credentials.domain.plans.workflow import GoalEnding
from credentials.storage.database import transaction
from credentials.storage.models import GoalComment, GrowthPlan, User
from tests.plans_builders import step

TITLE = "Checking for understanding with exit tickets"


def plan_listing(grow, teacher, slug, *, goals=1, listing=None, status="draft", coach=None):
    """A plan of ``goals`` goals, the first ``listing`` of which (all by default) plan to earn ``slug``."""
    plan = grow.plan(teacher, goals=goals, status="active" if status == "complete" else status, coach=coach)
    with transaction(grow.services.session_factory) as session:
        stored = session.get(GrowthPlan, plan.id)
        for goal in stored.goals[: goals if listing is None else listing]:
            plans.add_action(
                session, goal.id, session.get(User, teacher.id), kind="microcredential", slug=slug,
                now=grow.services.clock(),
            )  # fmt: skip
        goal_ids = [g.id for g in stored.goals]
    if status == "complete":  # the actions were planned while it was active; then the teacher completed it
        with transaction(grow.services.session_factory) as session:
            endings = {goal_id: GoalEnding("70", "Most students now show mastery.") for goal_id in goal_ids}
            workflow.complete(
                session, plan.id, session.get(User, teacher.id), endings=endings, now=grow.services.clock()
            )
    return goal_ids


def notes(session, goal_ids=None):
    session.rollback()
    query = select(GoalComment.goal_id, GoalComment.author_id, GoalComment.body).where(GoalComment.kind == "earned")
    if goal_ids is not None:
        query = query.where(GoalComment.goal_id.in_(goal_ids))
    return session.execute(query.order_by(GoalComment.goal_id)).all()


def test_a_credential_from_a_review_is_noted_once_on_each_goal_that_lists_it(grow, session):
    teacher = grow.build.user("teacher", school=grow.build.school())
    slug = grow.catalog()
    listed_1, listed_2, other = plan_listing(grow, teacher, slug, goals=3, listing=2)
    grow.build.credential(slug, teacher)
    said = f"Earned “{TITLE}” on September 1, 2026."
    assert notes(session) == [(listed_1, None, said), (listed_2, None, said)]
    assert other not in {goal_id for goal_id, _, _ in notes(session)}


def test_a_district_record_is_noted_too_and_issuing_the_same_record_again_is_not(grow, session, services):
    teacher = grow.build.user("teacher", school=grow.build.school(), email="maria.lopez@riverside.example.org")
    slug = grow.catalog()
    (goal_id,) = plan_listing(grow, teacher, slug)
    grow.build.issuer_keys()
    for _ in range(2):
        with step(session):
            credential_admin.issue_to_person(
                session, services.signing, name="Maria Lopez", email="Maria.Lopez@riverside.example.org",
                microcredential=slug, awarded_on=date(2026, 8, 20), actor=Actor.system("test"), now=services.clock(),
            )  # fmt: skip
    assert [(g, body) for g, _, body in notes(session)] == [(goal_id, f"Earned “{TITLE}” on August 20, 2026.")]


def test_other_teachers_goals_hear_nothing(grow, session):
    school = grow.build.school()
    teacher, colleague = grow.build.user("teacher", school=school), grow.build.user("teacher", school=school)
    slug = grow.catalog()
    colleague_goals = plan_listing(grow, colleague, slug)
    plan_listing(grow, teacher, slug)
    grow.build.credential(slug, teacher)
    assert notes(session, colleague_goals) == []
    assert len(notes(session)) == 1


def test_a_complete_plan_is_kept_as_it_was(grow, session):
    school = grow.build.school()
    teacher, coach = grow.build.user("teacher", school=school), grow.coach(school)
    slug = grow.catalog()
    plan_listing(grow, teacher, slug, status="complete", coach=coach)
    grow.build.credential(slug, teacher)
    assert notes(session) == []


def test_a_micro_credential_the_goals_do_not_list_is_not_noted(grow, session):
    teacher = grow.build.user("teacher", school=grow.build.school())
    slug = grow.catalog()
    other = grow.other_microcredential()
    plan_listing(grow, teacher, slug)
    grow.build.credential(other, teacher)
    assert notes(session) == []


def test_a_teacher_without_a_plan_or_a_record_without_an_account_changes_nothing(grow, session, services):
    slug = grow.catalog()
    grow.school_year()
    grow.build.credential(slug, grow.build.user("teacher", school=grow.build.school()))
    with step(session):
        credential_admin.issue_to_person(
            session, services.signing, name="Ann Older", email="ann.older@example.org", microcredential=slug,
            awarded_on=date(2024, 5, 1), actor=Actor.system("test"), now=services.clock(),
        )  # fmt: skip
    assert notes(session) == []
