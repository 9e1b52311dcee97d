"""The coach's list of plans: those of the teachers they coach that wait for a review (oldest request first), that
they or another coach are reviewing, and that are under way; drafts are only counted. Two queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from ...storage.models import CheckIn, Goal, GrowthPlan, School, SchoolYear, User
from ..people import coaching
from .vocabulary import ACTIVE, DRAFT, IN_REVIEW, PLAN_STATUS_LABELS, WAITING_FOR_REVIEW

LISTED = (WAITING_FOR_REVIEW, IN_REVIEW, ACTIVE)


@dataclass(frozen=True)
class QueueRow:
    plan_id: int
    teacher_name: str
    school: str
    school_year: str
    status: str
    status_label: str
    review_requested_at: datetime | None
    reviewer_name: str | None
    goals: int
    updated_at: datetime
    latest_check_in: date | None  # the newest check-in on any of the plan's goals


@dataclass(frozen=True)
class CoachQueue:
    waiting: tuple[QueueRow, ...]
    in_review: tuple[QueueRow, ...]
    active: tuple[QueueRow, ...]
    drafts: int

    @property
    def empty(self) -> bool:
        return not (self.waiting or self.in_review or self.active or self.drafts)


def coach_queue(session: Session, coach: User) -> CoachQueue:
    """The plans of the teachers ``coach`` coaches, by where they stand."""
    teachers = coaching.teachers_coached_by(coach.id)
    reviewer = aliased(User)
    goals = select(func.count(Goal.id)).where(Goal.plan_id == GrowthPlan.id).scalar_subquery()
    latest = (
        select(func.max(CheckIn.checked_on))
        .join(Goal, Goal.id == CheckIn.goal_id)
        .where(Goal.plan_id == GrowthPlan.id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            GrowthPlan.id,
            User.name,
            School.name,
            SchoolYear.name,
            GrowthPlan.status,
            GrowthPlan.review_requested_at,
            reviewer.name,
            goals,
            GrowthPlan.updated_at,
            latest,
        )
        .join(User, User.id == GrowthPlan.teacher_id)
        .join(School, School.id == User.school_id)
        .join(SchoolYear, SchoolYear.id == GrowthPlan.school_year_id)
        .outerjoin(reviewer, reviewer.id == GrowthPlan.reviewer_id)
        .where(GrowthPlan.teacher_id.in_(teachers), GrowthPlan.status.in_(LISTED))
        .order_by(
            case({WAITING_FOR_REVIEW: 0, IN_REVIEW: 1}, value=GrowthPlan.status, else_=2),
            GrowthPlan.review_requested_at,
            User.name,
            GrowthPlan.id,
        )
    ).all()
    listed = [
        QueueRow(pid, name, school, year, status, PLAN_STATUS_LABELS[status], requested, rname, count, updated, last)
        for pid, name, school, year, status, requested, rname, count, updated, last in rows
    ]
    drafts = session.scalar(
        select(func.count(GrowthPlan.id)).where(GrowthPlan.teacher_id.in_(teachers), GrowthPlan.status == DRAFT)
    )
    return CoachQueue(
        waiting=tuple(r for r in listed if r.status == WAITING_FOR_REVIEW),
        in_review=tuple(r for r in listed if r.status == IN_REVIEW),
        active=tuple(r for r in listed if r.status == ACTIVE),
        drafts=drafts or 0,
    )


def plans_waiting(session: Session, coach: User) -> int:
    """How many plans of the coach's teachers wait for a review (for the coach's start page)."""
    teachers = coaching.teachers_coached_by(coach.id)
    found = session.scalar(
        select(func.count(GrowthPlan.id)).where(
            GrowthPlan.teacher_id.in_(teachers), GrowthPlan.status == WAITING_FOR_REVIEW
        )
    )
    return found or 0
