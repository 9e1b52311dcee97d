"""The goals boards: the goals teachers declared for the current school year, by focus, so teachers with like goals
find each other. The district board lists what reaches the viewer across the district (goals declared to the
district or the public, and their own school's); a school board lists one school's goals the viewer may see.

Who sees what is decided only by visibility.declared_to. A goal with two focuses is listed under each of them: a
teacher looking for colleagues working on "fractions" finds every such goal under that heading, and the count beside
a focus is the number of goals listed under it. The page runs the same queries however many goals there are: the
counts come from one grouped query, one page of goals from another, their latest check-ins from a third.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Protocol

from sqlalchemy import ColumnElement, Select, Text, bindparam, case, cast, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from ...storage.models import CheckIn, Goal, GrowthPlan, School, User
from ..errors import NotFound
from ..paging import Page
from ..people.organizations import school_choices
from ..people.teaching import GRADE_BAND_LABELS, GRADE_BANDS, SUBJECT_LABELS, SUBJECTS
from .plans import focus_options
from .school_years import current_school_year
from .visibility import declared_to

PER_PAGE = 30


@dataclass(frozen=True)
class BoardFilter:
    """The filters as asked for (text from the address); board_filter keeps only the values that name something."""

    focus: str = ""
    grade_band: str = ""
    subject: str = ""
    school_id: int | None = None

    @property
    def is_filtered(self) -> bool:
        return bool(self.focus or self.grade_band or self.subject or self.school_id)

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments, for the page links."""
        args = {"focus": self.focus, "grade_band": self.grade_band, "subject": self.subject}
        args["school"] = str(self.school_id) if self.school_id else ""
        return {key: value for key, value in args.items() if value}


@dataclass(frozen=True)
class GoalNumbers:
    """A goal's measure, shown only when its teacher shares progress: baseline -> target, and the latest check-in."""

    baseline: float
    target: float
    unit: str
    latest: float | None
    latest_on: date | None


@dataclass(frozen=True)
class BoardGoal:
    """One declared goal as a board lists it, with who declared it."""

    goal_id: int
    statement: str
    target_date: date
    teacher_name: str
    school_name: str
    grade_band: str  # in words, "" when the teacher has not said
    subject: str
    numbers: GoalNumbers | None  # None unless the teacher shares progress


@dataclass(frozen=True)
class FocusCount:
    """A focus and how many goals on the board have it (under the other filters)."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class FocusGroup:
    """The goals of this page under one focus; ``continued`` when the group began on an earlier page."""

    key: str
    label: str
    count: int
    continued: bool
    goals: list[BoardGoal]


@dataclass(frozen=True)
class GoalsBoard:
    """Everything a goals board page shows, fully loaded."""

    school: tuple[int, str] | None  # the school of a school board; None for the district board
    year_name: str | None  # None when the district has not set up the current school year
    filters: BoardFilter
    ignored: list[str]  # a sentence for each filter value that named nothing, and was left out
    focus_counts: list[FocusCount]
    groups: list[FocusGroup]
    result: Page  # the page of (focus, goal) entries: its number, the count of pages
    grade_bands: list[tuple[str, str]]
    subjects: list[tuple[str, str]]
    schools: list[tuple[int, str]]  # the district board's school filter; empty on a school board


def district_board(
    session: Session, viewer: User, asked: BoardFilter, *, page: int, now: datetime, per_page: int | None = None
) -> GoalsBoard:
    """The district's goals board as ``viewer`` may see it, filtered and paged."""
    schools = [(school_id, name) for school_id, name in school_choices(session)]
    return _board(session, viewer, asked, None, schools, page=page, now=now, per_page=per_page)


def school_board(
    session: Session,
    viewer: User,
    school_id: int,
    asked: BoardFilter,
    *,
    page: int,
    now: datetime,
    per_page: int | None = None,
) -> GoalsBoard:
    """One school's goals board as ``viewer`` may see it (its school-level goals only for people of that school)."""
    school = session.get(School, school_id)
    if school is None:
        raise NotFound("There is no such school.")
    asked = BoardFilter(asked.focus, asked.grade_band, asked.subject, None)
    return _board(session, viewer, asked, (school.id, school.name), [], page=page, now=now, per_page=per_page)


def latest_check_ins(session: Session, goal_ids: list[int]) -> dict[int, tuple[float, date]]:
    """The latest check-in (value, day) of each of ``goal_ids`` that has one, in one query."""
    rows = session.execute(_latest_check_ins_query(), {"goal_ids": goal_ids})
    return {goal_id: (value, checked_on) for goal_id, value, checked_on in rows}


