"""What the issuer admin's review pages show: the unassigned queue, reviewer loads, open assignments, conflicts and
holidays, as plain rows loaded in a fixed number of queries whatever the number of reviewers or assignments.

Admins may see who the teacher is; reviewers never get these rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from ...storage.models import (
    Assignment,
    Attempt,
    Holiday,
    MicroCredentialVersion,
    Qualification,
    ReviewConflict,
    ReviewerProfile,
    School,
    User,
    UserRole,
)
from ...storage.models.accounts import REVIEWER
from ...storage.models.attempts import IN_REVIEW, SUBMITTED
from ...storage.models.catalog import PUBLISHED
from ...storage.models.reviews import ACTIVE_STATUSES, ASSIGNED, PRIMARY, TIEBREAK
from ...storage.models.reviews import SUBMITTED as REVIEW_SUBMITTED
from .eligibility import DEFAULT_CAPACITY
from .routing import anonymous_code

RECENT_DAYS = 90
ROLE_LABELS = {PRIMARY: "Primary", TIEBREAK: "Tie-breaker"}


@dataclass(frozen=True)
class WaitingAttempt:
    """A submission that still lacks reviewers (primary ones, or the tie-breaker after a disagreement)."""

    attempt_id: int
    code: str
    teacher: str
    school: str
    title: str
    submitted_at: datetime
    role: str
    needed: int
    assigned: int
    days_waiting: int


@dataclass(frozen=True)
class QualificationRow:
    id: int
    kind: str  # "micro-credential" or "tag"
    label: str


@dataclass(frozen=True)
class ReviewerLoad:
    """One reviewer's settings and workload."""

    reviewer_id: int
    name: str
    email: str
    school: str
    active: bool
    capacity: int
    away_from: date | None
    away_until: date | None
    away_now: bool
    open: int
    overdue: int
    submitted_recently: int
    median_turnaround_days: float | None
    qualifications: tuple[QualificationRow, ...]

    @property
    def full(self) -> bool:
        return self.open >= self.capacity


@dataclass(frozen=True)
class OpenAssignment:
    """An assignment not yet submitted, for manual reassignment."""

    assignment_id: int
    attempt_id: int
    code: str
    teacher: str
    title: str
    reviewer_id: int
    reviewer: str
    role_label: str
    assigned_at: datetime
    due_on: date
    days_overdue: int

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True)
class ConflictRow:
    id: int
    reviewer_id: int
    reviewer: str
    teacher: str
    teacher_school: str
    reason: str
    declared_by: str
    created_at: datetime


@dataclass(frozen=True)
class HolidayRow:
    day: date
    name: str


def unassigned_queue(session: Session, today: date, *, limit: int = 500) -> list[WaitingAttempt]:
    """Submissions waiting for reviewers, oldest first, in one query."""
    active = (
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.attempt_id == Attempt.id, Assignment.role == PRIMARY, Assignment.status.in_(ACTIVE_STATUSES))
        .scalar_subquery()
    )
    active_tiebreak = (
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.attempt_id == Attempt.id, Assignment.role == TIEBREAK, Assignment.status.in_(ACTIVE_STATUSES))
        .scalar_subquery()
    )
    # Two submitted primary reviews that disagree and no tie-breaker: routing found nobody eligible.
    outcomes = (
        select(func.count(func.distinct(Assignment.outcome)))
        .where(Assignment.attempt_id == Attempt.id, Assignment.role == PRIMARY, Assignment.status == REVIEW_SUBMITTED)
        .scalar_subquery()
    )
    required = MicroCredentialVersion.definition["reviewers_required"].as_integer()
    rows = session.execute(
        select(
            Attempt.id,
            User.name,
            School.name,
            MicroCredentialVersion.title,
            Attempt.submitted_at,
            required,
            active,
            outcomes > 1,
        )
        .join(User, User.id == Attempt.teacher_id)
        .join(School, School.id == User.school_id)
        .join(MicroCredentialVersion, MicroCredentialVersion.id == Attempt.version_id)
        .where(
            Attempt.status.in_((SUBMITTED, IN_REVIEW)),
            or_(active < required, and_(outcomes > 1, active_tiebreak == 0)),
        )
        .order_by(Attempt.submitted_at, Attempt.id)
        .limit(limit)
    ).all()
    return [
        WaitingAttempt(
            attempt_id=attempt_id,
            code=anonymous_code(attempt_id),
            teacher=teacher,
            school=school,
            title=title,
            submitted_at=submitted_at,
            role=TIEBREAK if needs_tiebreak and assigned >= needed else PRIMARY,
            needed=1 if needs_tiebreak and assigned >= needed else needed,
            assigned=0 if needs_tiebreak and assigned >= needed else assigned,
            days_waiting=(today - submitted_at.date()).days,
        )
        for attempt_id, teacher, school, title, submitted_at, needed, assigned, needs_tiebreak in rows
    ]


