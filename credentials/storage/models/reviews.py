"""Review: who may review what (profiles, qualifications, conflicts, holidays), assignments and their scores."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .attempts import Attempt
from .base import Base

PRIMARY = "primary"
TIEBREAK = "tiebreak"
ASSIGNED = "assigned"
SUBMITTED = "submitted"
RECUSED = "recused"
REASSIGNED = "reassigned"
CANCELLED = "cancelled"
ACTIVE_STATUSES = (ASSIGNED, SUBMITTED)


class ReviewerProfile(Base):
    """How much review work a reviewer takes, and when they are away."""

    __tablename__ = "reviewer_profiles"
    __table_args__ = (CheckConstraint("capacity >= 0", name="capacity"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    capacity: Mapped[int] = mapped_column(default=5)
    away_from: Mapped[date | None] = mapped_column(Date)
    away_until: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime]

    user: Mapped[User] = relationship()


class Qualification(Base):
    """A reviewer may review one micro-credential, or every micro-credential carrying a tag."""

    __tablename__ = "reviewer_qualifications"
    __table_args__ = (
        CheckConstraint("(microcredential_id IS NULL) <> (tag IS NULL)", name="one_target"),
        UniqueConstraint("reviewer_id", "microcredential_id", "tag"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    microcredential_id: Mapped[int | None] = mapped_column(ForeignKey("microcredentials.id"))
    tag: Mapped[str | None] = mapped_column(String(60))
    granted_at: Mapped[datetime]


class ReviewConflict(Base):
    """A declared conflict of interest: the reviewer never reviews this teacher."""

    __tablename__ = "review_conflicts"
    __table_args__ = (UniqueConstraint("reviewer_id", "teacher_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class Holiday(Base):
    """A day the district does not count as a business day."""

    __tablename__ = "holidays"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class Assignment(Base):
    """One reviewer's job on one attempt, with their scores once they start."""

    __tablename__ = "review_assignments"
    __table_args__ = (
        CheckConstraint("role IN ('primary', 'tiebreak')", name="role"),
        CheckConstraint("status IN ('assigned', 'submitted', 'recused', 'reassigned', 'cancelled')", name="status"),
        Index(
            "uq_review_assignments_one_active_per_reviewer",
            "attempt_id",
            "reviewer_id",
            unique=True,
            sqlite_where=text("status IN ('assigned', 'submitted')"),
            postgresql_where=text("status IN ('assigned', 'submitted')"),
        ),
        Index("ix_review_assignments_reviewer_id_status_due_on", "reviewer_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(10), default=PRIMARY)
    status: Mapped[str] = mapped_column(String(10), default=ASSIGNED)
    assigned_at: Mapped[datetime]
    due_on: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(Text)
    overall_feedback: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(10))
    revision: Mapped[int] = mapped_column(default=1)

    attempt: Mapped[Attempt] = relationship()
    reviewer: Mapped[User] = relationship()
    scores: Mapped[list[ReviewScore]] = relationship(cascade="all, delete-orphan", order_by="ReviewScore.criterion_key")

    __mapper_args__ = {"version_id_col": revision}


class ReviewScore(Base):
    """The level a reviewer chose for one criterion, and their feedback on it."""

    __tablename__ = "review_scores"

    assignment_id: Mapped[int] = mapped_column(ForeignKey("review_assignments.id"), primary_key=True)
    criterion_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    level_key: Mapped[str | None] = mapped_column(String(60))
    feedback: Mapped[str] = mapped_column(Text, default="")
