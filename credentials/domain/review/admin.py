"""What issuer admins (and reviewers, for their own conflicts) do around review: qualifications, capacity and
away dates, conflicts, holidays, manual reassignment, the overdue sweep, returning incomplete evidence and
overriding a decision with a recorded reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ...storage.models import (
    Assignment,
    Attempt,
    Holiday,
    IssuanceRequest,
    Qualification,
    ReviewConflict,
    ReviewerProfile,
    User,
)
from ...storage.models.accounts import ISSUER_ADMIN, REVIEWER, TEACHER
from ...storage.models.attempts import DRAFT, EARNED, IN_REVIEW, NOT_YET, SUBMITTED
from ...storage.models.reviews import ACTIVE_STATUSES, ASSIGNED, REASSIGNED
from ...text.dates import us_date
from ..audit import Actor, record_event
from ..catalog import microcredentials
from ..errors import Conflict, InvalidInput, NotFound
from ..letters import emails, letterhead, queue_letter
from . import routing
from .scoring import notify_decision, request_issuance


def _reviewer(session: Session, reviewer_id: int) -> User:
    user = session.get(User, reviewer_id)
    if user is None or REVIEWER not in user.roles:
        raise NotFound("There is no such reviewer.")
    return user


def grant_qualification(
    session: Session,
    reviewer_id: int,
    *,
    slug: str | None = None,
    tag: str | None = None,
    actor: Actor,
    now: datetime,
) -> Qualification:
    """Let a reviewer review one micro-credential (by slug) or every one carrying a tag; routes waiting work."""
    reviewer = _reviewer(session, reviewer_id)
    if bool(slug) == bool(tag):
        raise InvalidInput({"target": "Choose a micro-credential or a tag (one of them)."})
    mc_id = microcredentials.get_microcredential(session, slug).id if slug else None
    tag = " ".join(tag.split())[:60] if tag else None
    found = session.scalar(
        select(Qualification).where(
            Qualification.reviewer_id == reviewer.id,
            Qualification.microcredential_id == mc_id if mc_id else Qualification.microcredential_id.is_(None),
            Qualification.tag == tag if tag else Qualification.tag.is_(None),
        )
    )
    if found is not None:
        return found
    qualification = Qualification(reviewer_id=reviewer.id, microcredential_id=mc_id, tag=tag, granted_at=now)
    session.add(qualification)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="review.qualify",
        subject_type="user",
        subject_id=reviewer.id,
        summary={"microcredential": slug, "tag": tag},
        now=now,
    )
    routing.route_waiting(session, now=now)
    return qualification


def revoke_qualification(
    session: Session, qualification_id: int, *, reviewer_id: int, actor: Actor, now: datetime
) -> None:
    """Withdraw one of a reviewer's qualifications (assignments already made stay)."""
    qualification = session.get(Qualification, qualification_id)
    if qualification is None or qualification.reviewer_id != reviewer_id:
        raise NotFound("There is no such qualification.")
    session.delete(qualification)
    record_event(
        session,
        actor=actor,
        action="review.unqualify",
        subject_type="user",
        subject_id=qualification.reviewer_id,
        summary={"qualification": qualification_id},
        now=now,
    )


def set_reviewer_profile(
    session: Session,
    reviewer_id: int,
    *,
    capacity: int,
    away_from: date | None,
    away_until: date | None,
    actor: Actor,
    now: datetime,
) -> ReviewerProfile:
    """Set how many open assignments a reviewer takes at most, and the dates they are away."""
    reviewer = _reviewer(session, reviewer_id)
    errors = {}
    if not 0 <= capacity <= 100:
        errors["capacity"] = "Capacity is a number of open assignments from 0 to 100."
    if (away_from is None) != (away_until is None):
        errors["away_until"] = "Give both the first and the last day away, or neither."
    elif away_from and away_until < away_from:
        errors["away_until"] = "The last day away cannot be before the first."
    if errors:
        raise InvalidInput(errors)
    profile = session.get(ReviewerProfile, reviewer.id) or ReviewerProfile(user_id=reviewer.id, updated_at=now)
    session.add(profile)
    profile.capacity, profile.away_from, profile.away_until, profile.updated_at = capacity, away_from, away_until, now
    session.flush()
    record_event(
        session,
        actor=actor,
        action="review.profile",
        subject_type="user",
        subject_id=reviewer.id,
        summary={
            "capacity": capacity,
            "away_from": str(away_from) if away_from else None,
            "away_until": str(away_until) if away_until else None,
        },
        now=now,
    )
    routing.route_waiting(session, now=now)
    return profile


