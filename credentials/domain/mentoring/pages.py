"""What the mentoring pages show, as plain data: the "Mentors" section of a micro-credential's page, the page to ask
a mentor, the page to volunteer, and "My mentoring" (requests made and received). E-mail addresses appear only on
accepted requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from ...storage.models import (
    HelpRequest,
    MentorOffer,
    MicroCredential,
    MicroCredentialVersion,
    School,
    User,
    UserRole,
)
from ...storage.models.catalog import PUBLISHED
from ..catalog.microcredentials import get_microcredential
from ..errors import NotFound, PermissionDenied
from ..people.roles import TEACHER
from .offers import holding, holds, mentorable, offer_of
from .requests import NOT_OFFERING, active_mentor, microcredential_title, open_request
from .vocabulary import ACCEPTED, ASKED, MAX_MENTORS_LISTED, STATUS_LABELS


@dataclass(frozen=True)
class Mentor:
    """One mentor as the list shows them; ``asked`` when the viewer's request to them waits for an answer."""

    id: int
    name: str
    school: str
    same_school: bool
    note: str
    since: datetime
    asked: bool


@dataclass(frozen=True)
class MentorsSection:
    """The "Mentors" section for a signed-in teacher: the mentors (their school first), and whether the viewer holds
    the micro-credential (may volunteer) and mentors on it now."""

    slug: str
    mentors: tuple[Mentor, ...]
    viewer_holds: bool
    viewer_mentors: bool
    viewer_note: str


def mentors_section(session: Session, slug: str, viewer: User, now: datetime) -> MentorsSection:
    """The section for ``viewer``, in four statements whatever the number of mentors."""
    microcredential = get_microcredential(session, slug)
    is_teacher = exists(select(UserRole.user_id).where(UserRole.user_id == User.id, UserRole.role == TEACHER))
    rows = session.execute(
        select(User.id, User.name, User.school_id, School.name.label("school"), MentorOffer.note, MentorOffer.since)
        .join(User, User.id == MentorOffer.teacher_id)
        .join(School, School.id == User.school_id)
        .where(
            MentorOffer.microcredential_id == microcredential.id,
            MentorOffer.withdrawn_at.is_(None),
            MentorOffer.teacher_id != viewer.id,
            User.is_active.is_(True),
            is_teacher,
            holding(User.id, func.lower(User.email), microcredential.id, now),
        )
        .order_by((User.school_id != viewer.school_id), User.name, User.id)
        .limit(MAX_MENTORS_LISTED)
    ).all()
    asked = set(
        session.scalars(
            select(HelpRequest.mentor_id).where(
                HelpRequest.asker_id == viewer.id,
                HelpRequest.microcredential_id == microcredential.id,
                HelpRequest.status == ASKED,
            )
        )
    )
    offer = offer_of(session, viewer, microcredential.id)
    mentoring = offer is not None and offer.withdrawn_at is None
    return MentorsSection(
        slug=slug,
        mentors=tuple(
            Mentor(
                id=row.id,
                name=row.name,
                school=row.school,
                same_school=row.school_id == viewer.school_id,
                note=row.note,
                since=row.since,
                asked=row.id in asked,
            )
            for row in rows
        ),
        viewer_holds=holds(session, viewer, microcredential.id, now),
        viewer_mentors=mentoring,
        viewer_note=offer.note if mentoring else "",
    )


@dataclass(frozen=True)
class AskPage:
    """The page to ask one mentor for help with one micro-credential."""

    slug: str
    title: str
    mentor_id: int
    mentor_name: str
    mentor_school: str
    note: str
    already_asked: bool


def ask_page(session: Session, slug: str, mentor_id: int, viewer: User, now: datetime) -> AskPage:
    """The ask page; NotFound when the person does not (or no longer) mentors on it, or is the viewer."""
    if not viewer.has_role(TEACHER):
        raise PermissionDenied("Only teachers can ask mentors for help.")
    microcredential = get_microcredential(session, slug)
    if mentor_id == viewer.id:  # the same answer as for someone who does not mentor: asking oneself leads nowhere
        raise NotFound(NOT_OFFERING)
    mentor = active_mentor(session, mentor_id, microcredential, now)
    offer = offer_of(session, mentor, microcredential.id)
    return AskPage(
        slug=slug,
        title=microcredential_title(session, microcredential),
        mentor_id=mentor.id,
        mentor_name=mentor.name,
        mentor_school=mentor.school.name,
        note=offer.note if offer else "",
        already_asked=open_request(session, viewer.id, mentor.id, microcredential.id) is not None,
    )


@dataclass(frozen=True)
class VolunteerPage:
    """The page to volunteer as a mentor (or change the note of one's offer)."""

    slug: str
    title: str
    mentoring: bool
    note: str


def volunteer_page(session: Session, slug: str, teacher: User, now: datetime) -> VolunteerPage:
    """The volunteer page; PermissionDenied for anyone who does not hold the micro-credential."""
    microcredential = mentorable(session, teacher, slug, now)
    offer = offer_of(session, teacher, microcredential.id)
    mentoring = offer is not None and offer.withdrawn_at is None
    return VolunteerPage(
        slug=slug,
        title=microcredential_title(session, microcredential),
        mentoring=mentoring,
        note=offer.note if mentoring else "",
    )


@dataclass(frozen=True)
class RequestView:
    """One request for help as one party sees it: the other person, and their address only once accepted."""

    id: int
    other: str
    other_email: str
    slug: str
    title: str
    message: str
    status: str
    status_label: str
    created_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class MyMentoring:
    """The requests a person made and the ones made to them, newest first."""

    made: tuple[RequestView, ...]
    received: tuple[RequestView, ...]


MAX_LISTED = 100


def my_mentoring(session: Session, user: User) -> MyMentoring:
    """Both lists, in two statements (titles of retired micro-credentials come from their latest version)."""
    return MyMentoring(
        made=_requests(session, HelpRequest.asker_id, HelpRequest.mentor_id, user.id),
        received=_requests(session, HelpRequest.mentor_id, HelpRequest.asker_id, user.id),
    )


def _requests(session: Session, mine, theirs, user_id: int) -> tuple[RequestView, ...]:
    other = aliased(User)
    latest = (
        select(MicroCredentialVersion.title)
        .where(MicroCredentialVersion.microcredential_id == MicroCredential.id)
        .order_by((MicroCredentialVersion.status != PUBLISHED), MicroCredentialVersion.number.desc())
        .limit(1)
        .correlate(MicroCredential)
        .scalar_subquery()
    )
    rows = session.execute(
        select(HelpRequest, other.name, other.email, MicroCredential.slug, latest.label("title"))
        .join(other, other.id == theirs)
        .join(MicroCredential, MicroCredential.id == HelpRequest.microcredential_id)
        .where(mine == user_id)
        .order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc())
        .limit(MAX_LISTED)
    ).all()
    return tuple(
        RequestView(
            id=r.id,
            other=name,
            other_email=email if r.status == ACCEPTED else "",
            slug=slug,
            title=title or slug,
            message=r.message,
            status=r.status,
            status_label=STATUS_LABELS[r.status],
            created_at=r.created_at,
            answered_at=r.answered_at,
        )
        for r, name, email, slug, title in rows
    )
