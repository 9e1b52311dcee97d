"""What the plan-template pages show, fully loaded in a fixed number of queries: the list of templates, one template,
and the form for applying one (the schools and teachers the viewer may choose)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...storage.models import (
    GrowthPlan,
    MicroCredential,
    MicroCredentialVersion,
    PlanTemplate,
    PlanTemplateGoal,
    School,
    User,
)
from ...storage.models.organizations import SCHOOL
from ..people import coaching
from ..people.roles import ISSUER_ADMIN
from .plans import focus_options
from .school_years import current_school_year
from .template_application import eligible_teachers
from .templates import get_template, may_change_template
from .vocabulary import ACTION_KIND_LABELS, COMPLETE, MICROCREDENTIAL, PLAN_STATUS_LABELS


@dataclass(frozen=True)
class TemplateRow:
    """One template in the list."""

    id: int
    title: str
    author: str
    goals: int
    plans: int
    updated_at: datetime
    archived_at: datetime | None


@dataclass(frozen=True)
class TemplateList:
    """The templates in use, and the archived ones."""

    in_use: list[TemplateRow]
    archived: list[TemplateRow]


@dataclass(frozen=True)
class ActionView:
    kind_label: str
    microcredential_slug: str | None
    microcredential_title: str | None
    description: str | None


@dataclass(frozen=True)
class GoalView:
    position: int
    statement: str
    focus: list[str]
    measure_what: str
    measure_unit: str
    how_measured: str
    actions: list[ActionView]


@dataclass(frozen=True)
class TemplatePage:
    """One template as its page shows it, with what the viewer may do."""

    id: int
    title: str
    description: str
    author: str
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    goals: list[GoalView]
    plans: int
    may_change: bool

    @property
    def may_apply(self) -> bool:
        return self.archived_at is None


@dataclass(frozen=True)
class TeacherChoice:
    """A teacher the viewer may apply the template to, and where their plan for this year stands."""

    id: int
    name: str
    school: str
    plan_words: str


@dataclass(frozen=True)
class ApplyPage:
    """The form for applying a template: the schools and the teachers the viewer may choose."""

    template_id: int
    title: str
    archived: bool
    school_year: str | None
    schools: list[tuple[int, str]]
    teachers: list[TeacherChoice]


def template_list(session: Session) -> TemplateList:
    """Every template, newest change first, with its author, its goals and the plans started from it (3 queries)."""
    rows = session.execute(
        select(PlanTemplate, User.name)
        .join(User, User.id == PlanTemplate.author_id)
        .order_by(PlanTemplate.updated_at.desc(), PlanTemplate.id.desc())
    ).all()
    goals = dict(
        session.execute(select(PlanTemplateGoal.template_id, func.count()).group_by(PlanTemplateGoal.template_id)).all()
    )
    plans = _plan_counts(session)
    listed = [
        TemplateRow(t.id, t.title, author, goals.get(t.id, 0), plans.get(t.id, 0), t.updated_at, t.archived_at)
        for t, author in rows
    ]
    return TemplateList(
        in_use=[row for row in listed if row.archived_at is None],
        archived=[row for row in listed if row.archived_at is not None],
    )


def template_page(session: Session, template_id: int, viewer: User) -> TemplatePage:
    """One template with its goals, their focus in words and their suggested actions."""
    template = get_template(session, template_id)
    author = session.scalar(select(User.name).where(User.id == template.author_id)) or ""
    labels = dict(focus_options(session))
    ids = {a.microcredential_id for g in template.goals for a in g.actions if a.kind == MICROCREDENTIAL}
    titles = _titles(session, ids)
    goals = [
        GoalView(
            position=goal.position,
            statement=goal.statement,
            focus=[labels.get(key, key.split(":", 1)[-1]) for key in goal.focus or []],
            measure_what=goal.measure_what,
            measure_unit=goal.measure_unit,
            how_measured=goal.how_measured,
            actions=[
                ActionView(
                    kind_label=ACTION_KIND_LABELS.get(a.kind, a.kind),
                    microcredential_slug=titles.get(a.microcredential_id, (None, None))[0],
                    microcredential_title=titles.get(a.microcredential_id, (None, None))[1],
                    description=a.description,
                )
                for a in goal.actions
            ],
        )
        for goal in template.goals
    ]
    return TemplatePage(
        id=template.id,
        title=template.title,
        description=template.description,
        author=author,
        created_at=template.created_at,
        updated_at=template.updated_at,
        archived_at=template.archived_at,
        goals=goals,
        plans=_plan_counts(session, template.id).get(template.id, 0),
        may_change=may_change_template(viewer, template),
    )


def apply_page(session: Session, template_id: int, viewer: User, *, now: datetime) -> ApplyPage:
    """The schools and teachers ``viewer`` may apply the template to, with where each teacher's plan stands."""
    template = get_template(session, template_id)
    year = current_school_year(session, now)
    if ISSUER_ADMIN in viewer.roles or coaching.coaching_scope(session, viewer.id).whole_district:
        schools = [
            (sid, name)
            for sid, name in session.execute(
                select(School.id, School.name).where(School.is_active, School.kind == SCHOOL).order_by(School.name)
            )
        ]
    else:
        schools = list(coaching.coaching_scope(session, viewer.id).schools)
    rows = session.execute(
        select(User.id, User.name, School.name)
        .join(School, School.id == User.school_id)
        .where(User.id.in_(eligible_teachers(viewer)))
        .order_by(School.name, User.name, User.id)
    ).all()
    plans: dict[int, tuple[str, int | None]] = {}
    if year is not None:
        plans = {
            teacher_id: (status, used)
            for teacher_id, status, used in session.execute(
                select(GrowthPlan.teacher_id, GrowthPlan.status, GrowthPlan.template_id).where(
                    GrowthPlan.school_year_id == year.id, GrowthPlan.teacher_id.in_(eligible_teachers(viewer))
                )
            )
        }
    return ApplyPage(
        template_id=template.id,
        title=template.title,
        archived=template.archived_at is not None,
        school_year=year.name if year else None,
        schools=schools,
        teachers=[
            TeacherChoice(tid, name, school, _plan_words(plans.get(tid), template.id)) for tid, name, school in rows
        ],
    )


