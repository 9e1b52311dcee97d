"""Which schools each coach is assigned to; a row without a school covers the whole district."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class CoachAssignment(Base):
    """One coach assigned to one school (``school_id``) or to the whole district (``school_id`` is NULL)."""

    __tablename__ = "coach_assignments"
    __table_args__ = (
        UniqueConstraint("coach_id", "school_id"),
        Index("ix_coach_assignments_school_id", "school_id"),
        # NULLs are distinct in a unique constraint, so the whole-district row needs its own partial unique index.
        Index(
            "uq_coach_assignments_whole_district",
            "coach_id",
            unique=True,
            sqlite_where=text("school_id IS NULL"),
            postgresql_where=text("school_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<CoachAssignment {self.coach_id} {self.school_id or 'district'}>"
