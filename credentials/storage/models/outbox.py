"""E-mail written in the same transaction as the change that caused it, delivered after commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

# The values outbox_messages.status holds. Outbox statuses are the domain's vocabulary (credentials.domain.outbox);
# these names remain for code that still reads them here, and tests/storage/test_vocabulary.py keeps both in step
# with the CHECK constraint.
PENDING = "pending"
SENT = "sent"
LOGGED = "logged"
FAILED = "failed"


class OutboxMessage(Base):
    """One e-mail and its delivery state."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'logged', 'failed')", name="status"),
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    # The same letter as HTML (the text part is always there; messages queued before HTML e-mail have none).
    body_html: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"
