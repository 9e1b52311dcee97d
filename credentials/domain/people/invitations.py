"""Invitations: an admin creates an account without a password; the person chooses one through an e-mailed link."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from ...storage.models import User
from ..audit import Actor, record_event
from ..errors import Conflict
from ..letters import emails, letterhead, queue_letter
from . import one_time_tokens
from .accounts import create_user, role_label
from .one_time_tokens import INVITATION
from .passwords import PasswordPolicy
from .roles import COACH, ISSUER_ADMIN, REVIEWER, TEACHER
from .sign_in import LinkMaker, set_password_by_link


def invite_user(
    session: Session,
    *,
    email: str,
    name: str,
    roles: Iterable[str],
    school_id: int,
    actor: Actor,
    issuer_name: str,
    link_for: LinkMaker,
    now: datetime,
) -> User:
    """Create an account without a password and e-mail a link that lets the person choose one."""
    user = create_user(
        session, None, email=email, name=name, roles=roles, school_id=school_id, password=None, actor=actor, now=now
    )
    _send_invitation(session, user, issuer_name=issuer_name, link_for=link_for, now=now)
    record_event(
        session,
        actor=actor,
        action="user.invite",
        subject_type="user",
        subject_id=user.id,
        summary={"email": user.email},
        now=now,
    )
    return user


def resend_invitation(
    session: Session, user: User, *, actor: Actor, issuer_name: str, link_for: LinkMaker, now: datetime
) -> None:
    """Send a fresh invitation link to someone who has not set a password; earlier links stop working."""
    if user.password_hash is not None:
        raise Conflict(f"{user.name} has already accepted the invitation.")
    if not user.is_active:
        raise Conflict(f"{user.name} is deactivated; reactivate the account first.")
    one_time_tokens.void_tokens(session, user=user, purpose=INVITATION, now=now)
    _send_invitation(session, user, issuer_name=issuer_name, link_for=link_for, now=now)
    record_event(
        session,
        actor=actor,
        action="user.resend_invitation",
        subject_type="user",
        subject_id=user.id,
        summary={"email": user.email},
        now=now,
    )


def accept_invitation(
    session: Session, passwords: PasswordPolicy, *, token: str, new_password: str, now: datetime
) -> User:
    """Choose the first password through an invitation link."""
    return set_password_by_link(
        session, passwords, purpose=INVITATION, token=token, new_password=new_password,
        action="user.accept_invitation", now=now,
    )  # fmt: skip


# What each role lets the invited person do, said to them ("Your role: coach (you review ...)").
ROLE_DUTIES = {
    TEACHER: "you earn micro-credentials with evidence from your own classroom",
    REVIEWER: "you score teachers' evidence against the micro-credentials' rubrics",
    ISSUER_ADMIN: "you manage the micro-credentials, people and schools, and issue credentials",
    COACH: "you review the growth plans of the teachers at the schools you coach; the district tells you which",
}


def invited_roles(roles: Iterable[str]) -> str:
    """The roles in the invitation's words: "teacher (you earn ...) and coach (you review ...)"."""
    said = [f"{role_label(r).lower()} ({ROLE_DUTIES[r]})" if r in ROLE_DUTIES else role_label(r) for r in sorted(roles)]
    return ", ".join(said[:-1]) + f" and {said[-1]}" if len(said) > 1 else "".join(said)


def _send_invitation(session: Session, user: User, *, issuer_name: str, link_for: LinkMaker, now: datetime) -> None:
    token = one_time_tokens.issue_token(session, user=user, purpose=INVITATION, now=now)
    days = one_time_tokens.LIFETIMES[INVITATION].days
    roles = invited_roles(user.roles)
    letter = emails.invitation(
        letterhead(session),
        name=user.name,
        email=user.email,
        district=issuer_name,
        roles=roles,
        days=days,
        link=link_for(INVITATION, token),
    )
    queue_letter(session, letter, kind="invitation", recipient=user.email, now=now)
