"""A plan's workflow, as in Moodle's learning plans: draft -> waiting for review -> in review -> active -> complete.

The teacher asks for a review (and may take the request back until a coach starts); one of their coaches starts the
review, then approves the plan (with comments) or sends it back to draft with comments. An active plan is completed
with a final reflection and the end measure of each goal, by the teacher or a coach, or by ``complete_due`` once its
school year has ended; a coach may reopen it while the year lasts. Every step is audited, written on each goal's
thread, and e-mailed to the other party. Each step is a conditional UPDATE on the plan's revision, so of two coaches
acting at once one succeeds and the other is told.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.models import GoalComment, GrowthPlan, SchoolYear, User
from ..audit import Actor, record_event
from ..errors import Conflict, InvalidInput, PermissionDenied
from ..letters import Letter, emails, letterhead, queue_letter
from ..people import coaching
from .checkins import measure_number
from .plans import audit_plan, bump, changed_meanwhile, find_goal, get_plan
from .school_years import today
from .vocabulary import (
    ACTIVE,
    APPROVED,
    COMPLETE,
    COMPLETED,
    DRAFT,
    IN_REVIEW,
    PLAN_STATUS_LABELS,
    REOPENED,
    REVIEW_CANCELLED,
    REVIEW_REQUESTED,
    REVIEW_STARTED,
    SENT_BACK,
    WAITING_FOR_REVIEW,
)

MAX_COMMENT = 5000


@dataclass(frozen=True)
class GoalEnding:
    """What a goal came to when its plan is completed: the measure's end value and a final reflection."""

    end_value: float | str | None
    reflection: str


def request_review(
    session: Session, plan_id: int, teacher: User, *, note: str = "", seen: int | None = None, now: datetime
) -> GrowthPlan:
    """The teacher asks their coaches to review the draft plan (it needs at least one goal)."""
    plan = _teachers_plan(session, plan_id, teacher)
    _expect(plan, seen, (DRAFT,), "Only a draft plan can be sent for review.")
    if not plan.goals:
        raise InvalidInput({"goals": "Add at least one goal before asking for a review."})
    note = _words(note, "note")
    bump(session, plan, now, seen=seen, status=WAITING_FOR_REVIEW, review_requested_at=now, reviewer_id=None)
    _thread(session, plan, teacher, REVIEW_REQUESTED, {}, now, default=note)
    audit_plan(session, teacher, plan, now, action="plan.request_review", summary={"note": note or None})
    for coach in coaching.coaches_of(session, teacher):
        _tell(session, coach, emails.plan_review_requested, now, coach=coach.name, teacher=teacher.name, plan=plan)
    return plan


def cancel_request(
    session: Session, plan_id: int, teacher: User, *, seen: int | None = None, now: datetime
) -> GrowthPlan:
    """The teacher takes back their request for a review, before a coach has started it; the plan is a draft again."""
    plan = _teachers_plan(session, plan_id, teacher)
    if plan.status == IN_REVIEW and (seen is None or seen == plan.revision):
        coach = session.get(User, plan.reviewer_id) if plan.reviewer_id else None
        raise Conflict(
            f"{coach.name if coach else 'Your coach'} has already started reviewing your plan, so the request can no "
            "longer be taken back. Wait until they approve it or send it back."
        )
    _expect(plan, seen, (WAITING_FOR_REVIEW,), "This plan is not waiting for a review.")
    bump(session, plan, now, seen=seen, status=DRAFT, review_requested_at=None)
    _thread(session, plan, teacher, REVIEW_CANCELLED, {}, now)
    audit_plan(session, teacher, plan, now, action="plan.cancel_request", summary={})
    for coach in coaching.coaches_of(session, teacher):
        _tell(session, coach, emails.plan_review_cancelled, now, coach=coach.name, teacher=teacher.name, plan=plan)
    return plan


def start_review(session: Session, plan_id: int, coach: User, *, seen: int | None = None, now: datetime) -> GrowthPlan:
    """A coach of the teacher starts reviewing a plan waiting for review."""
    plan = get_plan(session, plan_id)
    teacher = _coached_teacher(session, plan, coach)
    _expect(plan, seen, (WAITING_FOR_REVIEW,), "This plan is not waiting for a review.")
    bump(session, plan, now, seen=seen, status=IN_REVIEW, reviewer_id=coach.id)
    _thread(session, plan, coach, REVIEW_STARTED, {}, now)
    audit_plan(session, coach, plan, now, action="plan.start_review", summary={})
    _tell(session, teacher, emails.plan_review_started, now, teacher=teacher.name, coach=coach.name, plan=plan)
    return plan


