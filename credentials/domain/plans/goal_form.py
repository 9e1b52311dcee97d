"""What the form to add or change a goal shows: the values (a goal's, an idea's, or what was typed), the focus to
choose from, who may see the goal, and the school year a target date must fall in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ...storage.models import User
from ..errors import Conflict, PermissionDenied
from . import goal_ideas
from .plans import GoalInput, find_goal, focus_options, get_plan
from .vocabulary import EDITABLE_STATUSES, MAX_GOALS, VISIBILITIES, VISIBILITY_LABELS


@dataclass(frozen=True)
class GoalForm:
    plan_id: int
    goal_id: int | None
    position: int
    idea_id: int | None
    idea_actions: tuple[str, ...]
    values: GoalInput
    focus_options: tuple[tuple[str, str], ...]
    visibility_options: tuple[tuple[str, str], ...]
    school_year: str
    year_starts_on: date
    year_ends_on: date


def goal_form(
    session: Session,
    teacher: User,
    *,
    plan_id: int | None = None,
    goal_id: int | None = None,
    idea_id: int | None = None,
    typed: GoalInput | None = None,
) -> GoalForm:
    """The form for a new goal of plan ``plan_id`` (filled from idea ``idea_id``, if given) or for goal ``goal_id``;
    ``typed``: what the teacher sent, to draw the form again after a refusal."""
    goal = find_goal(session, goal_id) if goal_id is not None else None
    plan = get_plan(session, goal.plan_id if goal else plan_id)
    if plan.teacher_id != teacher.id:
        raise PermissionDenied("Only the plan's teacher may change its goals.")
    if plan.status not in EDITABLE_STATUSES:
        raise Conflict(
            "Your plan is with your coach for review, or complete, so its goals cannot be changed now."
            if plan.status != "complete"
            else "This plan is complete, so it is kept as it was."
        )
    if goal is None and len(plan.goals) >= MAX_GOALS:
        raise Conflict(f"Your plan already has {MAX_GOALS} goals, the most a plan may have.")
    idea = None
    if idea_id is not None and goal is None:
        idea = next((i for i in goal_ideas.ideas(session, plan) if i.id == idea_id), None)
    values = typed or (_values_of(goal) if goal else None)
    if values is None:
        values = goal_ideas.idea_input(session, plan, idea.id) if idea else GoalInput()
    return GoalForm(
        plan_id=plan.id,
        goal_id=goal.id if goal else None,
        position=goal.position if goal else len(plan.goals) + 1,
        idea_id=idea.id if idea else None,
        idea_actions=idea.actions if idea else (),
        values=values,
        focus_options=tuple(focus_options(session)),
        visibility_options=tuple((v, VISIBILITY_LABELS[v]) for v in VISIBILITIES),
        school_year=plan.school_year.name,
        year_starts_on=plan.school_year.starts_on,
        year_ends_on=plan.school_year.ends_on,
    )


def _values_of(goal) -> GoalInput:
    return GoalInput(
        statement=goal.statement,
        focus=list(goal.focus or []),
        measure_what=goal.measure_what,
        measure_unit=goal.measure_unit,
        baseline=f"{goal.baseline:g}",
        target=f"{goal.target:g}",
        how_measured=goal.how_measured,
        target_date=goal.target_date,
        support_requested=goal.support_requested or "",
        visibility=goal.visibility,
        share_progress=goal.share_progress,
    )
