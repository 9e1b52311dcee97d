"""Routing submitted evidence to reviewers: eligible, least loaded first, never past capacity, never twice.

Eligible means: an active reviewer, qualified for the micro-credential (directly or by one of its tags), not the
teacher, not from the teacher's school, with no declared conflict, not away today, and below capacity. On
PostgreSQL the attempt and each chosen reviewer are locked (``FOR UPDATE``; reviewers being assigned elsewhere are
skipped with ``SKIP LOCKED``) and the reviewer's load is counted again under the lock, so simultaneous submissions
never push a reviewer past capacity and no attempt is assigned twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from ...storage.database import is_postgresql
from ...storage.models import (
    Assignment,
    Attempt,
    CatalogFacet,
    Holiday,
    MicroCredentialVersion,
    Qualification,
    ReviewConflict,
    ReviewerProfile,
    User,
    UserRole,
)
from ...storage.models.accounts import REVIEWER
from ...storage.models.attempts import IN_REVIEW, SUBMITTED
from ...storage.models.reviews import ACTIVE_STATUSES, ASSIGNED, PRIMARY, TIEBREAK
from ..audit import Actor, record_event
from ..business_days import add_business_days
from ..outbox import queue_email

DEFAULT_CAPACITY = 5
ROUTER = Actor.system("review-routing")


@dataclass(frozen=True)
class RoutingResult:
    attempt_id: int
    assigned: list[int]
    still_needed: int


def anonymous_code(attempt_id: int) -> str:
    """The code reviewers see instead of the teacher's name and school: stable for an attempt."""
    digest = hashlib.sha256(f"microcred-review:{attempt_id}".encode()).hexdigest()
    return f"S-{digest[:8].upper()}"


def holidays(session: Session) -> set[date]:
    """The district's holidays, which business-day deadlines skip."""
    return set(session.scalars(select(Holiday.day)))


def open_load(reviewer_id_column):
    """A scalar subquery: the reviewer's open (assigned, not yet submitted) assignments."""
    return (
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.reviewer_id == reviewer_id_column, Assignment.status == ASSIGNED)
        .scalar_subquery()
    )


def eligible_reviewers(session: Session, attempt: Attempt, *, today: date, exclude: Collection[int] = ()) -> list[int]:
    """Ids of reviewers who may take this attempt now, least loaded first (ties: longest since last assignment)."""
    teacher = attempt.teacher
    version = attempt.version
    capacity = func.coalesce(ReviewerProfile.capacity, DEFAULT_CAPACITY)
    load = open_load(User.id)
    last_assigned = select(func.max(Assignment.assigned_at)).where(Assignment.reviewer_id == User.id).scalar_subquery()
    tags = select(CatalogFacet.value).where(CatalogFacet.version_id == version.id, CatalogFacet.kind == "tag")
    query = (
        select(User.id)
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == REVIEWER))
        .outerjoin(ReviewerProfile, ReviewerProfile.user_id == User.id)
        .where(
            User.is_active.is_(True),
            User.password_hash.is_not(None),
            User.id != teacher.id,
            User.school_id != teacher.school_id,
            exists().where(
                Qualification.reviewer_id == User.id,
                or_(Qualification.microcredential_id == attempt.microcredential_id, Qualification.tag.in_(tags)),
            ),
            ~exists().where(ReviewConflict.reviewer_id == User.id, ReviewConflict.teacher_id == teacher.id),
            # Not someone already on it, nor one who recused or was moved off it (cancelled work does not count).
            ~exists().where(
                Assignment.attempt_id == attempt.id, Assignment.reviewer_id == User.id, Assignment.status != "cancelled"
            ),
            or_(
                ReviewerProfile.away_from.is_(None),
                ReviewerProfile.away_from > today,
                func.coalesce(ReviewerProfile.away_until, ReviewerProfile.away_from) < today,
            ),
            load < capacity,
        )
        .order_by(load, func.coalesce(last_assigned, datetime(1970, 1, 1)), User.id)
    )
    if exclude:
        query = query.where(User.id.not_in(list(exclude)))
    return list(session.scalars(query))


def route_attempt(
    session: Session,
    attempt: Attempt,
    *,
    now: datetime,
    role: str = PRIMARY,
    needed: int | None = None,
    holidays_: Collection[date] | None = None,
) -> RoutingResult:
    """Assign as many reviewers as the attempt still needs; waits in the unassigned queue when none is eligible."""
    if is_postgresql(session):
        session.execute(select(Attempt.id).where(Attempt.id == attempt.id).with_for_update())
        session.refresh(attempt)
    if attempt.status not in (SUBMITTED, IN_REVIEW):
        return RoutingResult(attempt.id, [], 0)
    active = session.scalars(
        select(Assignment).where(Assignment.attempt_id == attempt.id, Assignment.status.in_(ACTIVE_STATUSES))
    ).all()
    if needed is None:
        wanted = attempt.version.definition["reviewers_required"] if role == PRIMARY else 1
        needed = wanted - sum(1 for a in active if a.role == role)
    if needed <= 0:
        return RoutingResult(attempt.id, [], 0)
    days = holidays(session) if holidays_ is None else holidays_
    due_on = add_business_days(now.date(), attempt.version.definition["review_turnaround_days"], days)
    candidates = eligible_reviewers(session, attempt, today=now.date())
    previous = _previous_reviewers(session, attempt)
    candidates.sort(key=lambda reviewer_id: reviewer_id not in previous)  # stable: keeps least-loaded order
    assigned: list[int] = []
    for reviewer_id in candidates:
        if len(assigned) == needed:
            break
        if not _claim(session, reviewer_id):
            continue
        session.add(
            Assignment(
                attempt_id=attempt.id,
                reviewer_id=reviewer_id,
                role=role,
                status=ASSIGNED,
                assigned_at=now,
                due_on=due_on,
            )
        )
        session.flush()
        assigned.append(reviewer_id)
        _notify(session, reviewer_id, attempt, due_on, now=now)
    if assigned:
        record_event(
            session,
            actor=ROUTER,
            action="review.assign",
            subject_type="attempt",
            subject_id=attempt.id,
            summary={"reviewers": assigned, "role": role, "due_on": due_on.isoformat()},
            now=now,
        )
    return RoutingResult(attempt.id, assigned, needed - len(assigned))


