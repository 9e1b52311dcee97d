"""What the plan page shows, fully loaded: the plan's status in plain words and the next step for whoever looks, each
goal with its measure as a sentence and its learning actions' live state, the buttons each person may use, the goal
ideas of the plan's template and the teacher's suggestions. A fixed number of queries, whatever the number of goals,
actions and check-ins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.models import (
    Goal,
    GrowthPlan,
    MicroCredential,
    SchoolYear,
    SuggestionDismissal,
    User,
)
from ...text.dates import us_date
from ..errors import PermissionDenied
from ..people import coaching
from . import goal_ideas, suggestions
from .goal_views import GoalView, goal_views, microcredential_titles
from .plans import COMPETENCY, focus_options, get_plan
from .school_years import current_school_year, today
from .vocabulary import (
    ACTIVE,
    COMPLETE,
    DRAFT,
    EDITABLE_STATUSES,
    IN_REVIEW,
    MAX_GOALS,
    PLAN_STATUS_LABELS,
    WAITING_FOR_REVIEW,
)

SUGGESTIONS_SHOWN = 3


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
        mc_id = session.scalar(
            select(SuggestionDismissal.microcredential_id)
            .join(MicroCredential, MicroCredential.id == SuggestionDismissal.microcredential_id)
            .where(SuggestionDismissal.teacher_id == teacher.id, MicroCredential.slug == dismissed)
        )
        title = microcredential_titles(session, [mc_id])[mc_id][1] if mc_id is not None else None
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


@dataclass(frozen=True)
class PlanCard:
    """The teacher's start page card: their plan for this school year (if any), its status and the next step."""

    plan_id: int | None
    school_year: str | None
    status_label: str | None
    next_step: str


def plan_card(session: Session, teacher: User, *, now: datetime) -> PlanCard:
    """The "Your growth plan" card of the teacher's start page (three queries at most)."""
    year = current_school_year(session, now)
    if year is None:
        return PlanCard(None, None, None, "Growth plans start once the district has set up this school year.")
    plan = session.scalar(
        select(GrowthPlan).where(GrowthPlan.teacher_id == teacher.id, GrowthPlan.school_year_id == year.id)
    )
    if plan is None:
        return PlanCard(None, year.name, None, f"Start your plan for {year.name}: one to three goals for the year.")
    reviewer = session.get(User, plan.reviewer_id) if plan.reviewer_id else None
    has_goals = bool(plan.goals)
    step = _next_step(plan, teacher, reviewer, True, has_goals)
    return PlanCard(plan.id, year.name, PLAN_STATUS_LABELS[plan.status], step)
