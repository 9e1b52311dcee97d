"""Help requests: a teacher asks a mentor for help with a micro-credential, and the mentor accepts or declines.

No e-mail address is shown to either until the mentor accepts: the mentor's letter carries the asker's name and
message and a link to answer; on acceptance each is sent the other's address (and the pages show it); on a decline
nothing is shared. A teacher has at most one open request per mentor and micro-credential, and may ask
``ASKS_PER_DAY`` times in any 24 hours."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...storage.models import HelpRequest, MentorOffer, MicroCredential, User
from ..audit import Actor, record_event
from ..catalog.microcredentials import current_version, get_microcredential
from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ..letters import letterhead, queue_letter
from ..letters import mentoring as emails
from ..people.roles import TEACHER
from .offers import holds
from .vocabulary import ACCEPTED, ASKED, ASKS_PER_DAY, DECLINED, MAX_MESSAGE

MY_MENTORING = "/my/mentoring"
NOT_OFFERING = "This person is not offering help with this micro-credential."


def active_mentor(session: Session, mentor_id: int, microcredential: MicroCredential, now: datetime) -> User:
    """The mentor, while they offer help with the micro-credential, are active and still hold it; else NotFound."""
    mentor = session.get(User, mentor_id)
    offer = (
        session.scalar(
            select(MentorOffer).where(
                MentorOffer.teacher_id == mentor_id,
                MentorOffer.microcredential_id == microcredential.id,
                MentorOffer.withdrawn_at.is_(None),
            )
        )
        if mentor is not None
        else None
    )
    if offer is None or not mentor.is_active or not holds(session, mentor, microcredential.id, now):
        raise NotFound(NOT_OFFERING)
    return mentor


def open_request(session: Session, asker_id: int, mentor_id: int, microcredential_id: int) -> HelpRequest | None:
    """The asker's request to the mentor about the micro-credential that waits for an answer, if any."""
    return session.scalar(
        select(HelpRequest).where(
            HelpRequest.asker_id == asker_id,
            HelpRequest.mentor_id == mentor_id,
            HelpRequest.microcredential_id == microcredential_id,
            HelpRequest.status == ASKED,
        )
    )


def ask(session: Session, asker: User, slug: str, mentor_id: int, *, message: str, now: datetime) -> HelpRequest:
    """The teacher asks the mentor for help; the mentor is e-mailed the asker's name and message (no address)."""
    if not asker.has_role(TEACHER):
        raise PermissionDenied("Only teachers can ask mentors for help.")
    microcredential = get_microcredential(session, slug)
    if mentor_id == asker.id:
        raise Conflict("You cannot ask yourself for help.")
    mentor = active_mentor(session, mentor_id, microcredential, now)
    message = (message or "").strip()
    if not message:
        raise InvalidInput({"message": "Say what you would like help with."})
    if len(message) > MAX_MESSAGE:
        raise InvalidInput({"message": f"Keep it to {MAX_MESSAGE:,} characters or fewer (it has {len(message):,})."})
    if open_request(session, asker.id, mentor.id, microcredential.id) is not None:
        raise InvalidInput({"message": f"You already asked {mentor.name} about this; wait for their answer."})
    asked_today = session.scalar(
        select(func.count(HelpRequest.id)).where(
            HelpRequest.asker_id == asker.id, HelpRequest.created_at > now - timedelta(days=1)
        )
    )
    if asked_today >= ASKS_PER_DAY:
        raise InvalidInput(
            {"message": f"You have asked for help {ASKS_PER_DAY} times in the last day; please try again tomorrow."}
        )
    entry = HelpRequest(
        mentor_id=mentor.id, asker_id=asker.id, microcredential_id=microcredential.id, message=message,
        status=ASKED, created_at=now,
    )  # fmt: skip
    try:
        with session.begin_nested():  # a second tab sending at the same moment: that one counts, this one is told
            session.add(entry)
            session.flush()
    except IntegrityError:
        raise InvalidInput({"message": f"You already asked {mentor.name} about this; wait for their answer."}) from None
    title = microcredential_title(session, microcredential)
    letter = emails.help_asked(
        letterhead(session), mentor=mentor.name, asker=asker.name, title=title, message=message, path=MY_MENTORING
    )
    queue_letter(session, letter, kind="mentoring", recipient=mentor.email, now=now)
    _audit(session, asker, entry, "help.ask", now, mentor=mentor.name)
    return entry


def answer(session: Session, mentor: User, request_id: int, *, accept: bool, now: datetime) -> HelpRequest:
    """The mentor accepts (both are sent the other's address) or declines (the asker is told; nothing is shared)."""
    entry = session.get(HelpRequest, request_id)
    if entry is None or entry.mentor_id != mentor.id:
        raise NotFound("There is no such request for help.")
    if entry.status != ASKED:
        raise Conflict("You have already answered this request for help.")
    entry.status, entry.answered_at = (ACCEPTED if accept else DECLINED), now
    session.flush()
    asker = session.get(User, entry.asker_id)
    title = microcredential_title(session, session.get(MicroCredential, entry.microcredential_id))
    head = letterhead(session)
    if accept:
        to_asker = emails.help_accepted(
            head, to=asker.name, other=mentor.name, email=mentor.email, title=title, asker=True, path=MY_MENTORING
        )
        to_mentor = emails.help_accepted(
            head, to=mentor.name, other=asker.name, email=asker.email, title=title, asker=False, path=MY_MENTORING
        )
        queue_letter(session, to_mentor, kind="mentoring", recipient=mentor.email, now=now)
    else:
        to_asker = emails.help_declined(head, to=asker.name, mentor=mentor.name, title=title)
    queue_letter(session, to_asker, kind="mentoring", recipient=asker.email, now=now)
    _audit(session, mentor, entry, "help.accept" if accept else "help.decline", now, asker=asker.name)
    return entry


def microcredential_title(session: Session, microcredential: MicroCredential) -> str:
    """The title of the micro-credential's published version (its latest version's when it is retired)."""
    try:
        return current_version(session, microcredential.slug).title
    except NotFound:
        return max(microcredential.versions, key=lambda v: v.number).title


def _audit(session: Session, actor: User, entry: HelpRequest, action: str, now: datetime, **names: str) -> None:
    record_event(
        session, actor=Actor.user(actor), action=action, subject_type="microcredential",
        subject_id=entry.microcredential_id, summary={"request": entry.id, **names}, now=now,
    )  # fmt: skip
