"""What the plan page shows, fully loaded: the plan's status in plain words and the next step for whoever looks, each
goal with its measure as a sentence and its learning actions' live state, the buttons each person may use, the goal
ideas of the plan's template and the teacher's suggestions. A fixed number of queries, whatever the number of goals,
actions and check-ins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ...storage.models import (
    CheckIn,
    Goal,
    GoalComment,
    GrowthPlan,
    MicroCredential,
    MicroCredentialVersion,
    SchoolYear,
    User,
)
from ...text.dates import us_date
from ..catalog import microcredentials
from ..errors import NotFound, PermissionDenied
from ..people import coaching
from . import goal_ideas, suggestions
from .action_states import microcredential_states
from .plans import COMPETENCY, TAG, focus_options, get_plan
from .school_years import current_school_year, today
from .vocabulary import (
    ACTION_KIND_LABELS,
    ACTION_STATE_LABELS,
    ACTIVE,
    APPROVED,
    COMPLETE,
    DRAFT,
    EDITABLE_STATUSES,
    IN_REVIEW,
    MAX_GOALS,
    MICROCREDENTIAL,
    PLAN_STATUS_LABELS,
    SENT_BACK,
    VISIBILITY_LABELS,
    WAITING_FOR_REVIEW,
)

PERCENT_UNITS = frozenset({"%", "percent", "per cent", "percentage", "percent of students"})
SUGGESTIONS_SHOWN = 3


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


@dataclass(frozen=True)
class PlanButtons:
    """Which of the plan's buttons the viewer may use now."""

    edit: bool = False
    share: bool = False
    request_review: bool = False
    cancel_request: bool = False
    complete: bool = False
    start_review: bool = False
    review: bool = False  # approve, or send back with comments
    reopen: bool = False
    add_goal: bool = False


@dataclass(frozen=True)
class EarlierPlan:
    id: int
    school_year: str
    status_label: str


@dataclass(frozen=True)
class SuggestionPanel:
    """The few suggested micro-credentials with their reasons, and the one just dismissed (to offer "Undo")."""

    suggestions: tuple[suggestions.Suggestion, ...]
    dismissed_slug: str | None = None
    dismissed_title: str | None = None


@dataclass(frozen=True)
class PlanPage:
    id: int
    revision: int
    status: str
    status_label: str
    next_step: str
    school_year: str
    year_starts_on: date
    year_ends_on: date
    teacher_id: int
    teacher_name: str
    viewer_is_teacher: bool
    review_requested_at: datetime | None
    reviewer_name: str | None
    goals: tuple[GoalView, ...]
    buttons: PlanButtons
    ideas: tuple[goal_ideas.GoalIdea, ...]
    suggestions: SuggestionPanel | None
    earlier: tuple[EarlierPlan, ...]
    microcredential_choices: tuple[tuple[str, str], ...] = ()  # (slug, title) of the published catalog

    @property
    def room_for_goals(self) -> int:
        return MAX_GOALS - len(self.goals)


def plan_page(session: Session, plan_id: int, viewer: User, *, now: datetime, dismissed: str | None = None) -> PlanPage:
    """The plan page for ``viewer`` (its teacher or one of their coaches; anyone else is refused)."""
    plan = get_plan(session, plan_id)
    teacher = session.get(User, plan.teacher_id)
    is_teacher = viewer.id == plan.teacher_id
    is_coach = not is_teacher and coaching.may_coach(session, viewer, teacher)
    if not (is_teacher or is_coach):
        raise PermissionDenied("Only the teacher and their coaches may open this plan.")
    goals = goal_views(session, plan, with_states=True)
    reviewer = session.get(User, plan.reviewer_id) if plan.reviewer_id else None
    year_open = plan.school_year.ends_on >= today(session, now)
    buttons = _buttons(plan, is_teacher, is_coach, year_open)
    panel = None
    if is_teacher and plan.status != COMPLETE:
        focus = [key for goal in goals for key in goal.focus]
        panel = suggestion_panel(session, viewer, goal_focus=focus, dismissed=dismissed, now=now)
    ideas = goal_ideas.ideas(session, plan) if is_teacher and buttons.add_goal else []
    return PlanPage(
        id=plan.id,
        revision=plan.revision,
        status=plan.status,
        status_label=PLAN_STATUS_LABELS[plan.status],
        next_step=_next_step(plan, teacher, reviewer, is_teacher, bool(goals)),
        school_year=plan.school_year.name,
        year_starts_on=plan.school_year.starts_on,
        year_ends_on=plan.school_year.ends_on,
        teacher_id=teacher.id,
        teacher_name=teacher.name,
        viewer_is_teacher=is_teacher,
        review_requested_at=plan.review_requested_at,
        reviewer_name=reviewer.name if reviewer else None,
        goals=tuple(goals),
        buttons=buttons,
        ideas=tuple(ideas),
        suggestions=panel,
        earlier=tuple(_other_plans(session, plan.teacher_id, exclude=plan.id)) if is_teacher else (),
        microcredential_choices=tuple(
            (key.removeprefix(COMPETENCY), label) for key, label in focus_options(session) if key.startswith(COMPETENCY)
        )
        if buttons.edit
        else (),
    )


