"""The plan's workflow (draft -> waiting for review -> in review -> active -> complete): each step by whom it is
allowed, audited, written on each goal's thread and e-mailed to the other party; a coach who does not coach the
teacher is refused (403); two coaches approving at once: one wins, the other is told."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from credentials.domain.errors import Conflict, InvalidInput, PermissionDenied
from credentials.domain.plans import plans, workflow
from credentials.domain.plans.workflow import GoalEnding
from credentials.storage.models import AuditEvent, Goal, GoalComment, GrowthPlan, OutboxMessage, School, User
from tests.plans_builders import goal_input, step


def me(session, user):
    return session.get(User, user.id)


def mail(session):
    """(recipient, subject) of the plan e-mails queued so far."""
    session.rollback()
    rows = session.execute(
        select(OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body_text)
        .where(OutboxMessage.kind == "growth_plan")
        .order_by(OutboxMessage.id)
    ).all()
    return rows


def plan_actions(session, plan_id):
    return session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.subject_type == "growth_plan", AuditEvent.subject_id == str(plan_id))
        .order_by(AuditEvent.seq)
    ).all()


def test_from_draft_to_complete_each_step_told_to_the_other_party(build, grow, session, clock):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, goals=2)
    plan_id = plan.id
    goals = [g.id for g in session.get(GrowthPlan, plan_id).goals]

    with step(session):
        workflow.request_review(session, plan_id, me(session, teacher), note="Ready when you are.", now=clock())
    assert session.get(GrowthPlan, plan_id).status == "waiting_for_review"
    ((to, subject, body),) = mail(session)
    assert to == coach.email and subject == f"{teacher.name} asks you to review their growth plan"
    assert f"/plans/{plan_id}" in body and "2026–27 school year" in body

    with step(session):
        workflow.start_review(session, plan_id, me(session, coach), now=clock())
    stored = session.get(GrowthPlan, plan_id)
    assert (stored.status, stored.reviewer_id) == ("in_review", coach.id)
    assert mail(session)[-1][:2] == (teacher.email, "Your coach is reviewing your growth plan")

    with step(session):
        workflow.send_back(
            session, plan_id, me(session, coach), comments={goals[0]: "Make the target 70%."}, now=clock()
        )
    assert session.get(GrowthPlan, plan_id).status == "draft"
    to, subject, body = mail(session)[-1]
    assert (to, subject) == (teacher.email, "Your growth plan needs changes") and "Make the target 70%." in body

    with step(session):
        plans.edit_goal(session, goals[0], me(session, teacher), goal_input(target="70"), now=clock())
        workflow.request_review(session, plan_id, me(session, teacher), now=clock())
    with step(session):
        workflow.approve(session, plan_id, me(session, coach), comments={goals[1]: "A strong goal."}, now=clock())
    stored = session.get(GrowthPlan, plan_id)
    assert (stored.status, stored.approved_by_id, stored.approved_at) == ("active", coach.id, clock())
    to, subject, body = mail(session)[-1]
    assert (to, subject) == (teacher.email, "Your growth plan is approved") and "A strong goal." in body

    endings = {goals[0]: GoalEnding("68", "Closer, not there."), goals[1]: GoalEnding("81%", "Met it.")}
    with step(session):
        workflow.complete(session, plan_id, me(session, teacher), endings=endings, now=clock())
    stored = session.get(GrowthPlan, plan_id)
    assert (stored.status, stored.completed_by_id) == ("complete", teacher.id)
    assert [(g.end_value, g.final_reflection) for g in stored.goals] == [
        (68.0, "Closer, not there."),
        (81.0, "Met it."),
    ]
    assert mail(session)[-1][:2] == (coach.email, "A growth plan is complete")

    with step(session):
        workflow.reopen(session, plan_id, me(session, coach), comment="One more cycle in June.", now=clock())
    assert session.get(GrowthPlan, plan_id).status == "active"
    assert mail(session)[-1][:2] == (teacher.email, "Your growth plan is open again")

    assert plan_actions(session, plan_id)[-8:] == [
        "plan.request_review", "plan.start_review", "plan.send_back", "plan.edit_goal", "plan.request_review",
        "plan.approve", "plan.complete", "plan.reopen",
    ]  # fmt: skip
    thread = session.scalars(select(GoalComment).where(GoalComment.goal_id == goals[0]).order_by(GoalComment.id)).all()
    assert [(c.kind, c.body) for c in thread] == [
        ("review_requested", "Ready when you are."), ("review_started", ""), ("sent_back", "Make the target 70%."),
        ("review_requested", ""), ("approved", ""), ("completed", "Closer, not there."),
        ("reopened", "One more cycle in June."),
    ]  # fmt: skip
    assert [c.author_id for c in thread[:3]] == [teacher.id, coach.id, coach.id]


def test_a_review_needs_a_goal_and_sending_back_needs_a_comment(build, grow, session, clock):
    teacher, coach = grow.teacher_and_coach()
    empty = grow.plan(teacher, goals=0)
    with pytest.raises(InvalidInput) as refused, step(session):
        workflow.request_review(session, empty.id, me(session, teacher), now=clock())
    assert "at least one goal" in refused.value.errors["goals"]
    other = build.user("teacher", school=session.get(School, me(session, teacher).school_id))
    plan = grow.plan(other, status="in_review", coach=coach)
    session.rollback()
    goal_id = session.get(GrowthPlan, plan.id).goals[0].id
    with pytest.raises(InvalidInput) as refused, step(session):
        workflow.send_back(session, plan.id, me(session, coach), comments={goal_id: "   "}, now=clock())
    assert "at least one comment" in refused.value.errors["comments"]
    assert session.get(GrowthPlan, plan.id).status == "in_review"


def test_the_teacher_takes_back_a_request_until_the_coach_starts(build, grow, session, clock):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="waiting_for_review", coach=coach)
    with step(session):
        workflow.cancel_request(session, plan.id, me(session, teacher), now=clock())
    assert session.get(GrowthPlan, plan.id).status == "draft"
    assert mail(session)[-1][:2] == (coach.email, f"{teacher.name} took back their growth plan")
    with step(session):
        workflow.request_review(session, plan.id, me(session, teacher), now=clock())
        workflow.start_review(session, plan.id, me(session, coach), now=clock())
    with pytest.raises(Conflict) as refused, step(session):
        workflow.cancel_request(session, plan.id, me(session, teacher), now=clock())
    assert f"{coach.name} has already started reviewing" in refused.value.message
    assert session.get(GrowthPlan, plan.id).status == "in_review"


def test_a_coach_who_does_not_coach_the_teacher_is_refused_every_step(build, grow, session, clock):
    teacher, coach = grow.teacher_and_coach()
    stranger = grow.coach(build.school("Elsewhere"))
    plain_teacher = build.user("teacher", school=build.school())
    waiting = grow.plan(teacher, status="waiting_for_review", coach=coach)
    goal_id = session.get(GrowthPlan, waiting.id).goals[0].id
    for outsider in (stranger, plain_teacher):
        for act in (
            lambda s, who: workflow.start_review(s, waiting.id, who, now=clock()),
            lambda s, who: workflow.approve(s, waiting.id, who, comments={}, now=clock()),
            lambda s, who: workflow.send_back(s, waiting.id, who, comments={goal_id: "No."}, now=clock()),
            lambda s, who: workflow.reopen(s, waiting.id, who, now=clock()),
            lambda s, who: workflow.add_comment(s, goal_id, who, body="Hello", now=clock()),
        ):
            with pytest.raises(PermissionDenied) as refused, step(session):
                act(session, me(session, outsider))
            assert refused.value.status == 403
            assert f"You do not coach {teacher.name}" in refused.value.message
    assert session.get(GrowthPlan, waiting.id).status == "waiting_for_review"
    with pytest.raises(PermissionDenied), step(session):
        workflow.request_review(session, waiting.id, me(session, coach), now=clock())


def test_two_coaches_approving_at_once_one_wins_and_the_other_is_told(build, grow, services, clock):
    school = build.school()
    teacher = build.user("teacher", school=school)
    first, second = grow.coach(school), grow.coach()  # the school's coach and a district coach
    plan = grow.plan(teacher, status="in_review", coach=first)
    # Both coaches have the plan open: each request carries the revision its page showed.
    seen = plan.revision
    with services.session_factory() as one, one.begin():
        workflow.approve(one, plan.id, one.get(User, first.id), comments={}, seen=seen, now=clock())
    with pytest.raises(Conflict) as told, services.session_factory() as two, two.begin():
        workflow.approve(two, plan.id, two.get(User, second.id), comments={}, seen=seen, now=clock())
    assert "Someone else changed this plan while you were looking at it" in told.value.message
    assert "“Active”" in told.value.message
    with services.session_factory() as check:
        stored = check.get(GrowthPlan, plan.id)
        assert (stored.status, stored.approved_by_id, stored.revision) == ("active", first.id, seen + 1)
        approvals = check.scalars(select(AuditEvent).where(AuditEvent.action == "plan.approve")).all()
        assert [e.actor_id for e in approvals] == [first.id]


def test_the_conditional_update_refuses_a_second_approval_read_before_the_first(build, grow, services, clock):
    """The second coach's session loaded the plan (in review) before the first approval committed: its own
    revision check passes, and the UPDATE ... WHERE revision = :seen is what refuses it."""
    school = build.school()
    teacher = build.user("teacher", school=school)
    first, second = grow.coach(school), grow.coach()
    plan = grow.plan(teacher, status="in_review", coach=first)
    with services.session_factory() as two:
        stale = two.get(GrowthPlan, plan.id)
        assert stale.status == "in_review"
        two.commit()  # the page was read; objects stay loaded (as they were)
        with services.session_factory() as one, one.begin():
            workflow.approve(one, plan.id, one.get(User, first.id), comments={}, now=clock())
        with pytest.raises(Conflict) as told, two.begin():
            workflow.approve(two, plan.id, two.get(User, second.id), comments={}, now=clock())
        assert "Someone else changed this plan" in told.value.message
    with services.session_factory() as check:
        assert check.get(GrowthPlan, plan.id).approved_by_id == first.id
        assert check.scalars(select(GoalComment.author_id).where(GoalComment.kind == "approved")).all() == [first.id]


def test_a_step_from_the_wrong_status_is_refused_with_where_the_plan_stands(build, grow, session, clock):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="active", coach=coach)
    for act, words in (
        (lambda s: workflow.approve(s, plan.id, me(s, coach), comments={}, now=clock()), "Only a plan sent for review"),
        (lambda s: workflow.start_review(s, plan.id, me(s, coach), now=clock()), "not waiting for a review"),
        (lambda s: workflow.request_review(s, plan.id, me(s, teacher), now=clock()), "Only a draft plan"),
        (lambda s: workflow.reopen(s, plan.id, me(s, coach), now=clock()), "Only a complete plan"),
    ):
        with pytest.raises(Conflict) as refused, step(session):
            act(session)
        assert words in refused.value.message and "This plan is “Active”" in refused.value.message


def test_completing_needs_each_goals_end_measure_and_reflection(build, grow, session, clock):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, goals=2, status="active", coach=coach)
    first, second = (g.id for g in session.get(GrowthPlan, plan.id).goals)
    with pytest.raises(InvalidInput) as refused, step(session):
        workflow.complete(session, plan.id, me(session, teacher), endings={first: GoalEnding("lots", "")}, now=clock())
    assert set(refused.value.errors) == {
        f"goals.{first}.end_value", f"goals.{first}.reflection", f"goals.{second}.end_value",
        f"goals.{second}.reflection",
    }  # fmt: skip
    assert "in %, as a number" in refused.value.errors[f"goals.{first}.end_value"]
    assert session.get(GrowthPlan, plan.id).status == "active"
    # A coach may complete it too; the teacher is told.
    endings = {first: GoalEnding(60, "Progress."), second: GoalEnding(70, "Progress.")}
    with step(session):
        workflow.complete(session, plan.id, me(session, coach), endings=endings, now=clock())
    assert mail(session)[-1][:2] == (teacher.email, "A growth plan is complete")


def test_a_complete_plan_is_frozen(build, grow, session, clock):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="complete", coach=coach)
    goal_id = session.get(GrowthPlan, plan.id).goals[0].id
    with pytest.raises(Conflict) as refused, step(session):
        plans.edit_goal(session, goal_id, me(session, teacher), goal_input(target="99"), now=clock())
    assert "complete, so it is kept as it was" in refused.value.message
    assert session.get(Goal, goal_id).target == 75.0


def test_complete_due_completes_active_plans_of_ended_years_only(build, grow, session, clock):
    teacher, coach = grow.teacher_and_coach()
    active = grow.plan(teacher, status="active", coach=coach)
    draft = grow.plan(build.user("teacher", school=build.school()))
    with step(session):
        assert workflow.complete_due(session, clock()) == 0
    clock.now = datetime(2027, 7, 1, 12, tzinfo=UTC)  # July 1 in Chicago: the 2026–27 year has ended
    with step(session):
        assert workflow.complete_due(session, clock()) == 1
    stored = session.get(GrowthPlan, active.id)
    assert (stored.status, stored.completed_by_id, stored.completed_at) == ("complete", None, clock())
    assert session.get(GrowthPlan, draft.id).status == "draft"
    to, subject, body = mail(session)[-1]
    assert (to, subject) == (teacher.email, "A growth plan is complete") and "school year has ended" in body
    assert plan_actions(session, active.id)[-1] == "plan.complete_due"
    with step(session):
        assert workflow.complete_due(session, clock()) == 0
    with pytest.raises(Conflict) as refused, step(session):
        workflow.reopen(session, active.id, me(session, coach), now=clock())
    assert "school year has ended, so its plans stay complete" in refused.value.message


def test_complete_due_skips_a_plan_that_changed_after_it_was_read_and_takes_it_next_time(
    build, grow, session, services, clock
):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="active", coach=coach)
    clock.now = datetime(2027, 7, 1, 12, tzinfo=UTC)
    with step(session):
        in_hand = session.get(GrowthPlan, plan.id)  # this run has read the plan; then the teacher changes a goal
    with services.session_factory() as other, other.begin():
        goal_id = other.get(GrowthPlan, plan.id).goals[0].id
        plans.edit_goal(other, goal_id, me(other, teacher), goal_input(target="80"), now=clock())
    with step(session):
        assert workflow.complete_due(session, clock()) == 0  # no error: the teacher's change stands
    assert in_hand.status == "active"
    session.expire_all()
    with step(session):
        assert workflow.complete_due(session, clock()) == 1
    assert session.get(GrowthPlan, plan.id).status == "complete"


def test_comments_on_a_goal_from_the_teacher_and_their_coach(build, grow, session, clock):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="active", coach=coach)
    goal_id = session.get(GrowthPlan, plan.id).goals[0].id
    with step(session):
        workflow.add_comment(session, goal_id, me(session, coach), body="How did Tuesday go?", now=clock())
        workflow.add_comment(session, goal_id, me(session, teacher), body="Better: 60%.", now=clock())
    with pytest.raises(InvalidInput), step(session):
        workflow.add_comment(session, goal_id, me(session, teacher), body="  ", now=clock())
    said = session.scalars(
        select(GoalComment.body).where(GoalComment.goal_id == goal_id, GoalComment.kind == "comment")
    ).all()
    assert said == ["How did Tuesday go?", "Better: 60%."]
    assert date(2026, 9, 1) == clock().date()
