"""Suggestions a teacher has dismissed: a dismissed micro-credential is not suggested to them again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class SuggestionDismissal(Base):
    """One teacher's "not for me" on one suggested micro-credential; undoing it deletes the row."""

    __tablename__ = "suggestion_dismissals"
    __table_args__ = (UniqueConstraint("teacher_id", "microcredential_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    microcredential_id: Mapped[int] = mapped_column(ForeignKey("microcredentials.id"), index=True)
    dismissed_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<SuggestionDismissal {self.teacher_id} {self.microcredential_id}>"
