"""Who may see a goal, in one place: as a yes/no for one goal (the goal page) and as a SQL condition (the goals
boards), so a page and a board never disagree.

- The teacher and their coaches see every goal of the plan, with its numbers.
- Anyone else signed in sees a goal the teacher declared: one whose plan has gone to review at least once (no longer a
  draft), whose teacher is active, and whose visibility reaches them: ``school`` for people at the teacher's school,
  ``district`` and ``public`` for everyone in the district. Only ``public`` goals reach visitors without an account
  (the teacher's public profile).
- The measure's numbers and the check-ins are shown beyond the teacher and coaches only when the teacher switched
  ``share_progress`` on.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_
from sqlalchemy.orm import Session

from ...storage.models import Goal, GrowthPlan, User
from ..people import coaching
from .vocabulary import DISTRICT, DRAFT, PRIVATE, PUBLIC, SCHOOL


@dataclass(frozen=True)
class GoalSight:
    """What one viewer may see of one goal."""

    goal: bool  # the statement, focus and learning actions
    numbers: bool  # the measure's baseline, target, check-ins and chart
    whole_plan: bool  # the teacher or one of their coaches: everything, and the thread

    @classmethod
    def nothing(cls) -> GoalSight:
        return cls(goal=False, numbers=False, whole_plan=False)


def goal_sight(session: Session, goal: Goal, plan: GrowthPlan, teacher: User, viewer: User | None) -> GoalSight:
    """What ``viewer`` (None: a visitor without an account) may see of ``goal``."""
    if viewer is not None and (viewer.id == teacher.id or coaching.may_coach(session, viewer, teacher)):
        return GoalSight(goal=True, numbers=True, whole_plan=True)
    if plan.status == DRAFT or not teacher.is_active or teacher.deactivated_at is not None:
        return GoalSight.nothing()
    if goal.visibility == PUBLIC:
        reaches = True
    elif viewer is None or not viewer.is_active or goal.visibility == PRIVATE:
        reaches = False
    elif goal.visibility == SCHOOL:
        reaches = viewer.school_id == teacher.school_id
    else:
        reaches = goal.visibility == DISTRICT
    return GoalSight(goal=reaches, numbers=reaches and goal.share_progress, whole_plan=False)


def declared_to(viewer: User | None) -> ColumnElement[bool]:
    """The SQL condition a goal meets when ``viewer`` may see it as a declared goal (not as its teacher or coach):
    for queries that join Goal to its GrowthPlan and to the teacher's User row."""
    declared = and_(GrowthPlan.status != DRAFT, User.is_active.is_(True), User.deactivated_at.is_(None))
    if viewer is None:
        return and_(declared, Goal.visibility == PUBLIC)
    if not viewer.is_active:
        return false()
    return and_(
        declared,
        or_(
            Goal.visibility.in_((DISTRICT, PUBLIC)),
            and_(Goal.visibility == SCHOOL, User.school_id == viewer.school_id),
        ),
    )