def approve(
    session: Session,
    plan_id: int,
    coach: User,
    *,
    comments: Mapping[int, str] | None = None,
    seen: int | None = None,
    now: datetime,
) -> GrowthPlan:
    """A coach approves the plan (waiting for or in review), with optional comments per goal; it becomes active."""
    plan = get_plan(session, plan_id)
    teacher = _coached_teacher(session, plan, coach)
    _expect(plan, seen, (WAITING_FOR_REVIEW, IN_REVIEW), "Only a plan sent for review can be approved.")
    said = _goal_comments(plan, comments or {})
    bump(session, plan, now, seen=seen, status=ACTIVE, reviewer_id=coach.id, approved_at=now, approved_by_id=coach.id)
    _thread(session, plan, coach, APPROVED, said, now)
    audit_plan(session, coach, plan, now, action="plan.approve", summary={"comments": len(said)})
    _tell(
        session, teacher, emails.plan_approved, now, teacher=teacher.name, coach=coach.name, plan=plan,
        comments=[said[g.id] for g in plan.goals if g.id in said],
    )  # fmt: skip
    return plan


def send_back(
    session: Session, plan_id: int, coach: User, *, comments: Mapping[int, str], seen: int | None = None, now: datetime
) -> GrowthPlan:
    """A coach sends the plan back to draft with comments (at least one) on what to change."""
    plan = get_plan(session, plan_id)
    teacher = _coached_teacher(session, plan, coach)
    _expect(plan, seen, (WAITING_FOR_REVIEW, IN_REVIEW), "Only a plan sent for review can be sent back.")
    said = _goal_comments(plan, comments)
    if not said:
        raise InvalidInput({"comments": "Write at least one comment saying what to change before sending it back."})
    bump(session, plan, now, seen=seen, status=DRAFT, reviewer_id=None, review_requested_at=None)
    _thread(session, plan, coach, SENT_BACK, said, now)
    audit_plan(session, coach, plan, now, action="plan.send_back", summary={"comments": len(said)})
    _tell(
        session, teacher, emails.plan_sent_back, now, teacher=teacher.name, coach=coach.name, plan=plan,
        comments=[said[g.id] for g in plan.goals if g.id in said],
    )  # fmt: skip
    return plan


def complete(
    session: Session,
    plan_id: int,
    user: User,
    *,
    endings: Mapping[int, GoalEnding],
    seen: int | None = None,
    now: datetime,
) -> GrowthPlan:
    """The teacher (or one of their coaches) completes the active plan with each goal's end measure and a final
    reflection; the plan is then kept as it is."""
    plan = get_plan(session, plan_id)
    teacher = session.get(User, plan.teacher_id)
    if user.id != plan.teacher_id:
        _coached_teacher(session, plan, user)
    _expect(plan, seen, (ACTIVE,), "Only an active plan can be completed.")
    errors: dict[str, str] = {}
    values: dict[int, tuple[float, str]] = {}
    for goal in plan.goals:
        ending = endings.get(goal.id) or GoalEnding(None, "")
        number = measure_number(ending.end_value)
        reflection = (ending.reflection or "").strip()
        if number is None:
            errors[f"goals.{goal.id}.end_value"] = (
                f"Enter where the measure ended for goal {goal.position}, in {goal.measure_unit}, as a number."
            )
        if not reflection:
            errors[f"goals.{goal.id}.reflection"] = (
                f"Write a final reflection on goal {goal.position}: what changed, and what you learned."
            )
        elif len(reflection) > MAX_COMMENT:
            errors[f"goals.{goal.id}.reflection"] = "Keep the reflection to 5,000 characters."
        if number is not None and reflection:
            values[goal.id] = (number, reflection)
    if errors:
        raise InvalidInput(errors)
    bump(session, plan, now, seen=seen, status=COMPLETE, completed_at=now, completed_by_id=user.id)
    for goal in plan.goals:
        goal.end_value, goal.final_reflection = values[goal.id]
    _thread(session, plan, user, COMPLETED, {goal_id: text for goal_id, (_, text) in values.items()}, now)
    audit_plan(session, user, plan, now, action="plan.complete", summary={"year_ended": False})
    if user.id == teacher.id:
        for coach in _coaches_to_tell(session, plan, teacher):
            _tell(
                session, coach, emails.plan_completed, now, to=coach.name, by=teacher.name, plan=plan, year_ended=False
            )
    else:
        _tell(session, teacher, emails.plan_completed, now, to=teacher.name, by=user.name, plan=plan, year_ended=False)
    return plan


def reopen(
    session: Session, plan_id: int, coach: User, *, comment: str = "", seen: int | None = None, now: datetime
) -> GrowthPlan:
    """A coach reopens a complete plan while its school year lasts; it is active again."""
    plan = get_plan(session, plan_id)
    teacher = _coached_teacher(session, plan, coach)
    _expect(plan, seen, (COMPLETE,), "Only a complete plan can be reopened.")
    if plan.school_year.ends_on < today(session, now):
        raise Conflict(f"The {plan.school_year.name} school year has ended, so its plans stay complete.")
    comment = _words(comment, "comment")
    bump(session, plan, now, seen=seen, status=ACTIVE, completed_at=None, completed_by_id=None)
    _thread(session, plan, coach, REOPENED, {}, now, default=comment)
    audit_plan(session, coach, plan, now, action="plan.reopen", summary={})
    _tell(session, teacher, emails.plan_reopened, now, teacher=teacher.name, coach=coach.name, plan=plan)
    return plan


