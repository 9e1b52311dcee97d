"""Who coaches whom: by school or the whole district, active coaches only, never oneself; assignments audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from credentials.domain.audit import Actor
from credentials.domain.errors import Conflict, InvalidInput
from credentials.domain.people import coaching
from credentials.storage.models import AuditEvent, CoachAssignment, User

SYSTEM = Actor.system("test")


def test_a_school_coach_coaches_that_schools_teachers_only(build, session, clock):
    oak, pine = build.school("Oak"), build.school("Pine")
    coach = build.user("coach", school=oak)
    ada, ben = build.user("teacher", school=oak), build.user("teacher", school=pine)
    with session.begin():
        coaching.assign_coach(session, coach.id, oak.id, actor=SYSTEM, now=clock())
    coach, ada, ben = (session.get(User, person.id) for person in (coach, ada, ben))
    assert coaching.may_coach(session, coach, ada) and not coaching.may_coach(session, coach, ben)
    assert [c.id for c in coaching.coaches_of(session, ada)] == [coach.id] and coaching.coaches_of(session, ben) == []
    assert set(session.scalars(coaching.teachers_coached_by(coach.id))) == {ada.id}
    assert coaching.coaching_scope(session, coach.id).label == "Oak"


def test_a_district_coach_coaches_everyone_but_never_themselves(build, session, clock):
    principal = build.user("coach", "teacher", school=build.school("Oak"))
    ben = build.user("teacher", school=build.school("Pine"))
    with session.begin():
        coaching.assign_coach(session, principal.id, None, actor=SYSTEM, now=clock())
    principal, ben = session.get(User, principal.id), session.get(User, ben.id)
    assert coaching.may_coach(session, principal, ben)
    assert not coaching.may_coach(session, principal, principal)
    assert set(session.scalars(coaching.teachers_coached_by(principal.id))) == {ben.id}
    assert coaching.coaching_scope(session, principal.id).label == "The whole district"


def test_a_deactivated_coach_or_one_without_the_role_coaches_nobody(build, session, clock):
    oak = build.school("Oak")
    coach = build.user("coach", school=oak)
    teacher = build.user("teacher", school=oak)
    with session.begin():
        coaching.assign_coach(session, coach.id, oak.id, actor=SYSTEM, now=clock())
        session.get(User, coach.id).deactivated_at = clock()
    assert not coaching.may_coach(session, session.get(User, coach.id), session.get(User, teacher.id))
    assert coaching.coaches_of(session, session.get(User, teacher.id)) == []
    session.rollback()
    plain = build.user("teacher", school=oak)
    with pytest.raises(InvalidInput) as refused, session.begin():
        coaching.assign_coach(session, plain.id, oak.id, actor=SYSTEM, now=clock())
    assert "is not a coach" in refused.value.errors["school"]


def test_assignments_are_audited_and_not_doubled(build, session, clock):
    oak = build.school("Oak")
    coach = build.user("coach", school=oak)
    with session.begin():
        assignment = coaching.assign_coach(session, coach.id, oak.id, actor=SYSTEM, now=clock())
    with pytest.raises(Conflict), session.begin():
        coaching.assign_coach(session, coach.id, oak.id, actor=SYSTEM, now=clock())
    with session.begin():
        coaching.unassign_coach(session, assignment.id, actor=SYSTEM, now=clock())
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("coach.%"))).all()
    assert actions == ["coach.assign", "coach.unassign"]
    assert coaching.coaching_scope(session, coach.id).is_empty


def test_the_database_itself_refuses_a_second_whole_district_row(build, session, clock):
    # The domain checks first; this index is what stops two admins whose checks ran at the same moment.
    coach = build.user("coach")
    with session.begin():
        session.add(CoachAssignment(coach_id=coach.id, school_id=None, created_at=clock()))
    with pytest.raises(IntegrityError), session.begin():
        session.add(CoachAssignment(coach_id=coach.id, school_id=None, created_at=clock()))
    assert len(session.scalars(select(CoachAssignment).where(CoachAssignment.coach_id == coach.id)).all()) == 1