@cache
def _latest_check_ins_query() -> Select:
    # Built once: a subquery with a window function costs SQLAlchemy more to construct than SQLite to run.
    ranked = (
        select(
            CheckIn.goal_id,
            CheckIn.value,
            CheckIn.checked_on,
            func.row_number()
            .over(partition_by=CheckIn.goal_id, order_by=(CheckIn.checked_on.desc(), CheckIn.id.desc()))
            .label("n"),
        )
        .where(CheckIn.goal_id.in_(bindparam("goal_ids", expanding=True)))
        .subquery()
    )
    return select(ranked.c.goal_id, ranked.c.value, ranked.c.checked_on).where(ranked.c.n == 1)


class MeasuredGoal(Protocol):
    """What goal_numbers reads: a Goal, or a row of a query that selected these columns."""

    share_progress: bool
    baseline: float
    target: float
    measure_unit: str


def goal_numbers(goal: MeasuredGoal, latest: tuple[float, date] | None) -> GoalNumbers | None:
    """The numbers a board or profile may show of a goal: None unless its teacher shares progress."""
    if not goal.share_progress:
        return None
    value, day = latest if latest else (None, None)
    return GoalNumbers(goal.baseline, goal.target, goal.measure_unit, value, day)


def focus_column(session: Session):
    """The goals' focus keys as rows, one per (goal, focus): a table-valued function to join in a query."""
    if session.get_bind().dialect.name == "postgresql":
        elements = func.json_array_elements_text(Goal.focus).table_valued("value", joins_implicitly=True)
        return elements.render_derived(name="goal_focus")
    return func.json_each(Goal.focus).table_valued("value", joins_implicitly=True).alias("goal_focus")


def holds_any_focus(goal, keys: list[str]) -> ColumnElement[bool]:
    """Whether ``goal`` (Goal or an alias of it) has one of ``keys`` in its focus list as stored text, JSON-quoted: a
    first sieve that reads the goals table alone; the caller still checks the focus itself."""
    return or_(false(), *(cast(goal.focus, Text).contains(json.dumps(key), autoescape=True) for key in keys))


