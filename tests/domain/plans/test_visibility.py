"""Who may see a goal: the yes/no for one goal (the goal page) and the SQL condition (the boards) agree."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from credentials.domain.plans.visibility import declared_to, goal_sight
from credentials.storage.database import transaction
from credentials.storage.models import Goal, GrowthPlan, User


def _seen_by_query(session, goal_id: int, viewer) -> bool:
    query = (
        select(Goal.id)
        .join(GrowthPlan, GrowthPlan.id == Goal.plan_id)
        .join(User, User.id == GrowthPlan.teacher_id)
        .where(Goal.id == goal_id, declared_to(viewer))
    )
    return session.scalar(query) is not None


@pytest.mark.parametrize(
    ("visibility", "status", "share", "viewer_key", "sees", "numbers"),
    [
        ("school", "active", False, "same_school", True, False),
        ("school", "active", True, "same_school", True, True),
        ("school", "active", True, "other_school", False, False),
        ("district", "in_review", False, "other_school", True, False),
        ("public", "waiting_for_review", True, "visitor", True, True),
        ("district", "active", True, "visitor", False, False),
        ("private", "active", True, "same_school", False, False),
        ("school", "draft", True, "same_school", False, False),
        ("school", "complete", True, "same_school", True, True),
        ("private", "draft", False, "teacher", True, True),
        ("private", "active", False, "coach", True, True),
    ],
)
def test_the_goal_page_and_the_boards_agree_on_who_sees_a_goal(
    build, grow, services, visibility, status, share, viewer_key, sees, numbers
):
    teacher, coach = grow.teacher_and_coach()
    with services.session_factory() as session:
        school_id = session.get(User, teacher.id).school_id
    viewers = {
        "same_school": build.user("teacher", school=SimpleNamespace(id=school_id)),
        "other_school": build.user("teacher", school=build.school()),
        "teacher": teacher,
        "coach": coach,
        "visitor": None,
    }
    plan = grow.plan(teacher, status=status, coach=coach)
    with transaction(services.session_factory) as session:
        session.execute(update(Goal).where(Goal.plan_id == plan.id).values(visibility=visibility, share_progress=share))
    with services.session_factory() as session:
        goal = session.scalars(select(Goal).where(Goal.plan_id == plan.id)).one()
        viewer = session.get(User, viewers[viewer_key].id) if viewers[viewer_key] is not None else None
        sight = goal_sight(session, goal, goal.plan, session.get(User, teacher.id), viewer)
        assert (sight.goal, sight.numbers) == (sees, numbers)
        assert sight.whole_plan is (viewer_key in ("teacher", "coach"))
        if viewer_key not in ("teacher", "coach"):
            assert _seen_by_query(session, goal.id, viewer) is sees


def test_a_deactivated_teachers_goals_are_no_longer_declared(build, grow, services):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="active", coach=coach)
    colleague = build.user("teacher", school=build.school())
    with transaction(services.session_factory) as session:
        session.execute(update(Goal).where(Goal.plan_id == plan.id).values(visibility="district"))
        session.execute(update(User).where(User.id == teacher.id).values(is_active=False))
    with services.session_factory() as session:
        goal = session.scalars(select(Goal).where(Goal.plan_id == plan.id)).one()
        viewer = session.get(User, colleague.id)
        assert not goal_sight(session, goal, goal.plan, session.get(User, teacher.id), viewer).goal
        assert not _seen_by_query(session, goal.id, viewer)
