"""Mentoring (issue 18): teachers who hold a micro-credential offer to help colleagues with it, and colleagues ask
them for help. The statuses a request may have are spelled out in the domain (credentials.domain.mentoring
.vocabulary); tests/domain/mentoring/test_vocabulary.py keeps them and the CHECK constraint in step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class MentorOffer(Base):
    """A teacher's offer to mentor colleagues on one micro-credential; withdrawing it keeps the row (and its history),
    and volunteering again reuses it."""

    __tablename__ = "mentor_offers"
    __table_args__ = (UniqueConstraint("teacher_id", "microcredential_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    microcredential_id: Mapped[int] = mapped_column(ForeignKey("microcredentials.id"), index=True)
    note: Mapped[str] = mapped_column(String(300), default="")
    since: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<MentorOffer {self.teacher_id} {self.microcredential_id}>"


class HelpRequest(Base):
    """A teacher asking a mentor for help with one micro-credential, and the mentor's answer."""

    __tablename__ = "help_requests"
    __table_args__ = (
        CheckConstraint("status IN ('asked', 'accepted', 'declined')", name="status"),
        Index("ix_help_requests_mentor_id_status", "mentor_id", "status"),
        Index("ix_help_requests_asker_id_created_at", "asker_id", "created_at"),
        # One open request per asker, mentor and micro-credential, even when two tabs send at once.
        Index(
            "uq_help_requests_one_open",
            "asker_id",
            "mentor_id",
            "microcredential_id",
            unique=True,
            sqlite_where=text("status = 'asked'"),
            postgresql_where=text("status = 'asked'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    asker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    microcredential_id: Mapped[int] = mapped_column(ForeignKey("microcredentials.id"))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<HelpRequest {self.id} {self.status}>"
