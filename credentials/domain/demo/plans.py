"""The demo district's growth plans: last school year and this one (July 1 to June 30, whenever the demo is loaded),
a dozen goals declared to the schools and the district, one plan active with weekly check-ins and a chart, one
waiting for the coach, one in review, one a draft, one complete from last year, and a template the coach wrote and
applied to a school. Each part runs once; loading the demo again changes nothing.

The workflow runs through the same domain functions the pages use, at the moments it would have happened (weeks
ago), so the threads and audit trail read as a real year would; the e-mails those steps wrote are recorded as sent
then, so they show in the Outbox without going out again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ...storage.models import GrowthPlan, OutboxMessage, PlanTemplate, SchoolYear, User
from ..audit import Actor
from ..outbox import PENDING, SENT
from ..plans import checkins, plans, school_years, templates, workflow
from ..plans.plans import GoalInput
from ..plans.template_application import apply_template
from ..plans.vocabulary import MICROCREDENTIAL
from ..plans.workflow import GoalEnding
from .plan_stories import COACH_EMAIL, PLANS, TEACHING, TEMPLATE, TEMPLATE_FOR, DemoPlan


@dataclass
class PlansReport:
    school_years: int = 0
    plans: int = 0
    templates: int = 0


def load_demo_plans(session: Session, *, now: datetime) -> PlansReport:
    """Add the school years, what each teacher teaches, and every demo plan that is not there yet."""
    report = PlansReport()
    people = {user.email: user for user in session.scalars(select(User)).all()}
    coach = people.get(COACH_EMAIL)
    if coach is None:
        return report
    current, last = _school_years(session, now, report)
    letters_before = session.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0)))
    for email, (grade_band, subject) in TEACHING.items():
        if (teacher := people.get(email)) and teacher.grade_band is None and teacher.subject is None:
            teacher.grade_band, teacher.subject = grade_band, subject
    for demo in PLANS:
        teacher = people.get(demo.email)
        year = last if demo.status == "complete" else current
        if teacher is None or year is None or _has_plan(session, teacher, year):
            continue
        _play(session, demo, teacher, coach, year, now)
        report.plans += 1
    priya = people.get(TEMPLATE_FOR)
    if current is not None and priya is not None and session.scalar(select(func.count(PlanTemplate.id))) == 0:
        template = templates.create_template(session, coach, TEMPLATE, now=now)
        apply_template(session, template.id, coach, teacher_ids=[priya.id], now=now)
        report.templates += 1
    _letters_went_out(session, since=letters_before)
    return report


def _letters_went_out(session: Session, *, since: int) -> None:
    """Record the plan letters the demo's history wrote as sent when they were written: they belong to the past
    weeks the demo plays, and should not all go out at once when the service starts serving."""
    session.flush()
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id > since, OutboxMessage.kind == "growth_plan", OutboxMessage.status == PENDING)
        .values(status=SENT, delivered_at=OutboxMessage.created_at)
        .execution_options(synchronize_session=False)
    )


def _school_years(session: Session, now: datetime, report: PlansReport) -> tuple[SchoolYear | None, SchoolYear]:
    """This school year and last (July 1 to June 30), unless the district has set its own dates for them."""
    today = school_years.today(session, now)
    first = today.year if today.month >= 7 else today.year - 1
    found = []
    for start in (first, first - 1):
        year = school_years.school_year_on(session, date(start, 7, 1))
        if year is None:
            year = school_years.create_school_year(
                session, name=f"{start}–{(start + 1) % 100:02d}", starts_on=date(start, 7, 1),
                ends_on=date(start + 1, 6, 30), actor=Actor.system("demo"), now=now,
            )  # fmt: skip
            report.school_years += 1
        found.append(year)
    current = school_years.current_school_year(session, now)
    return current, found[1]


def _has_plan(session: Session, teacher: User, year: SchoolYear) -> bool:
    found = select(GrowthPlan.id).where(GrowthPlan.teacher_id == teacher.id, GrowthPlan.school_year_id == year.id)
    return session.scalar(found) is not None


def _play(session: Session, demo: DemoPlan, teacher: User, coach: User, year: SchoolYear, now: datetime) -> None:
    """Take one teacher's plan through the workflow at the moments it happened: the plan started early in the
    year, the review a few weeks later, a check-in every week since."""
    if demo.status == "complete":
        started, approved_on = year.starts_on + timedelta(days=40), year.starts_on + timedelta(days=60)
        last_day = finished = year.ends_on - timedelta(days=20)
    else:
        last_day = school_years.today(session, now)
        approved_on = max(year.starts_on + timedelta(days=7), last_day - timedelta(days=70))
        started = max(year.starts_on, approved_on - timedelta(days=10))
        finished = None
    at = _moment_on(now)
    plan = plans.start_plan(session, teacher, now=at(started))
    goals = []
    for demo_goal in demo.goals:
        what, unit, baseline, target, how = demo_goal.measure
        data = GoalInput(
            statement=demo_goal.statement, focus=list(demo_goal.focus), measure_what=what, measure_unit=unit,
            baseline=baseline, target=target, how_measured=how, target_date=year.ends_on - timedelta(days=25),
            support_requested=demo_goal.support, visibility=demo_goal.visibility,
            share_progress=demo_goal.share_progress,
        )  # fmt: skip
        goal = plans.add_goal(session, plan.id, teacher, data, now=at(started))
        for kind, what_to_do in demo_goal.actions:
            if kind == MICROCREDENTIAL:
                plans.add_action(session, goal.id, teacher, kind=kind, slug=what_to_do, now=at(started))
            else:
                plans.add_action(session, goal.id, teacher, kind=kind, description=what_to_do, now=at(started))
        goals.append((goal, demo_goal))
    if demo.status == "draft":
        return
    requested = approved_on - timedelta(days=3) if demo.status in ("active", "complete") else last_day
    workflow.request_review(session, plan.id, teacher, note=demo.note, now=at(requested))
    if demo.status == "waiting_for_review":
        return
    workflow.start_review(session, plan.id, coach, now=at(min(requested + timedelta(days=1), last_day)))
    if demo.status == "in_review":
        return
    comments = {goals[0][0].id: demo.coach_comment} if demo.coach_comment else {}
    workflow.approve(session, plan.id, coach, comments=comments, now=at(approved_on))
    for goal, demo_goal in goals:
        for n, value in enumerate(demo_goal.check_ins):
            day = approved_on + timedelta(days=7 * (n + 1))
            if day > last_day:
                break
            checkins.add_check_in(
                session, goal.id, teacher, checked_on=day, value=value,
                reflection=demo_goal.reflections.get(n, ""), now=at(day),
            )  # fmt: skip
    if demo.status == "complete" and finished is not None and demo.ending is not None:
        value, reflection = demo.ending
        endings = {goal.id: GoalEnding(value, reflection) for goal, _ in goals}
        workflow.complete(session, plan.id, teacher, endings=endings, now=at(finished))


def _moment_on(now: datetime):
    """A function giving a moment on a given day (mid-afternoon UTC, a school day's end in the Americas), never
    later than ``now``."""

    def at(day: date) -> datetime:
        return min(datetime.combine(day, time(20, 0), tzinfo=UTC), now)

    return at
