"""Who may review an attempt, and in what order they are asked: stated once, for both routers and the routing bench.

A reviewer may take an attempt when they are an active reviewer with a password, are qualified for its
micro-credential (directly, or by one of its version's tags), are not the teacher, are not at the teacher's school,
have declared no conflict with the teacher, are not away that day, are not already on the attempt (cancelled work
does not count; recusing or being moved off does), and are below capacity: fewer open assignments than their
capacity (``DEFAULT_CAPACITY`` without a profile). Work goes first to an earlier reviewer of a resubmission who is
still eligible, then to the least loaded, then to whoever was assigned longest ago (never assigned: first).

Every rule but capacity is one SQL query (``eligible_pairs``), so single routing asks it about one attempt and batch
routing about thousands at once. Capacity and the order are stated in Python (``Candidate``, ``ranked``) because the
batch router hands out work in memory, where a reviewer's load changes with every assignment it makes; the load and
capacity they weigh are read by one query (``candidates``), which single routing also runs again under the
reviewer's row lock before it assigns. Both queries are built once and run with parameters: building them costs more
than running them for one attempt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from sqlalchemy import Date, Select, and_, bindparam, exists, func, or_, select, union
from sqlalchemy.orm import Session, aliased

from ...storage.models import (
    Assignment,
    Attempt,
    CatalogFacet,
    Qualification,
    ReviewConflict,
    ReviewerProfile,
    User,
    UserRole,
)
from ...storage.models.accounts import REVIEWER
from ...storage.models.reviews import ASSIGNED, CANCELLED, PRIMARY, SUBMITTED

DEFAULT_CAPACITY = 5
_NEVER = datetime.min.replace(tzinfo=UTC)


def eligible_pairs(session: Session, attempt_ids: Collection[int], *, today: date) -> Iterable[tuple[int, int]]:
    """``(attempt_id, reviewer_id)`` for each listed attempt and each reviewer who may take it on ``today``, by every
    rule but capacity."""
    return session.execute(eligible_pairs_query(), {"attempt_ids": list(attempt_ids), "today": today})


@cache
def eligible_pairs_query(*, for_existing_assignments: bool = False) -> Select:
    """The query behind ``eligible_pairs``, to run with the parameters ``attempt_ids`` (a list) and ``today``. With
    ``for_existing_assignments`` it judges assignments already made (the routing bench does): their own rows are then
    no reason to refuse them, so the "not already on it" rule is left out."""
    today = bindparam("today", type_=Date)
    teacher, reviewer, on_it = aliased(User, name="teacher"), aliased(User, name="reviewer"), aliased(Assignment)
    wanted = (
        select(
            Attempt.id,
            Attempt.teacher_id,
            teacher.school_id,
            Attempt.microcredential_id,
            Attempt.version_id,
        )
        .join(teacher, teacher.id == Attempt.teacher_id)
        .where(Attempt.id.in_(bindparam("attempt_ids", expanding=True)))
        .cte("wanted")
    )
    # Qualified for the micro-credential itself, or for a tag its version carries: worked out for each
    # (micro-credential, version) among the attempts, a handful of rows, before they meet the attempts, so thousands
    # of attempts join only the reviewers qualified for them (and an EXISTS with OR is not run for every pair).
    kinds = select(wanted.c.microcredential_id, wanted.c.version_id).distinct().subquery("kinds")
    qualified = union(
        select(kinds, Qualification.reviewer_id).join(
            Qualification, Qualification.microcredential_id == kinds.c.microcredential_id
        ),
        select(kinds, Qualification.reviewer_id)
        .join(CatalogFacet, and_(CatalogFacet.version_id == kinds.c.version_id, CatalogFacet.kind == "tag"))
        .join(Qualification, Qualification.tag == CatalogFacet.value),
    ).subquery("qualified")
    rules = [
        exists().where(UserRole.user_id == reviewer.id, UserRole.role == REVIEWER),
        reviewer.is_active.is_(True),
        reviewer.password_hash.is_not(None),
        reviewer.id != wanted.c.teacher_id,
        reviewer.school_id != wanted.c.school_id,
        ~exists().where(ReviewConflict.reviewer_id == reviewer.id, ReviewConflict.teacher_id == wanted.c.teacher_id),
        or_(  # not away: no dates, or today outside away_from..away_until (a single day when away_until is empty)
            ReviewerProfile.away_from.is_(None),
            ReviewerProfile.away_from > today,
            func.coalesce(ReviewerProfile.away_until, ReviewerProfile.away_from) < today,
        ),
    ]
    if not for_existing_assignments:
        rules.append(
            ~exists().where(
                on_it.attempt_id == wanted.c.id, on_it.reviewer_id == reviewer.id, on_it.status != CANCELLED
            )
        )
    return (
        select(wanted.c.id.label("attempt_id"), reviewer.id.label("reviewer_id"))
        .join(
            qualified,
            and_(
                qualified.c.microcredential_id == wanted.c.microcredential_id,
                qualified.c.version_id == wanted.c.version_id,
            ),
        )
        .join(reviewer, reviewer.id == qualified.c.reviewer_id)
        .outerjoin(ReviewerProfile, ReviewerProfile.user_id == reviewer.id)
        .where(*rules)
    )


@dataclass
class Candidate:
    """A reviewer as routing weighs them: open assignments against capacity, and when they were last assigned."""

    reviewer_id: int
    load: int
    capacity: int
    last_assigned: datetime | None

    @property
    def has_room(self) -> bool:
        """Below capacity."""
        return self.load < self.capacity

    def took_one(self, now: datetime) -> None:
        """Count an assignment just made (the batch router keeps going with the same candidates)."""
        self.load, self.last_assigned = self.load + 1, now


def candidates(session: Session, reviewer_ids: Collection[int]) -> dict[int, Candidate]:
    """The given reviewers as routing weighs them, by id."""
    rows = session.execute(_standing_query(), {"reviewer_ids": list(reviewer_ids)})
    return {row[0]: Candidate(*row) for row in rows}


@cache
def _standing_query() -> Select:
    """``Candidate``'s columns: open (assigned, not yet submitted) assignments, capacity, and the time of the latest
    assignment of any kind."""
    load = (
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.reviewer_id == User.id, Assignment.status == ASSIGNED)
        .scalar_subquery()
    )
    last = select(func.max(Assignment.assigned_at)).where(Assignment.reviewer_id == User.id).scalar_subquery()
    return (
        select(User.id, load, func.coalesce(ReviewerProfile.capacity, DEFAULT_CAPACITY), last)
        .outerjoin(ReviewerProfile, ReviewerProfile.user_id == User.id)
        .where(User.id.in_(bindparam("reviewer_ids", expanding=True)))
    )


def ranked(offered: Iterable[Candidate], *, earlier: Collection[int] = ()) -> list[Candidate]:
    """Those with room, in the order they are asked: ``earlier`` reviewers (of the attempt this one resubmits)
    first, then least loaded, then longest since their last assignment, then by id."""
    return sorted(
        (c for c in offered if c.has_room),
        key=lambda c: (c.reviewer_id not in earlier, c.load, c.last_assigned or _NEVER, c.reviewer_id),
    )


def earlier_reviewers(session: Session, attempt_ids: Collection[int]) -> dict[int, set[int]]:
    """For each listed resubmission, who submitted a primary review of the attempt it follows."""
    found = defaultdict(set)
    for attempt_id, reviewer_id in session.execute(
        select(Attempt.id, Assignment.reviewer_id)
        .join(Assignment, Assignment.attempt_id == Attempt.previous_attempt_id)
        .where(Attempt.id.in_(attempt_ids), Assignment.status == SUBMITTED, Assignment.role == PRIMARY)
    ):
        found[attempt_id].add(reviewer_id)
    return found


def eligible_reviewers(session: Session, attempt: Attempt, *, today: date) -> list[int]:
    """Ids of the reviewers who may take this attempt now (capacity included), in the order they are asked."""
    offered = candidates(
        session, [reviewer_id for _, reviewer_id in eligible_pairs(session, [attempt.id], today=today)]
    )
    earlier = earlier_reviewers(session, [attempt.id]).get(attempt.id, ())
    return [c.reviewer_id for c in ranked(offered.values(), earlier=earlier)]
