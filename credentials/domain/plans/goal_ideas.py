"""Goal ideas: the goals of the template a plan was started from that the teacher has not used yet. "Use this goal"
fills the new-goal form with the idea; saving it adds the goal and the learning actions the template suggests for it.

An idea counts as used when one of the plan's goals was adopted from it (``Goal.template_goal_id``, however the
teacher rewrote it since), or when the teacher wrote the same goal themselves: its statement, or its focus and
measure, word for word (case and spacing aside).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...storage.models import Goal, GrowthPlan, MicroCredential, MicroCredentialVersion, PlanTemplateGoal, User
from ..errors import NotFound
from . import plans
from .plans import GoalInput
from .vocabulary import MICROCREDENTIAL


@dataclass(frozen=True)
class GoalIdea:
    """A template goal the teacher may use: what it says, and the learning actions it suggests, in words."""

    id: int
    statement: str
    focus: tuple[str, ...]
    measure_what: str
    measure_unit: str
    how_measured: str
    actions: tuple[str, ...]


def ideas(session: Session, plan: GrowthPlan) -> list[GoalIdea]:
    """The template's goals not yet used in ``plan`` (none for a plan not started from a template)."""
    if plan.template_id is None:
        return []
    template_goals = _template_goals(session, plan.template_id)
    used = _used(session, plan.id)
    titles = _titles(session, {a.microcredential_id for g in template_goals for a in g.actions if a.microcredential_id})
    found = []
    for goal in template_goals:
        keys = {goal.id, _key_statement(goal.statement), _key_measure(goal.focus, goal.measure_what)}
        if keys & used:
            continue
        actions = tuple(
            titles[a.microcredential_id] if a.kind == MICROCREDENTIAL else (a.description or "")
            for a in goal.actions
            if a.kind != MICROCREDENTIAL or a.microcredential_id in titles
        )
        found.append(
            GoalIdea(
                id=goal.id,
                statement=goal.statement,
                focus=tuple(goal.focus or ()),
                measure_what=goal.measure_what or "",
                measure_unit=goal.measure_unit or "",
                how_measured=goal.how_measured or "",
                actions=actions,
            )
        )
    return found


def idea_input(session: Session, plan: GrowthPlan, idea_id: int) -> GoalInput:
    """The new-goal form filled in from one of the plan's ideas (the numbers and date are the teacher's to give)."""
    idea = _idea(session, plan, idea_id)
    return GoalInput(
        statement=idea.statement,
        focus=list(idea.focus or []),
        measure_what=idea.measure_what or "",
        measure_unit=idea.measure_unit or "",
        how_measured=idea.how_measured or "",
    )


def add_goal_from_idea(
    session: Session, plan_id: int, teacher: User, idea_id: int, data: GoalInput, *, now: datetime
) -> Goal:
    """Add the goal as the teacher wrote it from an idea, with the learning actions the template suggests for it
    (those whose micro-credential is no longer published are left out)."""
    plan = plans.get_plan(session, plan_id)
    idea = _idea(session, plan, idea_id)
    goal = plans.add_goal(session, plan_id, teacher, data, now=now)
    goal.template_goal_id = idea.id
    published = _titles(session, {a.microcredential_id for a in idea.actions if a.microcredential_id})
    rows = session.execute(select(MicroCredential.id, MicroCredential.slug).where(MicroCredential.id.in_(published)))
    slugs = {mc_id: slug for mc_id, slug in rows}
    for action in idea.actions:
        if action.kind == MICROCREDENTIAL:
            if action.microcredential_id in slugs:
                plans.add_action(
                    session, goal.id, teacher, kind=action.kind, slug=slugs[action.microcredential_id], now=now
                )
        elif action.description:
            plans.add_action(session, goal.id, teacher, kind=action.kind, description=action.description, now=now)
    return goal


def _idea(session: Session, plan: GrowthPlan, idea_id: int | None) -> PlanTemplateGoal:
    idea = session.get(PlanTemplateGoal, idea_id) if idea_id is not None else None
    if idea is None or plan.template_id is None or idea.template_id != plan.template_id:
        raise NotFound("That goal idea is not one of your plan's.")
    return idea


def _template_goals(session: Session, template_id: int) -> list[PlanTemplateGoal]:
    return list(
        session.scalars(
            select(PlanTemplateGoal)
            .where(PlanTemplateGoal.template_id == template_id)
            .options(selectinload(PlanTemplateGoal.actions))
            .order_by(PlanTemplateGoal.position)
        )
    )


def _used(session: Session, plan_id: int) -> set:
    """What the plan's goals use up: the ids of the template goals they were adopted from, and their words."""
    used: set = set()
    for statement, focus, measure_what, template_goal_id in session.execute(
        select(Goal.statement, Goal.focus, Goal.measure_what, Goal.template_goal_id).where(Goal.plan_id == plan_id)
    ):
        if template_goal_id is not None:
            used.add(template_goal_id)
        used.add(_key_statement(statement))
        used.add(_key_measure(focus, measure_what))
    return used


def _key_statement(statement: str) -> tuple:
    return ("statement", " ".join((statement or "").split()).casefold())


def _key_measure(focus, measure_what: str) -> tuple:
    return ("measure", tuple(sorted(focus or [])), " ".join((measure_what or "").split()).casefold())


def _titles(session: Session, ids: set) -> dict[int, str]:
    """Published micro-credentials among ``ids`` -> the title of their published version."""
    if not ids:
        return {}
    rows = session.execute(
        select(MicroCredentialVersion.microcredential_id, MicroCredentialVersion.title).where(
            MicroCredentialVersion.microcredential_id.in_(ids), MicroCredentialVersion.status == "published"
        )
    )
    return dict(rows.all())
