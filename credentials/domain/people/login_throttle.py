"""Sign-in throttling: at most 10 failed tries per account and per client address in 15 minutes."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ...storage.models import FailedLogin
from ..errors import TooManyAttempts

MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)


def check_login_allowed(session: Session, *, email: str, client_address: str, now: datetime) -> None:
    """Raise ``TooManyAttempts`` when the account or the address has used up its tries in the window."""
    since = now - WINDOW
    for column, value in ((FailedLogin.email, email), (FailedLogin.client_address, client_address)):
        count, oldest = session.execute(
            select(func.count(), func.min(FailedLogin.at)).where(column == value, FailedLogin.at > since)
        ).one()
        if count >= MAX_FAILURES:
            retry_after = max(1, math.ceil((oldest + WINDOW - now).total_seconds()))
            minutes = -(-retry_after // 60)
            raise TooManyAttempts(
                f"Too many failed sign-in attempts. For your security, sign-in is paused; "
                f"try again in {minutes} minute{'s' if minutes != 1 else ''}, or reset your password.",
                retry_after=retry_after,
            )


def record_failed_login(session: Session, *, email: str, client_address: str, now: datetime) -> None:
    """Count one failed try (unknown addresses count too, so responses never reveal which accounts exist)."""
    session.add(FailedLogin(at=now, email=email[:254], client_address=client_address[:64]))
    session.flush()


def purge_failed_logins(session: Session, *, now: datetime) -> int:
    """Delete failures older than the window; returns how many."""
    result = session.execute(delete(FailedLogin).where(FailedLogin.at <= now - WINDOW))
    return result.rowcount or 0
