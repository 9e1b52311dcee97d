"""Who coaches whom: coaches are assigned by admins to schools or to the whole district, and may see and review the
growth plans of the teachers at those schools. The one statement of that rule is ``coaches`` / ``may_coach``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...storage.models import CoachAssignment, School, User, UserRole
from ..audit import Actor, record_event
from ..errors import Conflict, InvalidInput, NotFound
from .roles import COACH, TEACHER

WHOLE_DISTRICT = "The whole district"


@dataclass(frozen=True)
class CoachingScope:
    """Where one coach coaches: the whole district, or these schools (by id, with their names)."""

    whole_district: bool
    schools: tuple[tuple[int, str], ...]

    @property
    def is_empty(self) -> bool:
        return not self.whole_district and not self.schools

    @property
    def label(self) -> str:
        if self.whole_district:
            return WHOLE_DISTRICT
        return ", ".join(name for _, name in self.schools) or "No school yet"


def coaching_scope(session: Session, coach_id: int) -> CoachingScope:
    """The schools (or the whole district) one coach is assigned to."""
    rows = session.execute(
        select(CoachAssignment.school_id, School.name)
        .outerjoin(School, School.id == CoachAssignment.school_id)
        .where(CoachAssignment.coach_id == coach_id)
        .order_by(School.name)
    ).all()
    return CoachingScope(
        whole_district=any(school_id is None for school_id, _ in rows),
        schools=tuple((school_id, name) for school_id, name in rows if school_id is not None),
    )


def _active_coaches() -> Select:
    return (
        select(User.id)
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == COACH))
        .where(User.deactivated_at.is_(None))
    )


def coaches_of(session: Session, teacher: User) -> list[User]:
    """The active coaches of a teacher: those assigned to the teacher's school or to the whole district, by name."""
    covers = or_(CoachAssignment.school_id.is_(None), CoachAssignment.school_id == teacher.school_id)
    ids = select(CoachAssignment.coach_id).where(covers, CoachAssignment.coach_id.in_(_active_coaches()))
    return list(session.scalars(select(User).where(User.id.in_(ids), User.id != teacher.id).order_by(User.name)))


def may_coach(session: Session, coach: User, teacher: User) -> bool:
    """Whether ``coach`` coaches ``teacher``: an active coach assigned to the teacher's school or the whole district,
    and not the teacher themselves."""
    if coach.id == teacher.id or COACH not in coach.roles or coach.deactivated_at is not None:
        return False
    covers = or_(CoachAssignment.school_id.is_(None), CoachAssignment.school_id == teacher.school_id)
    found = select(CoachAssignment.id).where(CoachAssignment.coach_id == coach.id, covers).limit(1)
    return session.scalar(found) is not None


def teachers_coached_by(coach_id: int) -> Select:
    """A query of the ids of the active teachers one coach coaches (for lists and boards to filter with)."""
    schools = select(CoachAssignment.school_id).where(
        CoachAssignment.coach_id == coach_id, CoachAssignment.school_id.is_not(None)
    )
    mine = CoachAssignment.coach_id == coach_id
    district = select(CoachAssignment.id).where(mine, CoachAssignment.school_id.is_(None))
    return (
        select(User.id)
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == TEACHER))
        .where(
            User.deactivated_at.is_(None),
            User.id != coach_id,
            or_(district.exists(), User.school_id.in_(schools)),
        )
    )


def assign_coach(
    session: Session, coach_id: int, school_id: int | None, *, actor: Actor, now: datetime
) -> CoachAssignment:
    """Assign a coach to a school, or to the whole district with ``school_id`` None."""
    coach = session.get(User, coach_id)
    if coach is None:
        raise NotFound("There is no such person.")
    if COACH not in coach.roles:
        raise InvalidInput({"school": f"{coach.name} is not a coach: give them the Coach role first."})
    school = None
    if school_id is not None:
        school = session.get(School, school_id)
        if school is None or not school.is_active:
            raise InvalidInput({"school": "Choose one of the district's open schools."})
    existing = session.scalar(
        select(CoachAssignment).where(
            CoachAssignment.coach_id == coach_id,
            CoachAssignment.school_id.is_(None) if school_id is None else CoachAssignment.school_id == school_id,
        )
    )
    if existing is not None:
        raise Conflict(f"{coach.name} already coaches {school.name if school else 'the whole district'}.")
    assignment = CoachAssignment(coach_id=coach_id, school_id=school_id, created_at=now)
    try:
        with session.begin_nested():  # two admins assigning at the same moment: the first one's row stands
            session.add(assignment)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{coach.name} already coaches {school.name if school else 'the whole district'}.") from exc
    record_event(
        session, actor=actor, action="coach.assign", subject_type="user", subject_id=coach_id,
        summary={"school": school.name if school else WHOLE_DISTRICT, "school_id": school_id}, now=now,
    )  # fmt: skip
    return assignment


def unassign_coach(session: Session, assignment_id: int, *, actor: Actor, now: datetime) -> None:
    """End one of a coach's assignments."""
    assignment = session.get(CoachAssignment, assignment_id)
    if assignment is None:
        raise NotFound("That assignment no longer exists.")
    school = session.get(School, assignment.school_id) if assignment.school_id is not None else None
    session.delete(assignment)
    session.flush()
    record_event(
        session, actor=actor, action="coach.unassign", subject_type="user", subject_id=assignment.coach_id,
        summary={"school": school.name if school else WHOLE_DISTRICT, "school_id": assignment.school_id}, now=now,
    )  # fmt: skip
