"""Routing many waiting attempts at once (the unassigned queue, the sweep, a cohort's deadline).

The rules of ``eligibility``, as single routing (``routing.route_attempt``) applies them, decided in memory from data
read in a handful of queries: on PostgreSQL every reviewer profile is locked for the length of the batch (so no other
routing can assign them meanwhile) and the attempts are claimed with ``SKIP LOCKED``; one query lists every eligible
(attempt, reviewer) pair, loads are read under those locks and counted up as assignments are made, so no reviewer
goes past capacity. Assignments and e-mails are written in bulk, and the batch is one audit event listing every
assignment it made.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ...storage.database import is_postgresql
from ...storage.models import (
    Assignment,
    Attempt,
    MicroCredentialVersion,
    OutboxMessage,
    ReviewerProfile,
    User,
    UserRole,
)
from ...storage.models.accounts import REVIEWER
from ...storage.models.attempts import IN_REVIEW, SUBMITTED
from ...storage.models.outbox import PENDING
from ...storage.models.reviews import ACTIVE_STATUSES, ASSIGNED, PRIMARY
from ..audit import record_event
from ..business_days import add_business_days
from ..letters import emails, letterhead, outbox_row
from .assigning import ROUTER, anonymous_code, holidays
from .eligibility import DEFAULT_CAPACITY, candidates, earlier_reviewers, eligible_pairs, ranked


@dataclass(frozen=True)
class BatchReport:
    attempts: int
    routed: int
    assignments: int
    still_waiting: int


def route_many(session: Session, attempt_ids: list[int], *, now: datetime) -> BatchReport:
    """Give each listed attempt the primary reviewers it still needs, oldest submission first."""
    if not attempt_ids:
        return BatchReport(0, 0, 0, 0)
    if is_postgresql(session):
        _lock_reviewers(session, now=now)
    attempts_q = (
        select(
            Attempt.id,
            MicroCredentialVersion.title,
            MicroCredentialVersion.definition["reviewers_required"].as_integer(),
            MicroCredentialVersion.definition["review_turnaround_days"].as_integer(),
        )
        .join(MicroCredentialVersion, MicroCredentialVersion.id == Attempt.version_id)
        .where(Attempt.id.in_(attempt_ids), Attempt.status.in_((SUBMITTED, IN_REVIEW)))
        .order_by(Attempt.submitted_at, Attempt.id)
    )
    if is_postgresql(session):
        attempts_q = attempts_q.with_for_update(of=Attempt, skip_locked=True)
    rows = session.execute(attempts_q).all()
    ids = [r.id for r in rows]
    today = now.date()
    offered = defaultdict(list)
    for attempt_id, reviewer_id in eligible_pairs(session, ids, today=today):
        offered[attempt_id].append(reviewer_id)
    reviewers = candidates(session, {reviewer_id for found in offered.values() for reviewer_id in found})
    people = {
        reviewer_id: (name, email)
        for reviewer_id, name, email in session.execute(
            select(User.id, User.name, User.email).where(User.id.in_(list(reviewers)))
        )
    }
    active = dict(
        session.execute(
            select(Assignment.attempt_id, func.count())
            .where(Assignment.attempt_id.in_(ids), Assignment.role == PRIMARY, Assignment.status.in_(ACTIVE_STATUSES))
            .group_by(Assignment.attempt_id)
        ).all()
    )
    earlier = earlier_reviewers(session, ids)
    days = holidays(session)
    new_assignments, to_write, made, waiting, routed = [], [], [], 0, 0
    for r in rows:
        needed = r[2] - active.get(r.id, 0)
        chosen = ranked((reviewers[i] for i in offered[r.id]), earlier=earlier.get(r.id, ()))[: max(needed, 0)]
        if len(chosen) < needed:
            waiting += 1
        routed += bool(chosen)
        due_on = add_business_days(today, r[3], days)
        for candidate in chosen:
            candidate.took_one(now)
            new_assignments.append(
                {
                    "attempt_id": r.id,
                    "reviewer_id": candidate.reviewer_id,
                    "role": PRIMARY,
                    "status": ASSIGNED,
                    "assigned_at": now,
                    "due_on": due_on,
                    "overall_feedback": "",
                    "revision": 1,
                }
            )
            made.append([r.id, candidate.reviewer_id])
            to_write.append((candidate.reviewer_id, r.id, r.title, due_on))
    if new_assignments:
        session.execute(insert(Assignment), new_assignments)
        session.execute(insert(OutboxMessage), _letters(session, to_write, people, now=now))
        record_event(
            session,
            actor=ROUTER,
            action="review.assign_batch",
            subject_type="routing",
            subject_id="batch",
            summary={"assignments": made},
            now=now,
        )
    return BatchReport(attempts=len(rows), routed=routed, assignments=len(new_assignments), still_waiting=waiting)


def _lock_reviewers(session: Session, *, now: datetime) -> None:
    """Give every reviewer a profile row, so there is always a row to lock; then lock them all, in id order."""
    reviewer_ids = select(UserRole.user_id).where(UserRole.role == REVIEWER)
    missing = session.scalars(
        select(User.id).where(User.id.in_(reviewer_ids), ~User.id.in_(select(ReviewerProfile.user_id)))
    ).all()
    if missing:
        session.execute(
            insert(ReviewerProfile),
            [{"user_id": i, "capacity": DEFAULT_CAPACITY, "updated_at": now} for i in missing],
        )
    session.execute(select(ReviewerProfile.user_id).order_by(ReviewerProfile.user_id).with_for_update())


def _letters(session: Session, made: list[tuple], people: dict[int, tuple[str, str]], *, now: datetime) -> list[dict]:
    """Outbox rows telling each reviewer about the assignment just made (reviewer, attempt, title, due date)."""
    head = letterhead(session)
    ids = {
        (attempt_id, reviewer_id): assignment_id
        for assignment_id, attempt_id, reviewer_id in session.execute(
            select(Assignment.id, Assignment.attempt_id, Assignment.reviewer_id).where(
                Assignment.attempt_id.in_({attempt_id for _, attempt_id, _, _ in made}),
                Assignment.status == ASSIGNED,
            )
        )
    }
    rows = []
    for reviewer_id, attempt_id, title, due_on in made:
        name, email = people[reviewer_id]
        letter = emails.review_assigned(
            head,
            reviewer_name=name,
            title=title,
            code=anonymous_code(attempt_id),
            due_on=due_on,
            assignment_id=ids.get((attempt_id, reviewer_id)),
        )
        rows.append(
            {
                "kind": "review_assigned",
                "recipient": email,
                **outbox_row(letter),
                "created_at": now,
                "status": PENDING,
                "attempts": 0,
                "next_attempt_at": now,
            }
        )
    return rows
