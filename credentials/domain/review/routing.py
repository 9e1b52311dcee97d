"""Routing a submission to reviewers: eligible, least loaded first, never past capacity, never twice.

Who is eligible and in what order they are asked is stated in ``eligibility``; ``route_waiting`` hands the waiting
queue to the batch router (``batch_routing``). On PostgreSQL the attempt and each chosen reviewer are locked
(``FOR UPDATE``; reviewers being assigned elsewhere are skipped with ``SKIP LOCKED``) and the reviewer's load is
read again under the lock, so simultaneous submissions never push a reviewer past capacity and no attempt is
assigned twice.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from ...storage.database import is_postgresql
from ...storage.models import Assignment, Attempt, MicroCredentialVersion, ReviewerProfile, User
from ...storage.models.attempts import IN_REVIEW, SUBMITTED
from ...storage.models.reviews import ACTIVE_STATUSES, ASSIGNED, PRIMARY, TIEBREAK
from ..audit import record_event
from ..business_days import add_business_days
from ..letters import emails, letterhead, queue_letter
from .assigning import ROUTER, anonymous_code, holidays
from .batch_routing import route_many
from .eligibility import candidates, eligible_reviewers


@dataclass(frozen=True)
class RoutingResult:
    attempt_id: int
    assigned: list[int]
    still_needed: int


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
    assigned: list[int] = []
    for reviewer_id in eligible_reviewers(session, attempt, today=now.date()):
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
    return candidates(session, [reviewer_id])[reviewer_id].has_room


def _notify(session: Session, reviewer_id: int, attempt: Attempt, due_on: date, *, now: datetime) -> None:
    reviewer = session.get(User, reviewer_id)
    assignment_id = session.scalar(  # the assignment just made, for the link to the review
        select(Assignment.id)
        .where(Assignment.attempt_id == attempt.id, Assignment.reviewer_id == reviewer_id)
        .where(Assignment.status == ASSIGNED)
        .order_by(Assignment.id.desc())
        .limit(1)
    )
    letter = emails.review_assigned(
        letterhead(session),
        reviewer_name=reviewer.name,
        title=attempt.version.title,
        code=anonymous_code(attempt.id),
        due_on=due_on,
        assignment_id=assignment_id,
    )
    queue_letter(session, letter, kind="review_assigned", recipient=reviewer.email, now=now)
