"""Driving reviews in tests: find a submission's assignments and submit a reviewer's scores through the domain."""

from __future__ import annotations

from sqlalchemy import select

from credentials.domain.review import scoring
from credentials.domain.review.scoring import Scores
from credentials.storage.database import transaction
from credentials.storage.models import Assignment, User


def levels(**chosen: str) -> Scores:
    """Scores choosing these levels, with the feedback a submission needs (every not-yet level explained)."""
    feedback = {key: "Show one more example." for key, level in chosen.items() if level == "not-yet"}
    return Scores(dict(chosen), feedback, "Thank you for the clear evidence.")


def assignments(session, attempt_id: int) -> list[Assignment]:
    """Every assignment of the attempt, oldest first, read afresh through ``session``."""
    session.rollback()
    return session.scalars(select(Assignment).where(Assignment.attempt_id == attempt_id).order_by(Assignment.id)).all()


def assignments_of(services, attempt_id: int, *, status: str | None = "assigned", role: str | None = None):
    """The attempt's assignments (open ones by default), oldest first."""
    with services.session_factory() as session:
        query = select(Assignment).where(Assignment.attempt_id == attempt_id)
        if status:
            query = query.where(Assignment.status == status)
        if role:
            query = query.where(Assignment.role == role)
        return session.scalars(query.order_by(Assignment.id)).all()


def submit_review(services, assignment_id: int, scores: Scores) -> None:
    """The assigned reviewer submits ``scores`` at the clock's current time."""
    with transaction(services.session_factory) as session:
        assignment = session.get(Assignment, assignment_id)
        reviewer = session.get(User, assignment.reviewer_id)
        scoring.submit_review(session, assignment, reviewer, scores, now=services.clock())
