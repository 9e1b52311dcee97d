"""The admin's page of one person: their account and, for a coach, where they coach and where they could."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.models import CoachAssignment, School, User
from .accounts import get_user
from .coaching import CoachingScope
from .organizations import school_choices
from .roles import COACH

WHOLE_DISTRICT_CHOICE = "district"


@dataclass(frozen=True)
class CoachingPlace:
    """One of a coach's assignments: its id (to end it) and the school's name, or the whole district."""

    assignment_id: int
    place: str


@dataclass(frozen=True)
class CoachingSection:
    """Where a coach coaches and the places (the whole district, open schools) they could be assigned to next."""

    is_coach: bool
    scope: CoachingScope
    places: tuple[CoachingPlace, ...]
    options: tuple[tuple[str, str], ...]  # (form value, label): "district" or a school id


@dataclass(frozen=True)
class PersonPage:
    user: User
    coaching: CoachingSection | None  # None for someone who is not a coach and has no assignment left


def person_page(session: Session, user_id: int) -> PersonPage:
    """The person an admin opens, with their coaching section when they are a coach (or still have assignments)."""
    user = get_user(session, user_id)
    rows = session.execute(
        select(CoachAssignment.id, CoachAssignment.school_id, School.name)
        .outerjoin(School, School.id == CoachAssignment.school_id)
        .where(CoachAssignment.coach_id == user.id)
        .order_by(CoachAssignment.school_id.is_not(None), School.name)
    ).all()
    if COACH not in user.roles and not rows:
        return PersonPage(user=user, coaching=None)
    scope = CoachingScope(
        whole_district=any(school_id is None for _, school_id, _ in rows),
        schools=tuple((school_id, name) for _, school_id, name in rows if school_id is not None),
    )
    places = tuple(
        CoachingPlace(assignment_id, "The whole district" if school_id is None else name)
        for assignment_id, school_id, name in rows
    )
    taken = {school_id for _, school_id, _ in rows}
    options = ([] if scope.whole_district else [(WHOLE_DISTRICT_CHOICE, "The whole district")]) + [
        (str(school_id), name) for school_id, name in school_choices(session) if school_id not in taken
    ]
    return PersonPage(user=user, coaching=CoachingSection(COACH in user.roles, scope, places, tuple(options)))
