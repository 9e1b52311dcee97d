"""Failed sign-in attempts, counted per account and per client address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class FailedLogin(Base):
    """One failed sign-in. Rows older than the throttle window are purged."""

    __tablename__ = "failed_logins"
    __table_args__ = (
        Index("ix_failed_logins_email_at", "email", "at"),
        Index("ix_failed_logins_client_address_at", "client_address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    email: Mapped[str] = mapped_column(String(254))
    client_address: Mapped[str] = mapped_column(String(64))
