"""The "earned" note: when a teacher is issued a credential for a micro-credential that a goal of their plan for
the current school year lists as a learning action (and the plan is not complete), the goal's thread says so, in the
same transaction as the issuance. Called once, from the issuance pipeline, for every way a credential is issued
(an earned review, a district record, a CSV file)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...storage.models import Goal, GoalAction, GoalComment, GrowthPlan, User
from ...storage.models.issuance import IssuedCredential
from ...text.dates import us_date
from ..people.organizations import district_time_zone
from .school_years import current_school_year
from .vocabulary import COMPLETE, EARNED, MICROCREDENTIAL


def note_earned(session: Session, credential: IssuedCredential, *, now: datetime) -> list[GoalComment]:
    """Add an "earned" note to each goal of the recipient's current plan that lists this micro-credential; returns
    the notes added (none for a credential already noted on that goal)."""
    teacher_id = credential.recipient_id or _account_of(session, credential.recipient_email)
    if teacher_id is None:
        return []
    year = current_school_year(session, now)
    if year is None:
        return []
    version = credential.version
    goal_ids = session.scalars(
        select(Goal.id)
        .join(GrowthPlan, GrowthPlan.id == Goal.plan_id)
        .join(GoalAction, GoalAction.goal_id == Goal.id)
        .where(
            GrowthPlan.teacher_id == teacher_id,
            GrowthPlan.school_year_id == year.id,
            GrowthPlan.status != COMPLETE,
            GoalAction.kind == MICROCREDENTIAL,
            GoalAction.microcredential_id == version.microcredential_id,
        )
        .distinct()
        .order_by(Goal.id)
    ).all()
    if not goal_ids:
        return []
    body = f"Earned “{version.title}” on {us_date(credential.awarded_at, district_time_zone(session))}."
    # The same record issued again (a retry, a second path) must not say it twice on one goal.
    noted = set(
        session.scalars(
            select(GoalComment.goal_id).where(
                GoalComment.goal_id.in_(goal_ids), GoalComment.kind == EARNED, GoalComment.body == body
            )
        )
    )
    notes = [
        GoalComment(goal_id=goal_id, author_id=None, kind=EARNED, body=body, created_at=now)
        for goal_id in goal_ids
        if goal_id not in noted
    ]
    session.add_all(notes)
    session.flush()
    return notes


def _account_of(session: Session, email: str) -> int | None:
    """The account a district record's e-mail address belongs to, if any (addresses compare without case)."""
    return session.scalar(select(User.id).where(func.lower(User.email) == (email or "").strip().lower()).limit(1))
