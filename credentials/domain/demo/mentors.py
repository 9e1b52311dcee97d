"""The demo district's mentors: two teachers who earned a micro-credential offer to help colleagues with it, and one
colleague has asked for help and waits for an answer. Needs the demo credentials (so it runs after them); each part
runs once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...storage.models import HelpRequest, MentorOffer, User
from ..errors import PermissionDenied
from ..mentoring import offers, requests

# (mentor's e-mail, micro-credential, what they offer)
MENTORS = (
    (
        "maria.lopez@riverside.example.org",
        "exit-tickets",
        "Happy to look at a week of your exit tickets with you, or to visit a lesson at Riverside Elementary.",
    ),
    (
        "aisha.okafor@riverside.example.org",
        "structured-academic-conversations",
        "I can share my sentence frames and talk through how I set up partner talk with sixth graders.",
    ),
)
ASKER = "noah.williams@riverside.example.org"
QUESTION = (
    "My fifth graders stall after the first sentence frame. Could we talk for twenty minutes about how you teach "
    "them to build on each other's ideas?"
)


def load_demo_mentors(session: Session, *, now: datetime) -> int:
    """Add the offers and the waiting request that are not there yet; returns how many offers were made."""
    people = {user.email: user for user in session.scalars(select(User)).all()}
    made = 0
    for email, slug, note in MENTORS:
        mentor = people.get(email)
        if mentor is None or session.scalar(
            select(func.count(MentorOffer.id)).where(MentorOffer.teacher_id == mentor.id)
        ):
            continue
        try:
            offers.volunteer(session, mentor, slug, note=note, now=now)  # they hold it: the demo credentials came first
        except PermissionDenied:  # their credential is not there (the demo was loaded without keys before)
            continue
        made += 1
    asker, mentor = people.get(ASKER), people.get(MENTORS[1][0])
    asked = asker is not None and session.scalar(
        select(func.count(HelpRequest.id)).where(HelpRequest.asker_id == asker.id)
    )
    if asker and mentor and not asked and made_or_there(session, mentor):
        requests.ask(session, asker, MENTORS[1][1], mentor.id, message=QUESTION, now=now)
    return made


def made_or_there(session: Session, mentor: User) -> bool:
    """Whether the mentor has an offer standing (so a colleague can ask them)."""
    found = select(func.count(MentorOffer.id)).where(
        MentorOffer.teacher_id == mentor.id, MentorOffer.withdrawn_at.is_(None)
    )
    return bool(session.scalar(found))
