"""A teacher's public goals: the hook for the public profile (issue 21, not built yet).

The profile page should call ``public_goals(session, teacher_id, now=now)`` and list what it returns: the goals of
the teacher's plan for the current school year that they declared to everyone, as a visitor without an account may
see them (visibility.declared_to(None): not a draft, the teacher active, visibility ``public``), with the measure's
numbers only when the teacher shares progress. Nothing else of the plan is public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.models import Goal, GrowthPlan, User
from .goals_board import GoalNumbers, goal_numbers, latest_check_ins
from .plans import focus_options
from .school_years import current_school_year
from .visibility import declared_to


@dataclass(frozen=True)
class PublicGoal:
    """One goal as the public profile shows it."""

    goal_id: int
    statement: str
    focus: list[str]  # the focuses in words, in the teacher's order
    target_date: date
    numbers: GoalNumbers | None  # None unless the teacher shares progress


def public_goals(session: Session, teacher_id: int, *, now: datetime) -> list[PublicGoal]:
    """The teacher's public goals of the current school year, in the plan's order (empty when there are none)."""
    year = current_school_year(session, now)
    if year is None:
        return []
    goals = session.scalars(
        select(Goal)
        .join(GrowthPlan, GrowthPlan.id == Goal.plan_id)
        .join(User, User.id == GrowthPlan.teacher_id)
        .where(User.id == teacher_id, GrowthPlan.school_year_id == year.id, declared_to(None))
        .order_by(Goal.position)
    ).all()
    if not goals:
        return []
    labels = dict(focus_options(session))
    latest = latest_check_ins(session, [goal.id for goal in goals if goal.share_progress])
    return [
        PublicGoal(
            goal_id=goal.id,
            statement=goal.statement,
            focus=[labels.get(key, key.partition(":")[2] or key) for key in goal.focus],
            target_date=goal.target_date,
            numbers=goal_numbers(goal, latest.get(goal.id)),
        )
        for goal in goals
    ]