def _board(
    session: Session,
    viewer: User,
    asked: BoardFilter,
    school: tuple[int, str] | None,
    schools: list[tuple[int, str]],
    *,
    page: int,
    now: datetime,
    per_page: int | None,
) -> GoalsBoard:
    per_page = per_page or PER_PAGE
    year = current_school_year(session, now)
    options = focus_options(session)
    filters, ignored = _kept(asked, options, schools)
    grade_bands = [(band, GRADE_BAND_LABELS[band]) for band in GRADE_BANDS]
    subjects = [(subject, SUBJECT_LABELS[subject]) for subject in SUBJECTS]
    if year is None:
        empty = Page([], 1, per_page, 0)
        return GoalsBoard(school, None, filters, ignored, [], [], empty, grade_bands, subjects, schools)
    focus = focus_column(session)
    labels = dict(options)
    rank = {key: position for position, (key, _) in enumerate(options)}
    conditions = [GrowthPlan.school_year_id == year.id, declared_to(viewer)]
    if school is not None or filters.school_id:
        conditions.append(User.school_id == (school[0] if school else filters.school_id))
    if filters.grade_band:
        conditions.append(User.grade_band == filters.grade_band)
    if filters.subject:
        conditions.append(User.subject == filters.subject)

    counted = session.execute(
        _declared(select(focus.c.value, func.count()), focus).where(*conditions).group_by(focus.c.value)
    ).all()
    counts = sorted(
        (FocusCount(key, labels.get(key, _fallback_label(key)), n) for key, n in counted),
        key=lambda c: (rank.get(c.key, len(rank)), c.key),
    )
    if filters.focus and filters.focus not in {c.key for c in counts} | labels.keys():
        ignored.append("That focus is not one the catalog offers, so goals of every focus are shown.")
        filters = BoardFilter("", filters.grade_band, filters.subject, filters.school_id)
    listed = [c for c in counts if not filters.focus or c.key == filters.focus]
    total = sum(c.count for c in listed)
    page = max(1, min(page, -(-total // per_page) or 1))
    offset = (page - 1) * per_page
    # The counts say which focuses this page's entries fall under, and where the first of them starts: the page's
    # query then sorts only those focuses' goals, not every goal of the board.
    on_page, start = _focuses_on_page(listed, offset, per_page)
    conditions.append(focus.c.value.in_(on_page))
    # A first sieve: the goals whose focus list, as stored text, holds one of those keys (JSON-quoted), found by one
    # pass over the goals table alone, so only those are joined to their plan and teacher; the condition above and
    # declared_to still decide.
    sieved = aliased(Goal)
    conditions.append(Goal.id.in_(select(sieved.id).where(holds_any_focus(sieved, on_page))))
    order = case({key: n for n, key in enumerate(on_page)}, value=focus.c.value) if on_page else focus.c.value
    columns = (
        focus.c.value,
        Goal.id,
        Goal.statement,
        Goal.target_date,
        Goal.share_progress,
        Goal.baseline,
        Goal.target,
        Goal.measure_unit,
        User.name.label("teacher_name"),
        User.grade_band,
        User.subject,
        School.name.label("school_name"),
    )
    rows = session.execute(
        _declared(select(*columns), focus)
        .join(School, School.id == User.school_id)
        .where(*conditions)
        .order_by(order, User.name, Goal.id)
        .offset(offset - start)
        .limit(per_page)
    ).all()
    latest = latest_check_ins(session, sorted({row.id for row in rows if row.share_progress}))
    entries = [(row[0], _board_goal(row, latest.get(row.id))) for row in rows]
    groups = _groups(entries, listed, offset)
    result = Page([goal for _, goal in entries], page, per_page, total)
    return GoalsBoard(school, year.name, filters, ignored, counts, groups, result, grade_bands, subjects, schools)


def _declared(query: Select, focus) -> Select:
    """``query`` over the goals with their plan, teacher and each focus, ready for declared_to."""
    return (
        query.select_from(Goal)
        .join(GrowthPlan, GrowthPlan.id == Goal.plan_id)
        .join(User, User.id == GrowthPlan.teacher_id)
        .join(focus, focus.c.value.is_not(None))
    )


def _kept(
    asked: BoardFilter, options: list[tuple[str, str]], schools: list[tuple[int, str]]
) -> tuple[BoardFilter, list[str]]:
    """The filters that name something; a sentence for each that does not (the focus is checked once counted)."""
    ignored = []
    grade_band, subject, school_id = asked.grade_band, asked.subject, asked.school_id
    if grade_band and grade_band not in GRADE_BANDS:
        ignored.append("That grade band is not one of the list, so every grade band is shown.")
        grade_band = ""
    if subject and subject not in SUBJECTS:
        ignored.append("That subject is not one of the list, so every subject is shown.")
        subject = ""
    if school_id is not None and school_id not in {open_id for open_id, _ in schools}:
        ignored.append("That school is not one of the district's open schools, so every school is shown.")
        school_id = None
    return BoardFilter(asked.focus[:300], grade_band, subject, school_id), ignored


def _fallback_label(key: str) -> str:
    """A focus no longer offered by the catalog (its micro-credential was retired), in words still."""
    return key.partition(":")[2] or key


def _board_goal(row, latest: tuple[float, date] | None) -> BoardGoal:
    return BoardGoal(
        goal_id=row.id,
        statement=row.statement,
        target_date=row.target_date,
        teacher_name=row.teacher_name,
        school_name=row.school_name,
        grade_band=GRADE_BAND_LABELS.get(row.grade_band or "", ""),
        subject=SUBJECT_LABELS.get(row.subject or "", ""),
        numbers=goal_numbers(row, latest),
    )


def _focuses_on_page(listed: list[FocusCount], offset: int, per_page: int) -> tuple[list[str], int]:
    """The focuses whose entries fall on the page from ``offset``, in board order, and where the first one starts."""
    keys, seen, start = [], 0, 0
    for count in listed:
        if seen + count.count > offset and seen < offset + per_page:
            if not keys:
                start = seen
            keys.append(count.key)
        seen += count.count
    return keys, start


def _groups(entries: list[tuple[str, BoardGoal]], listed: list[FocusCount], offset: int) -> list[FocusGroup]:
    """The page's entries under their focus headings; a heading whose goals began on an earlier page says so."""
    starts, seen = {}, 0
    for count in listed:
        starts[count.key] = seen
        seen += count.count
    by_key = {c.key: c for c in listed}
    groups: list[FocusGroup] = []
    for key, goal in entries:
        if not groups or groups[-1].key != key:
            count = by_key.get(key, FocusCount(key, _fallback_label(key), 0))
            continued = starts.get(key, offset) < offset
            groups.append(FocusGroup(key, count.label, count.count, continued, []))
        groups[-1].goals.append(goal)
    return groups