def declare_conflict(
    session: Session, reviewer_id: int, teacher_id: int, *, reason: str, actor: Actor, now: datetime
) -> ReviewConflict:
    """Record that a reviewer must never review a teacher (declared by either an admin or the reviewer)."""
    reviewer = _reviewer(session, reviewer_id)
    teacher = session.get(User, teacher_id)
    if teacher is None or TEACHER not in teacher.roles:
        raise InvalidInput({"teacher": "Choose a teacher."})
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput({"reason": "Say what the conflict is (for example: relative, direct supervisor)."})
    existing = session.scalar(
        select(ReviewConflict).where(ReviewConflict.reviewer_id == reviewer.id, ReviewConflict.teacher_id == teacher.id)
    )
    if existing is not None:
        return existing
    conflict = ReviewConflict(
        reviewer_id=reviewer.id, teacher_id=teacher.id, reason=reason[:2000], declared_by_id=actor.id, created_at=now
    )
    session.add(conflict)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="review.conflict",
        subject_type="user",
        subject_id=reviewer.id,
        summary={"teacher": teacher.id, "reason": reason},
        now=now,
    )
    for assignment in session.scalars(
        select(Assignment)
        .join(Attempt)
        .where(Assignment.reviewer_id == reviewer.id, Assignment.status == ASSIGNED, Attempt.teacher_id == teacher.id)
    ):
        _reassign(session, assignment, reason="A conflict of interest was declared.", actor=actor, now=now)
    return conflict


def add_holiday(session: Session, day: date, name: str, *, actor: Actor, now: datetime) -> Holiday:
    """Add a day that business-day deadlines skip."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput({"name": "Name the holiday."})
    holiday = session.get(Holiday, day) or Holiday(day=day, name=name[:120])
    holiday.name = name[:120]
    session.add(holiday)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="review.holiday",
        subject_type="holiday",
        subject_id=day.isoformat(),
        summary={"name": name},
        now=now,
    )
    return holiday


def reassign(session: Session, assignment_id: int, *, reason: str, actor: Actor, now: datetime) -> None:
    """An admin takes an open assignment away from its reviewer; the attempt is routed to someone else."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("There is no such assignment.")
    if assignment.status != ASSIGNED:
        raise Conflict("Only an open assignment can be reassigned.")
    if not (reason or "").strip():
        raise InvalidInput({"reason": "Say why the assignment moves."})
    _reassign(session, assignment, reason=reason.strip(), actor=actor, now=now)


@dataclass(frozen=True)
class SweepReport:
    overdue: int
    reassigned: int


def sweep_overdue(session: Session, *, now: datetime) -> SweepReport:
    """Move overdue assignments to another reviewer, tell the reviewer and the admins, and route waiting work."""
    overdue = session.scalars(
        select(Assignment).where(Assignment.status == ASSIGNED, Assignment.due_on < now.date())
    ).all()
    moved = 0
    head = letterhead(session)
    admins = session.scalars(select(User).where(User.is_active.is_(True), User.role_rows.any(role=ISSUER_ADMIN))).all()
    for assignment in overdue:
        result = _reassign(
            session,
            assignment,
            reason=f"Overdue since {us_date(assignment.due_on)}.",
            actor=routing.ROUTER,
            now=now,
        )
        moved += bool(result.assigned)
        code = routing.anonymous_code(assignment.attempt_id)
        for person in [assignment.reviewer, *admins]:
            letter = emails.overdue_review_moved(
                head,
                name=person.name,
                code=code,
                due_on=assignment.due_on,
                reassigned=bool(result.assigned),
                attempt_id=assignment.attempt_id,
                to_reviewer=person is assignment.reviewer,
            )
            queue_letter(session, letter, kind="review_overdue", recipient=person.email, now=now)
    routing.route_waiting(session, now=now)
    return SweepReport(overdue=len(overdue), reassigned=moved)


