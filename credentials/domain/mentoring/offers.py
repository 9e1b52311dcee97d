"""Mentor offers: a teacher who holds a micro-credential volunteers to help colleagues with it, and may stop.

"Holds" means a credential for any version of it, theirs or issued from a district record to their e-mail address,
that is neither revoked, suspended nor expired. A mentor who stops holding it drops out of the lists by itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from ...storage.models import IssuedCredential, MentorOffer, MicroCredential, MicroCredentialVersion, User
from ..audit import Actor, record_event
from ..catalog.microcredentials import get_microcredential
from ..errors import Conflict, InvalidInput, PermissionDenied
from ..people.roles import TEACHER
from .vocabulary import MAX_NOTE


def holding(user_id: ColumnElement, user_email: ColumnElement, microcredential_id: int, now: datetime):
    """An EXISTS clause: the person (given as columns or values) holds a valid credential for the micro-credential."""
    return exists(
        select(IssuedCredential.id)
        .join(MicroCredentialVersion, MicroCredentialVersion.id == IssuedCredential.version_id)
        .where(
            MicroCredentialVersion.microcredential_id == microcredential_id,
            or_(IssuedCredential.recipient_id == user_id, func.lower(IssuedCredential.recipient_email) == user_email),
            IssuedCredential.revoked_at.is_(None),
            IssuedCredential.suspended_at.is_(None),
            or_(IssuedCredential.valid_until.is_(None), IssuedCredential.valid_until > now),
        )
    )


def holds(session: Session, user: User, microcredential_id: int, now: datetime) -> bool:
    """Whether ``user`` holds a valid credential for the micro-credential."""
    return bool(session.scalar(select(holding(user.id, user.email.lower(), microcredential_id, now))))


def offer_of(session: Session, user: User, microcredential_id: int) -> MentorOffer | None:
    """The person's offer for the micro-credential, withdrawn or not (None when they never made one)."""
    return session.scalar(
        select(MentorOffer).where(
            MentorOffer.teacher_id == user.id, MentorOffer.microcredential_id == microcredential_id
        )
    )


def mentorable(session: Session, teacher: User, slug: str, now: datetime) -> MicroCredential:
    """The micro-credential at ``slug``, when ``teacher`` may mentor on it; ``PermissionDenied`` otherwise."""
    microcredential = get_microcredential(session, slug)
    if not teacher.has_role(TEACHER) or not teacher.is_active:
        raise PermissionDenied("Only teachers can volunteer as mentors.")
    if not holds(session, teacher, microcredential.id, now):
        raise PermissionDenied("You can mentor on a micro-credential while you hold a valid credential for it.")
    return microcredential


def volunteer(session: Session, teacher: User, slug: str, *, note: str, now: datetime) -> MentorOffer:
    """The teacher offers to mentor on the micro-credential (or changes the note of their offer)."""
    microcredential = mentorable(session, teacher, slug, now)
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE:
        raise InvalidInput({"note": f"Keep the note to {MAX_NOTE:,} characters or fewer (it has {len(note):,})."})
    offer = offer_of(session, teacher, microcredential.id)
    again = offer is not None and offer.withdrawn_at is not None
    if offer is None:
        offer = MentorOffer(teacher_id=teacher.id, microcredential_id=microcredential.id, note=note, since=now)
        session.add(offer)
        action = "mentor.volunteer"
    elif again:
        offer.since, offer.withdrawn_at, offer.note = now, None, note
        action = "mentor.volunteer"
    elif offer.note == note:
        return offer
    else:
        offer.note = note
        action = "mentor.change_note"
    session.flush()
    record_event(
        session, actor=Actor.user(teacher), action=action, subject_type="microcredential",
        subject_id=microcredential.id, summary={"note": note or None}, now=now,
    )  # fmt: skip
    return offer


def withdraw(session: Session, teacher: User, slug: str, *, now: datetime) -> MentorOffer:
    """The teacher stops mentoring on the micro-credential; requests already made stay answerable."""
    microcredential = get_microcredential(session, slug)
    offer = offer_of(session, teacher, microcredential.id)
    if offer is None or offer.withdrawn_at is not None:
        raise Conflict("You are not mentoring on this micro-credential.")
    offer.withdrawn_at = now
    session.flush()
    record_event(
        session, actor=Actor.user(teacher), action="mentor.withdraw", subject_type="microcredential",
        subject_id=microcredential.id, now=now,
    )  # fmt: skip
    return offer
