"""A plan's goals ready to show: the statement, the focus in words, the measure as a sentence ("Exit-ticket mastery
on fractions: from 48% to 75% by May 28, 2027"), the learning actions with their live state, the coach's last word.
A fixed number of queries for all the goals of a plan."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ...storage.models import CheckIn, Goal, GoalComment, GrowthPlan, MicroCredential, MicroCredentialVersion
from ...text.dates import us_date
from .action_states import microcredential_states
from .plans import COMPETENCY, TAG, focus_options
from .vocabulary import (
    ACTION_KIND_LABELS,
    ACTION_STATE_LABELS,
    APPROVED,
    MICROCREDENTIAL,
    SENT_BACK,
    VISIBILITY_LABELS,
)

PERCENT_UNITS = frozenset({"%", "percent", "per cent", "percentage", "percent of students"})


@dataclass(frozen=True)
class ActionView:
    """A learning action as the page shows it; ``state`` only for micro-credentials."""

    id: int
    kind: str
    kind_label: str
    text: str
    slug: str | None
    state: str | None
    state_label: str | None


@dataclass(frozen=True)
class GoalView:
    """One goal, ready to show: statement, focus labels, the measure as a sentence, actions, sharing."""

    id: int
    position: int
    statement: str
    focus: tuple[str, ...]
    focus_labels: tuple[str, ...]
    measure_what: str
    measure_unit: str
    baseline: float
    target: float
    measure_sentence: str
    how_measured: str
    target_date: date
    support_requested: str
    visibility: str
    visibility_label: str
    share_progress: bool
    actions: tuple[ActionView, ...]
    check_ins: int
    end_value_text: str | None
    final_reflection: str | None
    coach_word: str | None  # what the coach said last when sending the plan back or approving it


def goal_views(session: Session, plan: GrowthPlan, *, with_states: bool, only: int | None = None) -> list[GoalView]:
    """The plan's goals (or only the goal ``only``) ready to show, in a fixed number of queries."""
    goals = session.scalars(
        select(Goal)
        .where(Goal.plan_id == plan.id, *([Goal.id == only] if only is not None else []))
        .options(selectinload(Goal.actions))
        .order_by(Goal.position)
    ).all()
    if not goals:
        return []
    ids = [goal.id for goal in goals]
    labels = dict(focus_options(session))
    mc_ids = {a.microcredential_id for goal in goals for a in goal.actions if a.microcredential_id}
    titles = microcredential_titles(session, mc_ids)
    states = microcredential_states(session, plan.id) if with_states else {}
    counts = dict(
        session.execute(
            select(CheckIn.goal_id, func.count()).where(CheckIn.goal_id.in_(ids)).group_by(CheckIn.goal_id)
        ).all()
    )
    words = _coach_words(session, ids)
    return [_goal_view(goal, labels, titles, states, counts.get(goal.id, 0), words.get(goal.id)) for goal in goals]


def microcredential_titles(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Micro-credential id -> (slug, title of its newest version), in one query."""
    ids = set(ids)
    if not ids:
        return {}
    rows = session.execute(
        select(MicroCredential.id, MicroCredential.slug, MicroCredentialVersion.title)
        .join(MicroCredentialVersion, MicroCredentialVersion.microcredential_id == MicroCredential.id)
        .where(MicroCredential.id.in_(ids))
        .order_by(MicroCredentialVersion.number)
    ).all()
    return {mc_id: (slug, title) for mc_id, slug, title in rows}  # the newest version comes last, so it stays


def focus_label(key: str, labels: dict[str, str]) -> str:
    """A focus key as people read it: the tag, or the micro-credential's title."""
    return labels.get(key) or key.removeprefix(TAG).removeprefix(COMPETENCY)


def value_text(value: float | None, unit: str) -> str:
    """A measure's value with its unit: "48%", "12 minutes"."""
    if value is None:
        return ""
    number = f"{value:,.2f}".rstrip("0").rstrip(".")
    unit = (unit or "").strip()
    if unit.lower() in PERCENT_UNITS:
        return f"{number}%"
    return f"{number} {unit}".strip()


def measure_sentence(goal: Goal) -> str:
    """ "Exit-ticket mastery on fractions: from 48% to 75% by May 28, 2027"."""
    return (
        f"{goal.measure_what}: from {value_text(goal.baseline, goal.measure_unit)} to "
        f"{value_text(goal.target, goal.measure_unit)} by {us_date(goal.target_date)}"
    )


def _goal_view(goal: Goal, labels, titles, states, check_ins: int, coach_word: str | None) -> GoalView:
    actions = []
    for action in goal.actions:
        slug = title = None
        if action.kind == MICROCREDENTIAL:
            slug, title = titles.get(action.microcredential_id, (None, "A micro-credential"))
        state = states.get(action.id) if action.kind == MICROCREDENTIAL and states else None
        actions.append(
            ActionView(
                id=action.id,
                kind=action.kind,
                kind_label=ACTION_KIND_LABELS[action.kind],
                text=title if action.kind == MICROCREDENTIAL else (action.description or ""),
                slug=slug,
                state=state,
                state_label=ACTION_STATE_LABELS.get(state) if state else None,
            )
        )
    return GoalView(
        id=goal.id,
        position=goal.position,
        statement=goal.statement,
        focus=tuple(goal.focus or ()),
        focus_labels=tuple(focus_label(key, labels) for key in goal.focus or ()),
        measure_what=goal.measure_what,
        measure_unit=goal.measure_unit,
        baseline=goal.baseline,
        target=goal.target,
        measure_sentence=measure_sentence(goal),
        how_measured=goal.how_measured,
        target_date=goal.target_date,
        support_requested=goal.support_requested or "",
        visibility=goal.visibility,
        visibility_label=VISIBILITY_LABELS.get(goal.visibility, goal.visibility),
        share_progress=goal.share_progress,
        actions=tuple(actions),
        check_ins=check_ins,
        end_value_text=value_text(goal.end_value, goal.measure_unit) if goal.end_value is not None else None,
        final_reflection=goal.final_reflection,
        coach_word=coach_word,
    )


def _coach_words(session: Session, goal_ids: list[int]) -> dict[int, str]:
    """Per goal, the words of the latest "sent back" or "approved" step, if it said anything about the goal."""
    rows = session.execute(
        select(GoalComment.goal_id, GoalComment.kind, GoalComment.body)
        .where(GoalComment.goal_id.in_(goal_ids), GoalComment.kind.in_((SENT_BACK, APPROVED)))
        .order_by(GoalComment.id)
    ).all()
    words: dict[int, str] = {}
    for goal_id, _kind, body in rows:
        words[goal_id] = body
    return {goal_id: body for goal_id, body in words.items() if body}