def return_incomplete(session: Session, attempt_id: int, *, reason: str, actor: Actor, now: datetime) -> Attempt:
    """Send evidence back to the teacher unscored (unreadable files, say); they fix it and submit again."""
    attempt = _attempt(session, attempt_id)
    if attempt.status not in (SUBMITTED, IN_REVIEW):
        raise Conflict("Only evidence waiting for review can be returned.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "Tell the teacher what is incomplete."})
    # Submitted reviews end too: they scored evidence the teacher is about to change.
    for assignment in session.scalars(
        select(Assignment).where(Assignment.attempt_id == attempt.id, Assignment.status.in_(ACTIVE_STATUSES))
    ):
        assignment.status, assignment.ended_at, assignment.end_reason = "cancelled", now, "Returned as incomplete."
    attempt.status, attempt.submitted_at, attempt.expected_decision_on = DRAFT, None, None
    attempt.updated_at = now
    session.flush()
    queue_letter(
        session,
        emails.returned_incomplete(letterhead(session), attempt, reason=reason),
        kind="returned_incomplete",
        recipient=attempt.teacher.email,
        now=now,
    )
    record_event(
        session,
        actor=actor,
        action="attempt.return_incomplete",
        subject_type="attempt",
        subject_id=attempt.id,
        summary={"reason": reason},
        now=now,
    )
    return attempt


def override_decision(
    session: Session, attempt_id: int, *, outcome: str, reason: str, actor: Actor, now: datetime
) -> Attempt:
    """Change a decision (earned / not yet), always with a recorded reason."""
    attempt = _attempt(session, attempt_id)
    if outcome not in (EARNED, NOT_YET):
        raise InvalidInput({"outcome": "Choose earned or not yet."})
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "An override needs a reason; it is kept in the audit trail."})
    if attempt.status not in (EARNED, NOT_YET):
        raise Conflict("Only a decided attempt can be overridden.")
    if attempt.status == outcome:
        raise Conflict(f"The attempt is already {outcome.replace('_', ' ')}; nothing was changed.")
    before = attempt.status
    attempt.status, attempt.decided_at, attempt.updated_at = outcome, now, now
    session.flush()
    record_event(
        session,
        actor=actor,
        action="attempt.override",
        subject_type="attempt",
        subject_id=attempt.id,
        summary={"from": before, "to": outcome, "reason": reason},
        now=now,
    )
    if outcome == EARNED:
        request_issuance(session, attempt, now=now)
    else:
        # Not issued yet: the request goes. Already issued: revocation (a separate, audited step) undoes it.
        session.execute(
            delete(IssuanceRequest).where(
                IssuanceRequest.attempt_id == attempt.id, IssuanceRequest.processed_at.is_(None)
            )
        )
    notify_decision(session, attempt, now=now)
    return attempt


def _attempt(session: Session, attempt_id: int) -> Attempt:
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound("There is no such attempt.")
    return attempt


def _reassign(session: Session, assignment: Assignment, *, reason: str, actor: Actor, now: datetime):
    assignment.status, assignment.ended_at, assignment.end_reason = REASSIGNED, now, reason[:2000]
    session.flush()
    record_event(
        session,
        actor=actor,
        action="review.reassign",
        subject_type="attempt",
        subject_id=assignment.attempt_id,
        summary={"from": assignment.reviewer_id, "reason": reason},
        now=now,
    )
    return routing.route_attempt(
        session, assignment.attempt, now=now, role=assignment.role, needed=1 if assignment.role == "tiebreak" else None
    )
