"""Signing in, changing a password, and resetting a forgotten one by an e-mailed one-time link."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.models import User
from ..audit import Actor, record_event
from ..errors import DomainError, InvalidInput
from ..letters import emails, letterhead, queue_letter
from . import one_time_tokens
from .accounts import new_session_token, normalize_email
from .login_throttle import check_login_allowed, record_failed_login
from .one_time_tokens import PASSWORD_RESET
from .passwords import PasswordPolicy

RESET_EMAILS_PER_HOUR = 3

# Builds the absolute URL of a one-time link: (purpose, token) -> URL. The web layer supplies it.
LinkMaker = Callable[[str, str], str]


class SignInFailed(DomainError):
    """Wrong e-mail or password, or an inactive account; deliberately the same message for each."""

    status = 401

    def __init__(self):
        super().__init__("That e-mail address and password do not match an active account.")


def authenticate(
    session: Session, passwords: PasswordPolicy, *, email: str, password: str, client_address: str, now: datetime
) -> User:
    """Check a sign-in. Raises ``TooManyAttempts`` or ``SignInFailed``; the caller records failures durably."""
    address = (email or "").strip().lower()[:254]
    check_login_allowed(session, email=address, client_address=client_address, now=now)
    user = session.scalar(select(User).where(User.email == address))
    password_ok = passwords.verify(user.password_hash if user else None, password or "")
    if user is None or not password_ok or not user.is_active:
        raise SignInFailed()
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    user.last_login_at = now
    record_event(
        session,
        actor=Actor.user(user),
        action="user.sign_in",
        subject_type="user",
        subject_id=user.id,
        summary={"client_address": client_address},
        now=now,
    )
    return user


def sign_out(session: Session, user: User, *, client_address: str, now: datetime) -> None:
    """End every session of ``user``: a new session token makes each copy of the old login cookie worthless."""
    # One token per account, so this signs out every device, as a password change does.
    user.session_token = new_session_token()
    record_event(
        session,
        actor=Actor.user(user),
        action="user.sign_out",
        subject_type="user",
        subject_id=user.id,
        summary={"client_address": client_address},
        now=now,
    )


def note_failed_sign_in(session: Session, *, email: str, client_address: str, now: datetime) -> None:
    """Count a failed sign-in toward the throttle (call it in a transaction of its own)."""
    record_failed_login(session, email=(email or "").strip().lower(), client_address=client_address, now=now)


def change_password(
    session: Session, passwords: PasswordPolicy, user: User, *, current_password: str, new_password: str, now: datetime
) -> None:
    """Replace the password after checking the current one; signs out every other session."""
    if not passwords.verify(user.password_hash, current_password or ""):
        raise InvalidInput({"current_password": "That is not your current password."})
    if current_password == new_password:
        raise InvalidInput({"new_password": "Choose a password different from the current one."})
    set_password(session, passwords, user, new_password, now=now, field="new_password")
    record_event(
        session,
        actor=Actor.user(user),
        action="user.change_password",
        subject_type="user",
        subject_id=user.id,
        summary={},
        now=now,
    )


def request_password_reset(session: Session, *, email: str, link_for: LinkMaker, now: datetime) -> None:
    """E-mail a reset link if the address belongs to an active account. Says nothing either way."""
    try:
        address = normalize_email(email)
    except InvalidInput:
        return
    user = session.scalar(select(User).where(User.email == address, User.is_active.is_(True)))
    if user is None:
        return
    recent = one_time_tokens.count_recent(session, user=user, purpose=PASSWORD_RESET, since=now - timedelta(hours=1))
    if recent >= RESET_EMAILS_PER_HOUR:
        return  # a flood of resets would only fill the person's inbox
    token = one_time_tokens.issue_token(session, user=user, purpose=PASSWORD_RESET, now=now)
    lifetime = one_time_tokens.LIFETIMES[PASSWORD_RESET]
    letter = emails.password_reset(
        letterhead(session),
        name=user.name,
        minutes=int(lifetime.total_seconds() // 60),
        link=link_for(PASSWORD_RESET, token),
    )
    queue_letter(session, letter, kind="password_reset", recipient=user.email, now=now)
    record_event(
        session,
        actor=Actor.system("password-reset"),
        action="user.request_password_reset",
        subject_type="user",
        subject_id=user.id,
        summary={},
        now=now,
    )


def check_one_time_link(session: Session, *, purpose: str, token: str, now: datetime) -> User:
    """The user a live reset or invitation link belongs to, or ``TokenRejected`` saying why not."""
    return one_time_tokens.redeem_token(session, value=token, purpose=purpose, now=now, consume=False).user


def reset_password(
    session: Session, passwords: PasswordPolicy, *, token: str, new_password: str, now: datetime
) -> User:
    """Set a new password through a reset link; the link and every other open link stop working."""
    return set_password_by_link(
        session, passwords, purpose=PASSWORD_RESET, token=token, new_password=new_password,
        action="user.reset_password", now=now,
    )  # fmt: skip


def set_password_by_link(
    session: Session,
    passwords: PasswordPolicy,
    *,
    purpose: str,
    token: str,
    new_password: str,
    action: str,
    now: datetime,
) -> User:
    """Set the password of the person a live one-time link (of ``purpose``) belongs to, use up the link, and record
    ``action``; a password the policy refuses changes nothing."""
    user = check_one_time_link(session, purpose=purpose, token=token, now=now)
    problem = passwords.problem(new_password, email=user.email, name=user.name)
    if problem:
        raise InvalidInput({"password": problem})
    one_time_tokens.redeem_token(session, value=token, purpose=purpose, now=now, consume=True)
    set_password(session, passwords, user, new_password, now=now)
    record_event(
        session, actor=Actor.user(user), action=action, subject_type="user", subject_id=user.id, summary={}, now=now
    )
    return user


def set_password(
    session: Session, passwords: PasswordPolicy, user: User, password: str, *, now: datetime, field: str = "password"
) -> None:
    """Replace the password, sign out every session and void every open reset and invitation link."""
    problem = passwords.problem(password, email=user.email, name=user.name)
    if problem:
        raise InvalidInput({field: problem})
    user.password_hash = passwords.hash(password)
    user.session_token = new_session_token()
    # A link still in a mailbox must not set the password again behind the person's back.
    one_time_tokens.void_tokens(session, user=user, now=now)
    session.flush()
