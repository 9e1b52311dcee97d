"""'Teachers with like goals' on a goal page: for the goal's teacher and their coaches, the colleagues whose declared
goals of the current school year share at least one focus with the goal, ranked by fixed scores with the reason in
words, so a teacher sees why a colleague is suggested and the order never surprises.

Who may be listed is decided only by visibility.declared_to, for the viewer: a colleague's private goal, a draft plan,
a school-level goal of another school and a deactivated person never show. The teacher is never their own colleague.

Scores, fixed so they can be explained: each shared focus counts FOCUS_POINTS (a like goal matters most), the same
school SCHOOL_POINTS, the same grade band and the same subject GRADE_BAND_POINTS and SUBJECT_POINTS each. Ties go by
name, then by the person's id. A colleague with several like goals is listed once, with their goal that shares most.

The work is two queries whatever the number of goals: the candidates are found by goals_board.holds_any_focus (the
boards' first sieve on the focus list as stored text), joined to plan, teacher and school, and decided by
declared_to; the exact sharing and the ranking are done on those few rows.

Teams (a later part of issue 18) come as a second kind of result: ``LikeGoals`` gains a ``teams`` tuple of a
``LikeTeam`` (name, its focuses, its school, a link) scored by the same ``_score`` over the team's focus keys and
school, and ranked with the same reasons; the page shows it as a second list under the same heading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ...storage.models import Goal, GrowthPlan, School, User
from ..people import coaching
from ..people.teaching import grade_band_label, subject_label
from .goal_views import focus_label
from .goals_board import holds_any_focus
from .plans import find_goal, focus_options
from .school_years import current_school_year
from .visibility import declared_to

LIMIT = 10
FOCUS_POINTS = 10
SCHOOL_POINTS = 3
GRADE_BAND_POINTS = 2
SUBJECT_POINTS = 2


@dataclass(frozen=True)
class LikeColleague:
    """A colleague with a like goal: who, where, what they teach, their goal and why they are listed."""

    user_id: int
    name: str
    school_name: str
    teaches: str  # "Grades 3 to 5, Mathematics", "" when they have not said
    goal_id: int
    statement: str
    shared: tuple[str, ...]  # the shared focuses, in words
    score: int
    reason: str  # "Shares exit tickets and feedback; same school; also teaches grades 3 to 5"


@dataclass(frozen=True)
class LikeGoals:
    """The section of the goal page: the first colleagues, how many more, and the board to find the rest."""

    colleagues: tuple[LikeColleague, ...]
    more: int  # colleagues beyond the limit
    board_focus: str  # the goal's first focus key, for the goals board link ("" when the goal has none)
    board_focus_label: str


def like_goals(
    session: Session, goal_id: int, viewer: User | None, *, now: datetime, limit: int = LIMIT
) -> LikeGoals | None:
    """The colleagues with goals like ``goal_id`` for its teacher or one of their coaches; None for anyone else."""
    goal = find_goal(session, goal_id)
    teacher = session.get(User, goal.plan.teacher_id)
    if viewer is None or not (viewer.id == teacher.id or coaching.may_coach(session, viewer, teacher)):
        return None
    keys = list(dict.fromkeys(goal.focus or ()))
    labels = dict(focus_options(session))
    first = keys[0] if keys else ""
    year = current_school_year(session, now)
    if not keys or year is None:
        return LikeGoals((), 0, first, focus_label(first, labels) if first else "")
    sieved = aliased(Goal)
    rows = session.execute(
        select(
            Goal.id,
            Goal.statement,
            Goal.focus,
            User.id.label("user_id"),
            User.name,
            User.school_id,
            User.grade_band,
            User.subject,
            School.name.label("school_name"),
        )
        .select_from(Goal)
        .join(GrowthPlan, GrowthPlan.id == Goal.plan_id)
        .join(User, User.id == GrowthPlan.teacher_id)
        .join(School, School.id == User.school_id)
        .where(
            GrowthPlan.school_year_id == year.id,
            declared_to(viewer),
            User.id != teacher.id,
            Goal.id.in_(select(sieved.id).where(holds_any_focus(sieved, keys))),
        )
    ).all()
    best: dict[int, LikeColleague] = {}
    for row in rows:
        # The sieve found the text; the list itself decides (and gives the shared focuses in the goal's order).
        theirs = set(row.focus or ())
        shared = tuple(focus_label(key, labels) for key in keys if key in theirs)
        if not shared:
            continue
        found = _colleague(row, shared, teacher)
        kept = best.get(row.user_id)
        if kept is None or (found.score, -found.goal_id) > (kept.score, -kept.goal_id):
            best[row.user_id] = found
    ranked = sorted(best.values(), key=lambda c: (-c.score, c.name.casefold(), c.user_id))
    return LikeGoals(tuple(ranked[:limit]), max(0, len(ranked) - limit), first, focus_label(first, labels))


def _score(shared: int, same_school: bool, same_grade_band: bool, same_subject: bool) -> int:
    return (
        shared * FOCUS_POINTS
        + same_school * SCHOOL_POINTS
        + same_grade_band * GRADE_BAND_POINTS
        + same_subject * SUBJECT_POINTS
    )


def _colleague(row, shared: tuple[str, ...], teacher: User) -> LikeColleague:
    same_school = row.school_id == teacher.school_id
    same_band = bool(row.grade_band) and row.grade_band == teacher.grade_band
    same_subject = bool(row.subject) and row.subject == teacher.subject
    reasons = [f"Shares {_and(shared)}"]
    if same_school:
        reasons.append("same school")
    taught = [_in_sentence(grade_band_label(row.grade_band))] if same_band else []
    taught += [_in_sentence(subject_label(row.subject))] if same_subject else []
    if taught:
        reasons.append(f"also teaches {_and(taught)}")
    teaches = ", ".join(part for part in (grade_band_label(row.grade_band), subject_label(row.subject)) if part)
    return LikeColleague(
        user_id=row.user_id,
        name=row.name,
        school_name=row.school_name,
        teaches=teaches,
        goal_id=row.id,
        statement=row.statement,
        shared=shared,
        score=_score(len(shared), same_school, same_band, same_subject),
        reason="; ".join(reasons),
    )


def _and(words) -> str:
    """'a', 'a and b', 'a, b and c'."""
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _in_sentence(label: str) -> str:
    # Labels start with a capital for headings; inside a sentence only names ("English ...") keep theirs.
    return label if label.startswith("English") else label[:1].lower() + label[1:]
