"""One-time tokens for password reset and invitation: random, stored only as SHA-256, single use, expiring."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ...storage.models import OneTimeToken, User
from ..errors import DomainError

# What a token is for, as stored (``one_time_tokens.purpose``).
PASSWORD_RESET = "password_reset"  # noqa: S105 - a token purpose
INVITATION = "invitation"
TOKEN_PURPOSES = (PASSWORD_RESET, INVITATION)
LIFETIMES = {PASSWORD_RESET: timedelta(hours=1), INVITATION: timedelta(days=7)}


class TokenRejected(DomainError):
    """A link that cannot be used; the message says why and what to do."""

    status = 400


def issue_token(session: Session, *, user: User, purpose: str, now: datetime) -> str:
    """Create a token and return its secret value (shown once, in the e-mailed link)."""
    value = secrets.token_urlsafe(32)
    session.add(
        OneTimeToken(
            user_id=user.id,
            purpose=purpose,
            token_sha256=_digest(value),
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    session.flush()
    return value


def redeem_token(session: Session, *, value: str, purpose: str, now: datetime, consume: bool) -> OneTimeToken:
    """Return the live token for ``value`` (marking it used when ``consume``), or raise ``TokenRejected``."""
    token = session.scalar(
        select(OneTimeToken).where(OneTimeToken.token_sha256 == _digest(value), OneTimeToken.purpose == purpose)
    )
    what = "password reset" if purpose == PASSWORD_RESET else "invitation"
    if token is None:
        raise TokenRejected(f"This {what} link is not valid. Check that you copied the whole link.")
    if token.used_at is not None:
        # Used, or voided: by a newer link, a new password or a deactivation (``void_tokens``).
        raise TokenRejected(
            "This password reset link has already been used, or the password was changed since it was sent. "
            "Each link works once; request a new one if you need it."
            if purpose == PASSWORD_RESET
            else "This invitation link has already been used, or a newer invitation or a password set since "
            "replaced it. Each link works once."
        )
    if token.expires_at <= now:
        raise TokenRejected(
            f"This {what} link has expired. "
            + ("Request a new one." if purpose == PASSWORD_RESET else "Ask your district administrator for a new one.")
        )
    if not token.user.is_active:
        raise TokenRejected(f"This {what} link is no longer valid.")
    if consume:
        token.used_at = now
        session.flush()
    return token


def void_tokens(session: Session, *, user: User, now: datetime, purpose: str | None = None) -> None:
    """Make every unused token of ``user`` (of one purpose, or all) unusable."""
    query = update(OneTimeToken).where(OneTimeToken.user_id == user.id, OneTimeToken.used_at.is_(None))
    if purpose:
        query = query.where(OneTimeToken.purpose == purpose)
    session.execute(query.values(used_at=now))


def count_recent(session: Session, *, user: User, purpose: str, since: datetime) -> int:
    """How many tokens of ``purpose`` were issued to ``user`` since ``since``."""
    return (
        session.scalar(
            select(func.count())
            .select_from(OneTimeToken)
            .where(OneTimeToken.user_id == user.id, OneTimeToken.purpose == purpose, OneTimeToken.created_at >= since)
        )
        or 0
    )


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
