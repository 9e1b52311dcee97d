"""What happened in review to one attempt, for the issuer admin: every assignment and its scores, the decision,
and the review events of the audit trail (reassignments, returns, overrides), as plain rows in four queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ...storage.models import Assignment, Attempt, AuditEvent, User
from ...storage.models.attempts import EARNED, IN_REVIEW, NOT_YET, SUBMITTED
from ..errors import NotFound
from ..portfolio.statuses import STATUS_LABELS
from .reports import ROLE_LABELS
from .routing import anonymous_code

ASSIGNMENT_STATUS_LABELS = {
    "assigned": "Assigned, not yet submitted",
    "submitted": "Submitted",
    "recused": "Recused",
    "reassigned": "Reassigned",
    "cancelled": "Cancelled",
}
OUTCOME_LABELS = {EARNED: "Earned", NOT_YET: "Not yet"}
EVENT_LABELS = {
    "attempt.start": "Started by the teacher",
    "attempt.upload": "File uploaded",
    "attempt.remove_file": "File removed",
    "attempt.submit": "Submitted by the teacher",
    "attempt.withdraw": "Withdrawn by the teacher",
    "attempt.decide": "Decided",
    "attempt.override": "Decision overridden",
    "attempt.return_incomplete": "Returned as incomplete",
    "review.assign": "Assigned",
    "review.submit": "Review submitted",
    "review.recuse": "Reviewer recused",
    "review.reassign": "Reassigned",
    "review.disagreement": "Reviewers disagreed: tie-breaker needed",
}


@dataclass(frozen=True)
class ScoreRow:
    criterion: str
    level: str
    feedback: str


@dataclass(frozen=True)
class AssignmentRow:
    assignment_id: int
    reviewer: str
    role_label: str
    status: str
    status_label: str
    assigned_at: datetime
    due_on: date
    submitted_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    outcome_label: str | None
    overall_feedback: str
    scores: tuple[ScoreRow, ...]


@dataclass(frozen=True)
class ResultRow:
    criterion: str
    level: str
    met: bool
    carried_forward: bool
    feedback: str


@dataclass(frozen=True)
class EventRow:
    occurred_at: datetime
    actor: str
    label: str
    reason: str | None


@dataclass(frozen=True)
class AttemptReview:
    """One attempt as the admin sees it in review."""

    attempt_id: int
    code: str
    teacher: str
    school: str
    title: str
    version: int
    number: int
    status: str
    status_label: str
    submitted_at: datetime | None
    expected_decision_on: date | None
    decided_at: datetime | None
    overall_feedback: str | None
    assignments: tuple[AssignmentRow, ...]
    results: tuple[ResultRow, ...]
    events: tuple[EventRow, ...]

    @property
    def can_return(self) -> bool:
        return self.status in (SUBMITTED, IN_REVIEW)

    @property
    def can_override(self) -> bool:
        return self.status in (EARNED, NOT_YET)


def attempt_review(session: Session, attempt_id: int) -> AttemptReview:
    """The attempt's assignments (oldest first) with their scores, its decision and its review history."""
    attempt = session.scalar(
        select(Attempt)
        .options(joinedload(Attempt.teacher), joinedload(Attempt.version), selectinload(Attempt.results))
        .where(Attempt.id == attempt_id)
    )
    if attempt is None:
        raise NotFound("There is no such attempt.")
    criteria = {c["key"]: c for c in attempt.version.definition["rubric"]["criteria"]}
    assignments = session.scalars(
        select(Assignment)
        .options(joinedload(Assignment.reviewer).load_only(User.id, User.name), selectinload(Assignment.scores))
        .where(Assignment.attempt_id == attempt.id)
        .order_by(Assignment.assigned_at, Assignment.id)
    ).all()
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "attempt", AuditEvent.subject_id == str(attempt.id))
        .order_by(AuditEvent.seq)
    ).all()
    return AttemptReview(
        attempt_id=attempt.id,
        code=anonymous_code(attempt.id),
        teacher=attempt.teacher.name,
        school=attempt.teacher.school.name,
        title=attempt.version.title,
        version=attempt.version.number,
        number=attempt.number,
        status=attempt.status,
        status_label=STATUS_LABELS.get(attempt.status, attempt.status),
        submitted_at=attempt.submitted_at,
        expected_decision_on=attempt.expected_decision_on,
        decided_at=attempt.decided_at,
        overall_feedback=attempt.overall_feedback,
        assignments=tuple(_assignment_row(a, criteria) for a in assignments),
        results=tuple(
            ResultRow(
                criterion=criteria.get(r.criterion_key, {}).get("name", r.criterion_key),
                level=_level_name(criteria.get(r.criterion_key), r.level_key),
                met=r.met,
                carried_forward=r.carried_forward,
                feedback=r.feedback,
            )
            for r in _in_rubric_order(attempt.results, criteria)
        ),
        events=tuple(
            EventRow(
                occurred_at=e.occurred_at,
                actor=e.actor_label,
                label=EVENT_LABELS.get(e.action, e.action),
                reason=(e.summary or {}).get("reason"),
            )
            for e in events
        ),
    )


def _assignment_row(assignment: Assignment, criteria: dict[str, dict]) -> AssignmentRow:
    return AssignmentRow(
        assignment_id=assignment.id,
        reviewer=assignment.reviewer.name,
        role_label=ROLE_LABELS.get(assignment.role, assignment.role),
        status=assignment.status,
        status_label=ASSIGNMENT_STATUS_LABELS.get(assignment.status, assignment.status),
        assigned_at=assignment.assigned_at,
        due_on=assignment.due_on,
        submitted_at=assignment.submitted_at,
        ended_at=assignment.ended_at,
        end_reason=assignment.end_reason,
        outcome_label=OUTCOME_LABELS.get(assignment.outcome) if assignment.outcome else None,
        overall_feedback=assignment.overall_feedback,
        scores=tuple(
            ScoreRow(
                criterion=criteria.get(s.criterion_key, {}).get("name", s.criterion_key),
                level=_level_name(criteria.get(s.criterion_key), s.level_key),
                feedback=s.feedback,
            )
            for s in _in_rubric_order(assignment.scores, criteria)
        ),
    )


def _in_rubric_order(rows, criteria: dict[str, dict]) -> list:
    order = {key: i for i, key in enumerate(criteria)}
    return sorted(rows, key=lambda r: (order.get(r.criterion_key, len(order)), r.criterion_key))


def _level_name(criterion: dict | None, level_key: str | None) -> str:
    if level_key is None:
        return "No level chosen"
    levels = {lv["key"]: lv["name"] for lv in (criterion or {}).get("levels", [])}
    return levels.get(level_key, level_key)