def add_comment(session: Session, goal_id: int, author: User, *, body: str, now: datetime) -> GoalComment:
    """A comment on a goal's thread, by the teacher or one of their coaches."""
    goal = find_goal(session, goal_id)
    plan = goal.plan
    if author.id != plan.teacher_id:
        _coached_teacher(session, plan, author)
    body = (body or "").strip()
    if not body:
        raise InvalidInput({"body": "Write the comment first."})
    if len(body) > MAX_COMMENT:
        raise InvalidInput({"body": "Keep the comment to 5,000 characters."})
    entry = GoalComment(goal_id=goal.id, author_id=author.id, kind="comment", body=body, created_at=now)
    session.add(entry)
    session.flush()
    audit_plan(session, author, plan, now, action="plan.comment", summary={"goal": goal.id, "comment": entry.id})
    return entry


def complete_due(session: Session, now: datetime) -> int:
    """Complete (and so freeze) every active plan whose school year has ended; returns how many."""
    ended = select(SchoolYear.id).where(SchoolYear.ends_on < today(session, now))
    plans = session.scalars(
        select(GrowthPlan)
        .where(GrowthPlan.status == ACTIVE, GrowthPlan.school_year_id.in_(ended))
        .order_by(GrowthPlan.id)
    ).all()
    robot = Actor.system("plans")
    completed = 0
    for plan in plans:
        try:
            bump(session, plan, now, status=COMPLETE, completed_at=now, completed_by_id=None)
        except Conflict:  # another run (or a person) moved it meanwhile: theirs stands
            continue
        completed += 1
        _thread(session, plan, None, COMPLETED, {}, now, default=f"The {plan.school_year.name} school year ended.")
        record_event(
            session, actor=robot, action="plan.complete_due", subject_type="growth_plan", subject_id=plan.id,
            summary={"teacher": plan.teacher_id, "school_year": plan.school_year.name}, now=now,
        )  # fmt: skip
        teacher = session.get(User, plan.teacher_id)
        _tell(session, teacher, emails.plan_completed, now, to=teacher.name, by="", plan=plan, year_ended=True)
    return completed


def _teachers_plan(session: Session, plan_id: int, teacher: User) -> GrowthPlan:
    plan = get_plan(session, plan_id)
    if plan.teacher_id != teacher.id:
        raise PermissionDenied("Only the plan's teacher may do this.")
    return plan


def _coached_teacher(session: Session, plan: GrowthPlan, coach: User) -> User:
    """The plan's teacher, if ``coach`` coaches them; else PermissionDenied (a 403)."""
    teacher = session.get(User, plan.teacher_id)
    if not coaching.may_coach(session, coach, teacher):
        raise PermissionDenied(f"You do not coach {teacher.name}, so you cannot review or change their plan.")
    return teacher


def _expect(plan: GrowthPlan, seen: int | None, statuses: tuple[str, ...], sentence: str) -> None:
    if seen is not None and seen != plan.revision:
        raise changed_meanwhile(plan)
    if plan.status not in statuses:
        raise Conflict(f"{sentence} This plan is “{PLAN_STATUS_LABELS.get(plan.status, plan.status)}”.")


def _words(text: str, field: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_COMMENT:
        raise InvalidInput({field: "Keep it to 5,000 characters."})
    return text


def _goal_comments(plan: GrowthPlan, comments: Mapping[int, str]) -> dict[int, str]:
    """The non-empty comments, by goal id, for goals of this plan."""
    ids = {goal.id for goal in plan.goals}
    said = {goal_id: (text or "").strip() for goal_id, text in comments.items() if goal_id in ids}
    said = {goal_id: text for goal_id, text in said.items() if text}
    if too_long := [goal_id for goal_id, text in said.items() if len(text) > MAX_COMMENT]:
        raise InvalidInput({f"comments.{too_long[0]}": "Keep each comment to 5,000 characters."})
    return said


def _thread(
    session: Session,
    plan: GrowthPlan,
    author: User | None,
    kind: str,
    said: Mapping[int, str],
    now: datetime,
    *,
    default: str = "",
) -> None:
    """Write the step on every goal's thread, with what was said about that goal (or ``default``)."""
    for goal in plan.goals:
        body = said.get(goal.id, default)
        session.add(
            GoalComment(goal_id=goal.id, author_id=author.id if author else None, kind=kind, body=body, created_at=now)
        )
    session.flush()


def _coaches_to_tell(session: Session, plan: GrowthPlan, teacher: User) -> list[User]:
    """The coach who approved or reviews the plan, if still one of the teacher's; else all their coaches."""
    coaches = coaching.coaches_of(session, teacher)
    chosen = [c for c in coaches if c.id in (plan.approved_by_id, plan.reviewer_id)]
    return chosen or coaches


def _tell(session: Session, recipient: User, write, now: datetime, *, plan: GrowthPlan, **words) -> None:
    """Queue the letter ``write`` makes to ``recipient`` (sent only if the transaction commits)."""
    letter: Letter = write(letterhead(session), year=plan.school_year.name, plan_id=plan.id, **words)
    queue_letter(session, letter, kind="growth_plan", recipient=recipient.email, now=now)