def reviewer_loads(session: Session, today: date, *, reviewer_id: int | None = None) -> list[ReviewerLoad]:
    """Every reviewer (or one) with capacity, away dates, open and overdue work, recent pace and qualifications.

    Five queries whatever the number of reviewers. Turnaround is the median of days from assignment to submission
    over the reviews submitted in the last ``RECENT_DAYS`` days.
    """
    query = (
        select(
            User.id,
            User.name,
            User.email,
            User.is_active,
            School.name,
            ReviewerProfile.capacity,
            ReviewerProfile.away_from,
            ReviewerProfile.away_until,
        )
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == REVIEWER))
        .join(School, School.id == User.school_id)
        .outerjoin(ReviewerProfile, ReviewerProfile.user_id == User.id)
        .order_by(User.is_active.desc(), User.name, User.id)
    )
    if reviewer_id is not None:
        query = query.where(User.id == reviewer_id)
    reviewers = session.execute(query).all()
    only = [Assignment.reviewer_id == reviewer_id] if reviewer_id is not None else []
    counts = {
        rid: (n, overdue or 0)
        for rid, n, overdue in session.execute(
            select(Assignment.reviewer_id, func.count(), func.sum(case((Assignment.due_on < today, 1), else_=0)))
            .where(Assignment.status == ASSIGNED, *only)
            .group_by(Assignment.reviewer_id)
        )
    }
    since = datetime.combine(today - timedelta(days=RECENT_DAYS), time(), UTC)
    turnarounds: dict[int, list[float]] = defaultdict(list)
    for rid, assigned_at, submitted_at in session.execute(
        select(Assignment.reviewer_id, Assignment.assigned_at, Assignment.submitted_at).where(
            Assignment.status == REVIEW_SUBMITTED, Assignment.submitted_at >= since, *only
        )
    ):
        turnarounds[rid].append((submitted_at - assigned_at).total_seconds() / 86400)
    qualifications = _qualifications(session, reviewer_id)
    loads = []
    for rid, name, email, active, school, capacity, away_from, away_until in reviewers:
        away_now = away_from is not None and away_from <= today <= (away_until or away_from)
        n_open, overdue = counts.get(rid, (0, 0))
        done = turnarounds.get(rid, [])
        loads.append(
            ReviewerLoad(
                reviewer_id=rid,
                name=name,
                email=email,
                school=school,
                active=active,
                capacity=DEFAULT_CAPACITY if capacity is None else capacity,
                away_from=away_from,
                away_until=away_until,
                away_now=away_now,
                open=n_open,
                overdue=int(overdue),
                submitted_recently=len(done),
                median_turnaround_days=round(median(done), 1) if done else None,
                qualifications=tuple(qualifications.get(rid, ())),
            )
        )
    return loads


