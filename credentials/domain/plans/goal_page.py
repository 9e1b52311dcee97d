"""What the goal page shows, for whoever looks (visibility.goal_sight decides): the goal, and with the numbers its
measure's chart figures and check-ins (newest first, with their files); for the teacher and their coaches also the
thread of comments and workflow steps. A fixed number of queries, whatever the number of check-ins and comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...storage.models import CheckIn, CheckInFile, GoalComment, User
from ...text.dates import local_day
from ..errors import NotFound
from ..people.organizations import district_time_zone
from .goal_views import GoalView, goal_views, value_text
from .measure_chart import MeasureChart, measure_chart
from .plans import find_goal
from .visibility import GoalSight, goal_sight
from .vocabulary import ACTIVE, COMMENT_KIND_LABELS, PLAN_STATUS_LABELS


@dataclass(frozen=True)
class FileView:
    id: int
    filename: str
    kind: str
    size: int


@dataclass(frozen=True)
class CheckInView:
    id: int
    checked_on: date
    value_text: str
    reflection: str
    links: tuple[str, ...]
    files: tuple[FileView, ...]


@dataclass(frozen=True)
class ThreadEntry:
    kind: str
    label: str
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class GoalPage:
    plan_id: int
    plan_status: str
    plan_status_label: str
    school_year: str
    teacher_name: str
    goal: GoalView
    sight: GoalSight
    viewer_is_teacher: bool
    may_check_in: bool
    chart_title: str | None
    chart_description: str | None
    chart_rows: tuple
    check_ins: tuple[CheckInView, ...]
    thread: tuple[ThreadEntry, ...]


def goal_page(session: Session, goal_id: int, viewer: User | None) -> GoalPage:
    """The goal page for ``viewer`` (None: a visitor); NotFound for anyone the goal does not reach."""
    goal = find_goal(session, goal_id)
    plan = goal.plan
    teacher = session.get(User, plan.teacher_id)
    sight = goal_sight(session, goal, plan, teacher, viewer)
    if not sight.goal:
        raise NotFound("There is no such goal.")
    view = goal_views(session, plan, with_states=sight.whole_plan, only=goal.id)[0]
    check_ins: list[CheckIn] = []
    chart = None
    if sight.numbers:
        check_ins = list(
            session.scalars(
                select(CheckIn)
                .where(CheckIn.goal_id == goal.id)
                .options(selectinload(CheckIn.files))
                .order_by(CheckIn.checked_on.desc(), CheckIn.id.desc())
            )
        )
        chart = goal_chart_of(session, goal, check_ins)
    is_teacher = viewer is not None and viewer.id == teacher.id
    return GoalPage(
        plan_id=plan.id,
        plan_status=plan.status,
        plan_status_label=PLAN_STATUS_LABELS[plan.status],
        school_year=plan.school_year.name,
        teacher_name=teacher.name,
        goal=view,
        sight=sight,
        viewer_is_teacher=is_teacher,
        may_check_in=is_teacher and plan.status == ACTIVE,
        chart_title=chart.title if chart else None,
        chart_description=chart.description if chart else None,
        chart_rows=chart.rows if chart else (),
        check_ins=tuple(_check_in_view(c, goal.measure_unit) for c in check_ins),
        thread=tuple(_thread(session, goal.id)) if sight.whole_plan else (),
    )


def goal_chart(session: Session, goal_id: int, viewer: User | None) -> MeasureChart:
    """The chart of the goal's measure, for a viewer who may see its numbers (else NotFound)."""
    goal = find_goal(session, goal_id)
    plan = goal.plan
    sight = goal_sight(session, goal, plan, session.get(User, plan.teacher_id), viewer)
    if not sight.numbers:
        raise NotFound("There is no such chart.")
    check_ins = session.scalars(select(CheckIn).where(CheckIn.goal_id == goal.id)).all()
    return goal_chart_of(session, goal, check_ins)


def goal_chart_of(session: Session, goal, check_ins) -> MeasureChart:
    """The chart of ``goal`` with these check-ins, drawn from the baseline's day (the plan's approval, or the start
    of its school year) to the target date."""
    plan = goal.plan
    zone = district_time_zone(session)
    baseline_on = local_day(plan.approved_at, zone) if plan.approved_at else plan.school_year.starts_on
    return measure_chart(
        measure=goal.measure_what,
        unit=goal.measure_unit,
        baseline=goal.baseline,
        baseline_on=min(baseline_on, goal.target_date),
        target=goal.target,
        target_on=goal.target_date,
        check_ins=[(c.checked_on, c.value) for c in check_ins],
        time_zone=zone,
    )


def check_in_file(session: Session, goal_id: int, check_in_id: int, file_id: int, viewer: User | None) -> CheckInFile:
    """A check-in's file, for a viewer who may see the goal's numbers (else NotFound)."""
    goal = find_goal(session, goal_id)
    plan = goal.plan
    sight = goal_sight(session, goal, plan, session.get(User, plan.teacher_id), viewer)
    found = session.get(CheckInFile, file_id)
    check_in = session.get(CheckIn, check_in_id)
    if (
        not sight.numbers
        or found is None
        or check_in is None
        or found.check_in_id != check_in.id
        or check_in.goal_id != goal.id
    ):
        raise NotFound("There is no such file.")
    return found


def _check_in_view(check_in: CheckIn, unit: str) -> CheckInView:
    return CheckInView(
        id=check_in.id,
        checked_on=check_in.checked_on,
        value_text=value_text(check_in.value, unit),
        reflection=check_in.reflection or "",
        links=tuple(check_in.links or ()),
        files=tuple(FileView(f.id, f.filename, f.kind, f.size) for f in check_in.files),
    )


def _thread(session: Session, goal_id: int) -> list[ThreadEntry]:
    rows = session.execute(
        select(GoalComment, User.name)
        .outerjoin(User, User.id == GoalComment.author_id)
        .where(GoalComment.goal_id == goal_id)
        .order_by(GoalComment.id)
    ).all()
    return [
        ThreadEntry(c.kind, COMMENT_KIND_LABELS.get(c.kind, c.kind), name or "microcred", c.body or "", c.created_at)
        for c, name in rows
    ]
