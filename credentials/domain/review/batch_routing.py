"""Routing many waiting attempts at once (the unassigned queue, the sweep, a cohort's deadline).

The same rules as ``review_routing.route_attempt``, decided in memory from data read in a handful of queries: on
PostgreSQL every reviewer profile is locked for the length of the batch (so no other routing can assign them
meanwhile) and the attempts are claimed with ``SKIP LOCKED``; loads are counted under those locks and updated as
assignments are made, so no reviewer goes past capacity. Assignments and e-mails are written in bulk, and the batch
is one audit event listing every assignment it made.
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
    CatalogFacet,
    MicroCredentialVersion,
    OutboxMessage,
    Qualification,
    ReviewConflict,
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
from .routing import DEFAULT_CAPACITY, ROUTER, anonymous_code, holidays


@dataclass(frozen=True)
class BatchReport:
    attempts: int
    routed: int
    assignments: int
    still_waiting: int


@dataclass
class _Reviewer:
    id: int
    name: str
    email: str
    school_id: int
    capacity: int
    away: tuple | None
    load: int
    last: datetime | None
    microcredentials: set[int]
    tags: set[str]


def route_many(session: Session, attempt_ids: list[int], *, now: datetime) -> BatchReport:
    """Give each listed attempt the primary reviewers it still needs, oldest submission first."""
    if not attempt_ids:
        return BatchReport(0, 0, 0, 0)
    reviewers = _lock_and_load_reviewers(session, now=now)
    attempts_q = (
        select(
            Attempt.id,
            Attempt.teacher_id,
            Attempt.microcredential_id,
            Attempt.version_id,
            Attempt.previous_attempt_id,
            User.school_id,
            MicroCredentialVersion.title,
            MicroCredentialVersion.definition["reviewers_required"].as_integer(),
            MicroCredentialVersion.definition["review_turnaround_days"].as_integer(),
        )
        .join(User, User.id == Attempt.teacher_id)
        .join(MicroCredentialVersion, MicroCredentialVersion.id == Attempt.version_id)
        .where(Attempt.id.in_(attempt_ids), Attempt.status.in_((SUBMITTED, IN_REVIEW)))
        .order_by(Attempt.submitted_at, Attempt.id)
    )
    if is_postgresql(session):
        attempts_q = attempts_q.with_for_update(of=Attempt, skip_locked=True)
    rows = session.execute(attempts_q).all()
    ids = [r.id for r in rows]
    tags = defaultdict(set)
    for version_id, tag in session.execute(
        select(CatalogFacet.version_id, CatalogFacet.value).where(
            CatalogFacet.kind == "tag", CatalogFacet.version_id.in_({r.version_id for r in rows})
        )
    ):
        tags[version_id].add(tag)
    taken, active = defaultdict(set), defaultdict(int)
    for attempt_id, reviewer_id, role, status in session.execute(
        select(Assignment.attempt_id, Assignment.reviewer_id, Assignment.role, Assignment.status).where(
            Assignment.attempt_id.in_(ids), Assignment.status != "cancelled"
        )
    ):
        taken[attempt_id].add(reviewer_id)
        if role == PRIMARY and status in ACTIVE_STATUSES:
            active[attempt_id] += 1
    previous = defaultdict(set)
    previous_ids = {r.previous_attempt_id: r.id for r in rows if r.previous_attempt_id}
    for attempt_id, reviewer_id in session.execute(
        select(Assignment.attempt_id, Assignment.reviewer_id).where(
            Assignment.attempt_id.in_(previous_ids), Assignment.status == "submitted", Assignment.role == PRIMARY
        )
    ):
        previous[previous_ids[attempt_id]].add(reviewer_id)
    conflicts = {(a, b) for a, b in session.execute(select(ReviewConflict.reviewer_id, ReviewConflict.teacher_id))}
    days, today = holidays(session), now.date()
    new_assignments, letters, made, waiting, routed = [], [], [], 0, 0
    for r in rows:
        needed = r[7] - active[r.id]
        candidates = [
            v
            for v in reviewers.values()
            if v.id != r.teacher_id
            and v.school_id != r.school_id
            and (v.id, r.teacher_id) not in conflicts
            and v.id not in taken[r.id]
            and v.load < v.capacity
            and not (v.away and v.away[0] <= today <= v.away[1])
            and (r.microcredential_id in v.microcredentials or v.tags & tags[r.version_id])
        ]
        candidates.sort(
            key=lambda v: (v.id not in previous[r.id], v.load, v.last or datetime.min.replace(tzinfo=now.tzinfo), v.id)
        )
        chosen = candidates[: max(needed, 0)]
        if len(chosen) < needed:
            waiting += 1
        routed += bool(chosen)
        due_on = add_business_days(today, r[8], days)
        for v in chosen:
            v.load, v.last = v.load + 1, now
            new_assignments.append(
                {
                    "attempt_id": r.id,
                    "reviewer_id": v.id,
                    "role": PRIMARY,
                    "status": ASSIGNED,
                    "assigned_at": now,
                    "due_on": due_on,
                    "overall_feedback": "",
                    "revision": 1,
                }
            )
            made.append([r.id, v.id])
            letters.append(_letter(v, r.title, anonymous_code(r.id), due_on, now))
    if new_assignments:
        session.execute(insert(Assignment), new_assignments)
        session.execute(insert(OutboxMessage), letters)
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


def _lock_and_load_reviewers(session: Session, *, now: datetime) -> dict[int, _Reviewer]:
    reviewer_ids = select(UserRole.user_id).where(UserRole.role == REVIEWER)
    if is_postgresql(session):
        # Every reviewer gets a profile row so there is always a row to lock; then lock them all, in id order.
        missing = session.scalars(
            select(User.id).where(User.id.in_(reviewer_ids), ~User.id.in_(select(ReviewerProfile.user_id)))
        ).all()
        if missing:
            session.execute(
                insert(ReviewerProfile),
                [{"user_id": i, "capacity": DEFAULT_CAPACITY, "updated_at": now} for i in missing],
            )
        session.execute(select(ReviewerProfile.user_id).order_by(ReviewerProfile.user_id).with_for_update())
    load = (
        select(Assignment.reviewer_id, func.count().label("n"), func.max(Assignment.assigned_at).label("last"))
        .group_by(Assignment.reviewer_id)
        .subquery()
    )
    open_load = (
        select(Assignment.reviewer_id, func.count().label("n"))
        .where(Assignment.status == ASSIGNED)
        .group_by(Assignment.reviewer_id)
        .subquery()
    )
    rows = session.execute(
        select(
            User.id,
            User.name,
            User.email,
            User.school_id,
            ReviewerProfile.capacity,
            ReviewerProfile.away_from,
            ReviewerProfile.away_until,
            func.coalesce(open_load.c.n, 0),
            load.c.last,
        )
        .outerjoin(ReviewerProfile, ReviewerProfile.user_id == User.id)
        .outerjoin(open_load, open_load.c.reviewer_id == User.id)
        .outerjoin(load, load.c.reviewer_id == User.id)
        .where(User.id.in_(reviewer_ids), User.is_active.is_(True), User.password_hash.is_not(None))
    ).all()
    reviewers = {
        row[0]: _Reviewer(
            id=row[0],
            name=row[1],
            email=row[2],
            school_id=row[3],
            capacity=DEFAULT_CAPACITY if row[4] is None else row[4],
            away=(row[5], row[6] or row[5]) if row[5] else None,
            load=row[7],
            last=row[8],
            microcredentials=set(),
            tags=set(),
        )
        for row in rows
    }
    for reviewer_id, mc_id, tag in session.execute(
        select(Qualification.reviewer_id, Qualification.microcredential_id, Qualification.tag)
    ):
        if reviewer_id in reviewers:
            (reviewers[reviewer_id].microcredentials.add(mc_id) if mc_id else reviewers[reviewer_id].tags.add(tag))
    return reviewers


def _letter(reviewer: _Reviewer, title: str, code: str, due_on, now: datetime) -> dict:
    return {
        "kind": "review_assigned",
        "recipient": reviewer.email,
        "subject": f"New review: {title}"[:200],
        "body_text": (
            f"Hello {reviewer.name},\n\nA submission for “{title}” ({code}) is waiting for your review. "
            f"Please score it by {due_on:%A %d %B %Y}.\n\nYour review queue lists it.\n"
        ),
        "created_at": now,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
    }