def open_assignments(session: Session, today: date, *, reviewer_id: int | None = None) -> list[OpenAssignment]:
    """Assignments not yet submitted, soonest due first, with who reviews what; one query."""
    teacher, reviewer = aliased(User), aliased(User)
    query = (
        select(
            Assignment.id,
            Assignment.attempt_id,
            teacher.name,
            MicroCredentialVersion.title,
            reviewer.id,
            reviewer.name,
            Assignment.role,
            Assignment.assigned_at,
            Assignment.due_on,
        )
        .join(Attempt, Attempt.id == Assignment.attempt_id)
        .join(teacher, teacher.id == Attempt.teacher_id)
        .join(reviewer, reviewer.id == Assignment.reviewer_id)
        .join(MicroCredentialVersion, MicroCredentialVersion.id == Attempt.version_id)
        .where(Assignment.status == ASSIGNED)
        .order_by(Assignment.due_on, Assignment.id)
    )
    if reviewer_id is not None:
        query = query.where(Assignment.reviewer_id == reviewer_id)
    return [
        OpenAssignment(
            assignment_id=assignment_id,
            attempt_id=attempt_id,
            code=anonymous_code(attempt_id),
            teacher=teacher_name,
            title=title,
            reviewer_id=rid,
            reviewer=reviewer_name,
            role_label=ROLE_LABELS.get(role, role),
            assigned_at=assigned_at,
            due_on=due_on,
            days_overdue=max(0, (today - due_on).days),
        )
        for assignment_id, attempt_id, teacher_name, title, rid, reviewer_name, role, assigned_at, due_on in (
            session.execute(query)
        )
    ]


def conflicts(session: Session, *, reviewer_id: int | None = None) -> list[ConflictRow]:
    """Declared conflicts of interest by reviewer, then teacher; one query."""
    reviewer, teacher, declarer = aliased(User), aliased(User), aliased(User)
    query = (
        select(
            ReviewConflict.id,
            reviewer.id,
            reviewer.name,
            teacher.name,
            School.name,
            ReviewConflict.reason,
            declarer.name,
            ReviewConflict.created_at,
        )
        .join(reviewer, reviewer.id == ReviewConflict.reviewer_id)
        .join(teacher, teacher.id == ReviewConflict.teacher_id)
        .join(School, School.id == teacher.school_id)
        .outerjoin(declarer, declarer.id == ReviewConflict.declared_by_id)
        .order_by(reviewer.name, teacher.name, ReviewConflict.id)
    )
    if reviewer_id is not None:
        query = query.where(ReviewConflict.reviewer_id == reviewer_id)
    return [
        ConflictRow(
            id=cid,
            reviewer_id=rid,
            reviewer=reviewer_name,
            teacher=teacher_name,
            teacher_school=school,
            reason=reason,
            declared_by=declared_by or "the system",
            created_at=created_at,
        )
        for cid, rid, reviewer_name, teacher_name, school, reason, declared_by, created_at in session.execute(query)
    ]


def holidays(session: Session) -> list[HolidayRow]:
    """The district's holidays by date."""
    return [
        HolidayRow(day, name) for day, name in session.execute(select(Holiday.day, Holiday.name).order_by(Holiday.day))
    ]


def microcredential_titles(session: Session) -> dict[int, str]:
    """Each micro-credential's title: its published version's, else its newest version's; one query."""
    rows = session.execute(
        select(MicroCredentialVersion.microcredential_id, MicroCredentialVersion.title).order_by(
            MicroCredentialVersion.microcredential_id,
            MicroCredentialVersion.status == PUBLISHED,
            MicroCredentialVersion.number,
        )
    )
    return dict(rows.all())  # the last row of each micro-credential wins


def _qualifications(session: Session, reviewer_id: int | None) -> dict[int, list[QualificationRow]]:
    query = select(Qualification.reviewer_id, Qualification.id, Qualification.microcredential_id, Qualification.tag)
    if reviewer_id is not None:
        query = query.where(Qualification.reviewer_id == reviewer_id)
    titles = microcredential_titles(session)
    found: dict[int, list[QualificationRow]] = defaultdict(list)
    for rid, qid, mc_id, tag in session.execute(query.order_by(Qualification.id)):
        if mc_id is not None:
            found[rid].append(QualificationRow(qid, "micro-credential", titles.get(mc_id, f"#{mc_id}")))
        else:
            found[rid].append(QualificationRow(qid, "tag", tag))
    for rows in found.values():
        rows.sort(key=lambda row: (row.kind != "micro-credential", row.label.lower()))
    return found