@dataclass(frozen=True)
class StartPlanPage:
    """The teacher's page without a plan for this school year: the year's dates, and their earlier plans."""

    school_year: str | None
    year_starts_on: date | None
    year_ends_on: date | None
    earlier: tuple[EarlierPlan, ...]


def my_plan(session: Session, teacher: User, *, now: datetime) -> int | StartPlanPage:
    """The id of the teacher's plan for the current school year, or what the page to start one shows."""
    year = current_school_year(session, now)
    if year is not None:
        plan_id = session.scalar(
            select(GrowthPlan.id).where(GrowthPlan.teacher_id == teacher.id, GrowthPlan.school_year_id == year.id)
        )
        if plan_id is not None:
            return plan_id
    return StartPlanPage(
        school_year=year.name if year else None,
        year_starts_on=year.starts_on if year else None,
        year_ends_on=year.ends_on if year else None,
        earlier=tuple(_other_plans(session, teacher.id, exclude=None)),
    )


def suggestion_panel(
    session: Session, teacher: User, *, goal_focus: Iterable[str], dismissed: str | None, now: datetime
) -> SuggestionPanel:
    """The top few suggestions for the teacher (school and team focus: none yet), and the title of the one they just
    dismissed, if it is one they may undo."""
    found = suggestions.suggest(session, teacher, goal_focus=goal_focus, now=now, limit=SUGGESTIONS_SHOWN)
    title = None
    if dismissed:
        try:
            mc = microcredentials.get_microcredential(session, dismissed)
            title = microcredential_titles(session, [mc.id])[mc.id][1]
        except (NotFound, KeyError):
            dismissed = None
    return SuggestionPanel(tuple(found), dismissed if title else None, title)


def current_goal_focus(session: Session, teacher: User, *, now: datetime) -> list[str]:
    """The focus keys of the goals of the teacher's plan for this school year (none without a plan)."""
    year = current_school_year(session, now)
    if year is None:
        return []
    rows = session.scalars(
        select(Goal.focus)
        .join(GrowthPlan, GrowthPlan.id == Goal.plan_id)
        .where(GrowthPlan.teacher_id == teacher.id, GrowthPlan.school_year_id == year.id)
    ).all()
    return [key for focus in rows for key in focus or []]


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


def _buttons(plan: GrowthPlan, is_teacher: bool, is_coach: bool, year_open: bool) -> PlanButtons:
    status = plan.status
    if is_teacher:
        editable = status in EDITABLE_STATUSES
        return PlanButtons(
            edit=editable,
            share=True,
            request_review=status == DRAFT,
            cancel_request=status == WAITING_FOR_REVIEW,
            complete=status == ACTIVE,
            add_goal=editable and len(plan.goals) < MAX_GOALS,
        )
    return PlanButtons(
        start_review=status == WAITING_FOR_REVIEW,
        review=status in (WAITING_FOR_REVIEW, IN_REVIEW),
        complete=status == ACTIVE,
        reopen=status == COMPLETE and year_open,
    )


def _next_step(plan: GrowthPlan, teacher: User, reviewer: User | None, is_teacher: bool, has_goals: bool) -> str:
    status = plan.status
    coach = reviewer.name if reviewer else "Your coach"
    if is_teacher:
        return {
            DRAFT: "Write one to three goals, then ask your coach to review the plan."
            if not has_goals
            else "When your goals are ready, ask your coach to review the plan.",
            WAITING_FOR_REVIEW: "Your coaches have been asked to review the plan. Until one of them starts, you can "
            "take back the request to change something.",
            IN_REVIEW: f"{coach} is reviewing your plan. You will get an e-mail when they approve it or send it "
            "back with comments.",
            ACTIVE: "Work on your goals and add a check-in whenever you measure your students' progress. At the end "
            "of the year, complete the plan with where each measure ended.",
            COMPLETE: "This plan is complete and kept as it was.",
        }[status]
    return {
        DRAFT: f"{teacher.name} is still writing this plan. You will get an e-mail when they ask for a review.",
        WAITING_FOR_REVIEW: f"{teacher.name} asked for a review on {us_date(plan.review_requested_at)}. Start the "
        "review, then approve the plan or send it back with comments.",
        IN_REVIEW: f"{coach if reviewer else 'A coach'} is reviewing this plan. Approve it, or send it back with "
        "comments on what to change.",
        ACTIVE: f"The plan is under way: {teacher.name} adds check-ins as their measures change.",
        COMPLETE: "This plan is complete and kept as it was.",
    }[status]


def _other_plans(session: Session, teacher_id: int, *, exclude: int | None) -> list[EarlierPlan]:
    rows = session.execute(
        select(GrowthPlan.id, SchoolYear.name, GrowthPlan.status)
        .join(SchoolYear, SchoolYear.id == GrowthPlan.school_year_id)
        .where(GrowthPlan.teacher_id == teacher_id, *([GrowthPlan.id != exclude] if exclude else []))
        .order_by(SchoolYear.starts_on.desc())
    ).all()
    return [EarlierPlan(plan_id, name, PLAN_STATUS_LABELS[status]) for plan_id, name, status in rows]
