"""A teacher's attempt at a micro-credential: answers, uploaded artifacts, and the decision per criterion."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base
from .catalog import MicroCredential, MicroCredentialVersion

# The values attempts.status holds. Attempt statuses are the domain's vocabulary
# (credentials.domain.portfolio.statuses); these names remain for code that still reads them here, and
# tests/storage/test_vocabulary.py keeps both in step with the CHECK constraint and the one-open-attempt index.
DRAFT = "draft"
SUBMITTED = "submitted"
IN_REVIEW = "in_review"
NOT_YET = "not_yet"
EARNED = "earned"
WITHDRAWN = "withdrawn"
STATUSES = (DRAFT, SUBMITTED, IN_REVIEW, NOT_YET, EARNED, WITHDRAWN)
OPEN_STATUSES = (DRAFT, SUBMITTED, IN_REVIEW)


class Attempt(Base):
    """One attempt, bound to the micro-credential version current when it began (a resubmission keeps it).

    ``revision`` guards against two browser tabs, or a submit and a withdraw, changing the attempt at once.
    """

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("teacher_id", "microcredential_id", "number"),
        CheckConstraint(
            "status IN ('draft', 'submitted', 'in_review', 'not_yet', 'earned', 'withdrawn')", name="status"
        ),
        Index(
            "uq_attempts_one_open_per_teacher",
            "teacher_id",
            "microcredential_id",
            unique=True,
            sqlite_where=text("status IN ('draft', 'submitted', 'in_review')"),
            postgresql_where=text("status IN ('draft', 'submitted', 'in_review')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    microcredential_id: Mapped[int] = mapped_column(ForeignKey("microcredentials.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("microcredential_versions.id"))
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default=DRAFT)
    previous_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))
    note_to_reviewers: Mapped[str | None] = mapped_column(Text)
    privacy_attested_at: Mapped[datetime | None]
    # What the teacher lets the public credential show (default: nothing beyond the rubric results).
    share_reflection: Mapped[bool] = mapped_column(default=False, server_default=false())
    share_evidence: Mapped[bool] = mapped_column(default=False, server_default=false())
    # What was submitted: every answer's word count and every artifact's SHA-256, frozen at submission.
    submission_manifest: Mapped[dict | None] = mapped_column(JSON)
    overall_feedback: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    expected_decision_on: Mapped[date | None]
    withdrawn_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    revision: Mapped[int] = mapped_column(default=1)

    teacher: Mapped[User] = relationship()
    microcredential: Mapped[MicroCredential] = relationship()
    version: Mapped[MicroCredentialVersion] = relationship()
    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan", order_by="Answer.prompt_key")
    artifacts: Mapped[list[Artifact]] = relationship(cascade="all, delete-orphan", order_by="Artifact.id")
    results: Mapped[list[CriterionResult]] = relationship(
        cascade="all, delete-orphan", order_by="CriterionResult.criterion_key"
    )

    __mapper_args__ = {"version_id_col": revision}

    def __repr__(self) -> str:
        return f"<Attempt {self.id} {self.status}>"


class Answer(Base):
    """The teacher's text or link for one prompt."""

    __tablename__ = "attempt_answers"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), primary_key=True)
    prompt_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    text: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    updated_at: Mapped[datetime]


class Artifact(Base):
    """One uploaded file. The bytes live in the evidence store under ``sha256``; the name is for display only."""

    __tablename__ = "attempt_artifacts"
    __table_args__ = (Index("ix_attempt_artifacts_attempt_id_prompt_key", "attempt_id", "prompt_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    prompt_key: Mapped[str] = mapped_column(String(60))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_at: Mapped[datetime]


class CriterionResult(Base):
    """The decision on one rubric criterion of a decided attempt, with the reviewers' feedback."""

    __tablename__ = "attempt_criterion_results"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), primary_key=True)
    criterion_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    level_key: Mapped[str | None] = mapped_column(String(60))
    met: Mapped[bool]
    feedback: Mapped[str] = mapped_column(Text, default="")
    # True when the criterion was met in an earlier attempt and carried into this one.
    carried_forward: Mapped[bool] = mapped_column(default=False)
