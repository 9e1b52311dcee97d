"""How each micro-credential planned as a goal's learning action stands for the plan's teacher, live from their
attempts: not started, draft, submitted (or in review), not yet, earned. One query for a whole plan."""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from ...storage.models import Attempt, Goal, GoalAction, GrowthPlan
from ..portfolio import statuses
from .vocabulary import MICROCREDENTIAL, NOT_STARTED, STATE_DRAFT, STATE_EARNED, STATE_NOT_YET, STATE_SUBMITTED

_STATE_OF_ATTEMPT = {
    statuses.DRAFT: STATE_DRAFT,
    statuses.SUBMITTED: STATE_SUBMITTED,
    statuses.IN_REVIEW: STATE_SUBMITTED,
    statuses.NOT_YET: STATE_NOT_YET,
    statuses.EARNED: STATE_EARNED,
}


def microcredential_states(session: Session, plan_id: int) -> dict[int, str]:
    """Action id -> state, for every micro-credential action of the plan: earned if any attempt earned it, else
    where the newest attempt (withdrawn ones aside) stands, else not started."""
    rows = session.execute(
        select(GoalAction.id, Attempt.status)
        .join(Goal, Goal.id == GoalAction.goal_id)
        .join(GrowthPlan, GrowthPlan.id == Goal.plan_id)
        .outerjoin(
            Attempt,
            and_(
                Attempt.microcredential_id == GoalAction.microcredential_id,
                Attempt.teacher_id == GrowthPlan.teacher_id,
                Attempt.status != statuses.WITHDRAWN,
            ),
        )
        .where(Goal.plan_id == plan_id, GoalAction.kind == MICROCREDENTIAL)
        .order_by(GoalAction.id, Attempt.number)
    ).all()
    states: dict[int, str] = {}
    for action_id, status in rows:
        if states.get(action_id) == STATE_EARNED:
            continue
        states[action_id] = _STATE_OF_ATTEMPT.get(status, NOT_STARTED) if status else NOT_STARTED
    return states
