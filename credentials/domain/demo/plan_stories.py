"""The demo teachers' growth plans as they wrote them: what each teaches, their goals, measures, learning actions
and weekly check-in values, and how far each plan has gone (credentials/domain/demo/plans.py plays them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..plans.templates import TemplateActionInput, TemplateGoalInput, TemplateInput
from ..plans.vocabulary import ACTIVITY, COLLABORATION, MICROCREDENTIAL

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


# The plan template the demo coach wrote, and the teacher it was applied to (she has no plan yet: one starts from it).
TEMPLATE_FOR = "priya.natarajan@riverside.example.org"
TEMPLATE = TemplateInput(
    title="Checking for understanding in every lesson",
    description="For teachers starting out with formative assessment: find out, every day, who has learned what, "
    "and teach the next lesson from it.",
    goals=[
        TemplateGoalInput(
            statement="More of my students show mastery of the day's objective at the end of each lesson.",
            focus=["tag:formative assessment", "tag:exit tickets"],
            measure_what="Exit-ticket mastery on the lesson's objective",
            measure_unit="%",
            how_measured="A two-question exit ticket at least three times a week, scored with a simple rubric",
            actions=[
                TemplateActionInput(kind=MICROCREDENTIAL, slug="exit-tickets"),
                TemplateActionInput(kind=COLLABORATION, description="Look at a week of exit tickets with a colleague"),
            ],
        ),
        TemplateGoalInput(
            statement="My students get feedback they act on within a day.",
            focus=["tag:feedback"],
            measure_what="Students who revise their work after feedback",
            measure_unit="%",
            how_measured="A check of revised work each Friday",
            actions=[TemplateActionInput(kind=ACTIVITY, description="The district's feedback workshop series")],
        ),
    ],
)