def route_waiting(session: Session, *, now: datetime, limit: int | None = None) -> int:
    """Try again for every attempt that still lacks reviewers or a tie-breaker (after someone became eligible);
    returns how many got at least one reviewer."""
    from .batch_routing import route_many

    routed = route_many(session, [a.id for a in waiting_attempts(session, limit=limit)], now=now).routed
    for attempt in waiting_for_tiebreak(session, limit=limit or 500):
        routed += bool(route_attempt(session, attempt, now=now, role=TIEBREAK, needed=1).assigned)
    return routed


def waiting_for_tiebreak(session: Session, *, limit: int = 500) -> list[Attempt]:
    """Attempts whose two reviewers disagreed and which have no tie-breaker at work or done."""
    outcomes = (
        select(Assignment.attempt_id)
        .where(Assignment.role == PRIMARY, Assignment.status == "submitted")
        .group_by(Assignment.attempt_id)
        .having(func.count(func.distinct(Assignment.outcome)) > 1)
    )
    has_tiebreak = exists().where(
        Assignment.attempt_id == Attempt.id, Assignment.role == TIEBREAK, Assignment.status.in_(ACTIVE_STATUSES)
    )
    return list(
        session.scalars(
            select(Attempt)
            .where(Attempt.id.in_(outcomes), Attempt.status == IN_REVIEW, ~has_tiebreak)
            .order_by(Attempt.submitted_at, Attempt.id)
            .limit(limit)
        )
    )


def waiting_attempts(session: Session, *, limit: int | None = None) -> list[Attempt]:
    """Submitted attempts with fewer active primary reviewers than their micro-credential requires, oldest first."""
    active = (
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.attempt_id == Attempt.id, Assignment.role == PRIMARY, Assignment.status.in_(ACTIVE_STATUSES))
        .scalar_subquery()
    )
    required = MicroCredentialVersion.definition["reviewers_required"].as_integer()
    return list(
        session.scalars(
            select(Attempt)
            .join(MicroCredentialVersion, MicroCredentialVersion.id == Attempt.version_id)
            .where(Attempt.status.in_((SUBMITTED, IN_REVIEW)), active < required)
            .order_by(Attempt.submitted_at, Attempt.id)
            .limit(limit)
        )
    )


def _claim(session: Session, reviewer_id: int) -> bool:
    """Lock the reviewer and check capacity under the lock. False when taken elsewhere right now or full."""
    if is_postgresql(session):
        profile = session.scalar(
            select(ReviewerProfile).where(ReviewerProfile.user_id == reviewer_id).with_for_update(skip_locked=True)
        )
        if profile is None:
            exists_ = session.scalar(
                select(func.count()).select_from(ReviewerProfile).where(ReviewerProfile.user_id == reviewer_id)
            )
            if exists_:
                return False  # locked by a concurrent assignment: try the next reviewer
            # Without a profile there is no row to lock: lock the user row instead.
            locked = session.scalar(select(User.id).where(User.id == reviewer_id).with_for_update(skip_locked=True))
            if locked is None:
                return False
    capacity = session.scalar(select(ReviewerProfile.capacity).where(ReviewerProfile.user_id == reviewer_id))
    load = session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.reviewer_id == reviewer_id, Assignment.status == ASSIGNED)
    )
    return load < (DEFAULT_CAPACITY if capacity is None else capacity)


def _previous_reviewers(session: Session, attempt: Attempt) -> set[int]:
    if attempt.previous_attempt_id is None:
        return set()
    return set(
        session.scalars(
            select(Assignment.reviewer_id).where(
                Assignment.attempt_id == attempt.previous_attempt_id,
                Assignment.status == "submitted",
                Assignment.role == PRIMARY,
            )
        )
    )


def _notify(session: Session, reviewer_id: int, attempt: Attempt, due_on: date, *, now: datetime) -> None:
    reviewer = session.get(User, reviewer_id)
    queue_email(
        session,
        kind="review_assigned",
        recipient=reviewer.email,
        now=now,
        subject=f"New review: {attempt.version.title}",
        body=(
            f"Hello {reviewer.name},\n\nA submission for “{attempt.version.title}” ({anonymous_code(attempt.id)}) is "
            f"waiting for your review. Please score it by {due_on:%A %d %B %Y}.\n\nYour review queue lists it.\n"
        ),
    )
