"""The demo district's growth plans: last school year and this one (July 1 to June 30, whenever the demo is loaded),
a dozen goals declared to the schools and the district, one plan active with weekly check-ins and a chart, one
waiting for the coach, one in review, one a draft, and one complete from last year. Each teacher's scenario runs
once; loading the demo again changes nothing.

The workflow runs through the same domain functions the pages use, at the moments it would have happened (weeks
ago), so the threads, e-mails and audit trail read as a real year would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.models import GrowthPlan, SchoolYear, User
from ..audit import Actor
from ..plans import checkins, plans, school_years, workflow
from ..plans.plans import GoalInput
from ..plans.vocabulary import ACTIVITY, COLLABORATION, MICROCREDENTIAL
from ..plans.workflow import GoalEnding

COACH_EMAIL = "coach@riverside.example.org"

# What each demo teacher teaches (the goals boards filter on it): e-mail -> (grade band, subject).
TEACHING = {
    "maria.lopez@riverside.example.org": ("3-5", "math"),
    "james.chen@riverside.example.org": ("k-2", "several"),
    "aisha.okafor@riverside.example.org": ("6-8", "ela"),
    "tom.becker@riverside.example.org": ("6-8", "science"),
    "priya.natarajan@riverside.example.org": ("9-12", "science"),
    "sam.oconnor@riverside.example.org": ("9-12", "english_learners"),
    "noah.williams@riverside.example.org": ("3-5", "ela"),
    "fatima.hassan@riverside.example.org": ("k-2", "english_learners"),
    "ethan.brooks@riverside.example.org": ("6-8", "math"),
    "lena.fischer@riverside.example.org": ("9-12", "world_languages"),
    "marcus.johnson@riverside.example.org": ("9-12", "social_studies"),
    "rosa.delgado@riverside.example.org": ("9-12", "science"),
}


@dataclass(frozen=True)
class DemoGoal:
    """A goal as a demo teacher wrote it, with its learning actions and (for active plans) weekly check-in values."""

    statement: str
    focus: tuple[str, ...]
    measure: tuple[str, str, float, float, str]  # what, unit, baseline, target, how measured
    visibility: str = "school"
    share_progress: bool = False
    support: str = ""
    actions: tuple[tuple[str, str], ...] = ()  # (kind, slug or description)
    check_ins: tuple[float, ...] = ()
    reflections: dict[int, str] = field(default_factory=dict)  # check-in index -> reflection


@dataclass(frozen=True)
class DemoPlan:
    email: str
    status: str  # draft, waiting_for_review, in_review, active, complete (complete: last school year)
    goals: tuple[DemoGoal, ...]
    note: str = ""
    coach_comment: str = ""
    ending: tuple[float, str] | None = None


FRACTIONS = DemoGoal(
    "More of my fourth graders show mastery of fractions at the end of each lesson.",
    ("tag:formative assessment", "tag:exit tickets"),
    ("Exit-ticket mastery on fractions", "%", 48, 75, "Weekly two-question exit tickets, scored with our team rubric"),
    share_progress=True,
    support="Observe one fractions lesson in October, and look at a week of exit tickets with me.",
    actions=(
        (MICROCREDENTIAL, "exit-tickets"),
        (ACTIVITY, "District workshop series: Feedback that moves learning (four after-school sessions)"),
        (COLLABORATION, "Score exit tickets with the fourth-grade team every other Thursday"),
    ),
    check_ins=(50, 52, 51, 57, 60, 58, 63, 66, 68),
    reflections={
        0: "Most errors came from adding the denominators. Regrouped five students for a number-line review.",
        3: "Started sorting tickets into three piles the same afternoon; the small group the next morning worked.",
        6: "The team's rubric made our scoring agree much more. Two students still mix up numerator and denominator.",
        8: "The unit test matched the tickets: 68% at mastery. Next: equivalent fractions with visual models.",
    },
)

PLANS = (
    DemoPlan(
        "maria.lopez@riverside.example.org",
        "active",
        (
            FRACTIONS,
            DemoGoal(
                "My students explain their mathematical thinking in full sentences during number talks.",
                ("tag:student discourse", "tag:academic language"),
                (
                    "Students who use a sentence frame unprompted in a number talk",
                    "students",
                    6,
                    18,
                    "A tally during two number talks each week",
                ),
                visibility="district",
                actions=((MICROCREDENTIAL, "structured-academic-conversations"),),
                check_ins=(7, 9, 12),
            ),
        ),
        note="I would like to focus on fractions first; the number talks goal can wait until January if needed.",
        coach_comment="A clear, measurable goal. Let's schedule the October observation for a Tuesday lesson.",
    ),
    DemoPlan(
        "tom.becker@riverside.example.org",
        "waiting_for_review",
        (
            DemoGoal(
                "Every student in my seventh-grade science classes takes part in lab discussions.",
                ("tag:student discourse", "tag:collaborative learning"),
                (
                    "Students who speak at least once in a lab discussion",
                    "%",
                    40,
                    85,
                    "I tally speakers during two lab discussions each week",
                ),
                visibility="district",
                support="Help me plan roles for lab groups so the same three students do not do all the talking.",
                actions=((MICROCREDENTIAL, "structured-academic-conversations"),),
            ),
        ),
        note="I'm ready for feedback, especially on whether 85% is realistic by spring.",
    ),
    DemoPlan(
        "aisha.okafor@riverside.example.org",
        "complete",
        (
            DemoGoal(
                "Families of my advisory students hear from me about learning, not only about problems.",
                ("tag:family engagement", "tag:communication"),
                (
                    "Families reached with a positive learning update each month",
                    "%",
                    35,
                    90,
                    "My contact log, checked at the end of each month",
                ),
                visibility="district",
                share_progress=True,
                actions=((MICROCREDENTIAL, "communicating-with-families"),),
                check_ins=(45, 60, 72, 81, 86),
            ),
        ),
        ending=(88, "Texting short updates in each family's language made the difference. I keep doing it."),
    ),
    DemoPlan(
        "james.chen@riverside.example.org",
        "draft",
        (
            DemoGoal(
                "My first graders read decodable texts with more accuracy.",
                ("tag:small-group instruction",),
                (
                    "Words read correctly per minute (class median)",
                    "words per minute",
                    22,
                    40,
                    "A one-minute running record every three weeks",
                ),
                visibility="private",
            ),
        ),
    ),
    DemoPlan(
        "noah.williams@riverside.example.org",
        "active",
        (
            DemoGoal(
                "My fifth graders cite evidence from the text in their written answers.",
                ("tag:formative assessment", "tag:feedback"),
                ("Written answers that cite the text", "%", 30, 70, "Exit tickets after each reading lesson"),
                actions=((MICROCREDENTIAL, "exit-tickets"),),
                check_ins=(34, 41),
            ),
        ),
    ),
    DemoPlan(
        "fatima.hassan@riverside.example.org",
        "active",
        (
            DemoGoal(
                "My kindergarten English learners join in our morning talk in English.",
                ("tag:English learners", "tag:oral language"),
                (
                    "English learners who answer a morning-talk question in English",
                    "students",
                    3,
                    10,
                    "A daily check-off list",
                ),
                actions=((MICROCREDENTIAL, "structured-academic-conversations"),),
                check_ins=(4, 6),
            ),
            DemoGoal(
                "Every family hears from me in their home language at least once a month.",
                ("tag:family engagement", "tag:multilingual families"),
                ("Families contacted in their home language each month", "%", 50, 100, "My contact log"),
                visibility="district",
                actions=((MICROCREDENTIAL, "communicating-with-families"),),
            ),
        ),
    ),
    DemoPlan(
        "ethan.brooks@riverside.example.org",
        "in_review",
        (
            DemoGoal(
                "I adjust the next day's math lesson from what the exit tickets show.",
                ("tag:exit tickets", "tag:data-informed instruction"),
                (
                    "Lessons that start with a regrouping based on yesterday's tickets",
                    "lessons a week",
                    1,
                    4,
                    "My planning notes",
                ),
                actions=((MICROCREDENTIAL, "exit-tickets"), (COLLABORATION, "Plan with the seventh-grade math team")),
            ),
        ),
    ),
    DemoPlan(
        "lena.fischer@riverside.example.org",
        "active",
        (
            DemoGoal(
                "My Spanish II students hold a three-minute conversation without switching to English.",
                ("tag:student discourse", "tag:oral language"),
                ("Students who hold the conversation for three minutes", "%", 25, 70, "Monthly partner-talk checks"),
                visibility="district",
                actions=((MICROCREDENTIAL, "structured-academic-conversations"),),
            ),
        ),
    ),
    DemoPlan(
        "marcus.johnson@riverside.example.org",
        "waiting_for_review",
        (
            DemoGoal(
                "My ninth graders build arguments from more than one historical source.",
                ("tag:academic language", "tag:collaborative learning"),
                ("Essays that use two or more sources", "%", 20, 65, "The department's argument rubric"),
                visibility="public",
            ),
            DemoGoal(
                "Students get feedback on their drafts within two school days.",
                ("tag:feedback",),
                ("Drafts returned within two school days", "%", 40, 90, "My gradebook's dates"),
            ),
        ),
    ),
    DemoPlan(
        "sam.oconnor@riverside.example.org",
        "waiting_for_review",
        (
            DemoGoal(
                "My newcomer students use academic vocabulary when they talk about what they read.",
                ("tag:English learners", "tag:academic language"),
                ("Students who use two unit words in a partner retell", "%", 15, 60, "Recorded partner retells"),
                visibility="district",
                actions=((ACTIVITY, "The district's English learner summer institute, follow-up sessions"),),
            ),
        ),
    ),
    DemoPlan(
        "rosa.delgado@riverside.example.org",
        "active",
        (
            DemoGoal(
                "My chemistry students catch their own misconceptions before the unit test.",
                ("tag:formative assessment", "tag:small-group instruction"),
                ("Students at mastery on the mid-unit check", "%", 45, 80, "Mid-unit checks, every unit"),
                share_progress=True,
                actions=((MICROCREDENTIAL, "exit-tickets"),),
                check_ins=(52, 61),
            ),
        ),
    ),
)


@dataclass
class PlansReport:
    school_years: int = 0
    plans: int = 0


def load_demo_plans(session: Session, *, now: datetime) -> PlansReport:
    """Add the school years, what each teacher teaches, and every demo plan that is not there yet."""
    report = PlansReport()
    people = {user.email: user for user in session.scalars(select(User)).all()}
    coach = people.get(COACH_EMAIL)
    if coach is None:
        return report
    current, last = _school_years(session, now, report)
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
    session.flush()
    return report


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