def _plan_words(plan: tuple[str, int | None] | None, template_id: int) -> str:
    if plan is None:
        return "No plan yet: one will be started"
    status, used = plan
    if status == COMPLETE:
        return "Plan complete: left as it is"
    if used == template_id:
        return "Plan from this template already"
    if used is not None:
        return "Plan from another template: left as it is"
    return f"{PLAN_STATUS_LABELS.get(status, status)} plan: the template's goals will show as ideas"


def _plan_counts(session: Session, template_id: int | None = None) -> dict[int, int]:
    query = select(GrowthPlan.template_id, func.count()).where(GrowthPlan.template_id.is_not(None))
    if template_id is not None:
        query = query.where(GrowthPlan.template_id == template_id)
    return dict(session.execute(query.group_by(GrowthPlan.template_id)).all())


def _titles(session: Session, ids: set[int | None]) -> dict[int, tuple[str, str]]:
    """Micro-credential id -> (slug, its newest version's title), in one query."""
    ids.discard(None)
    if not ids:
        return {}
    rows = session.execute(
        select(MicroCredential.id, MicroCredential.slug, MicroCredentialVersion.title)
        .join(MicroCredentialVersion, MicroCredentialVersion.microcredential_id == MicroCredential.id)
        .where(MicroCredential.id.in_(ids))
        .order_by(MicroCredentialVersion.number)
    ).all()
    return {mc_id: (slug, title) for mc_id, slug, title in rows}  # the newest version comes last and wins
