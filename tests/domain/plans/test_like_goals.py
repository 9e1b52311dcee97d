"""Teachers with like goals: only what visibility.declared_to lets the viewer see, never the teacher, the current
school year only, for the teacher and their coaches only; fixed scores with the reason in words; a limit and a
count of the rest."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select, update

from credentials.domain.errors import NotFound
from credentials.domain.plans import like_goals
from credentials.storage.database import transaction
from credentials.storage.models import Goal, GrowthPlan, User
from tests.plans_builders import FOCUS

FEEDBACK = "tag:feedback"
TALK = "tag:student discourse"


@pytest.fixture
def cedar(build, grow):
    """A teacher at Cedar Elementary (grades 3 to 5, mathematics) with one goal on formative assessment and
    feedback, and Cedar's coach; the second school, Oak Middle, and its coach."""
    first, second = build.school("Cedar Elementary"), build.school("Oak Middle")
    coach_first, coach_second = grow.coach(first), grow.coach(second)
    teacher = build.user("teacher", school=first, name="Tess Teacher")
    goal_id = declared(build.services, grow, teacher, coach_first, focus=(FOCUS, FEEDBACK))
    teaches(build.services, teacher, "3-5", "math")
    return {
        "first": first,
        "second": second,
        "coach_first": coach_first,
        "coach_second": coach_second,
        "teacher": teacher,
        "goal_id": goal_id,
    }


def declared(services, grow, teacher, coach, *, visibility="school", focus=(FOCUS,), status="active", goals=1):
    """A plan in ``status`` whose goals are declared as asked; the first goal's id."""
    plan = grow.plan(teacher, status=status, coach=coach, goals=goals)
    with transaction(services.session_factory) as session:
        session.execute(update(Goal).where(Goal.plan_id == plan.id).values(visibility=visibility, focus=list(focus)))
        return session.scalar(select(Goal.id).where(Goal.plan_id == plan.id).order_by(Goal.position))


def teaches(services, user, grade_band, subject):
    with transaction(services.session_factory) as session:
        session.execute(update(User).where(User.id == user.id).values(grade_band=grade_band, subject=subject))


def colleague(build, grow, c, name, where="first", **kwargs):
    teacher = build.user("teacher", school=c[where], name=name)
    declared(build.services, grow, teacher, c[f"coach_{where}"], **kwargs)
    return teacher


def like(session, services, goal_id, viewer, **kwargs):
    session.rollback()
    who = session.get(User, viewer.id)
    return like_goals.like_goals(session, goal_id, who, now=services.clock(), **kwargs)


def names(result) -> list[str]:
    return [c.name for c in result.colleagues]


def test_only_goals_declared_to_the_viewer_are_listed(build, grow, services, session, cedar):
    c = cedar
    colleague(build, grow, c, "Sam Sameschool")
    colleague(build, grow, c, "Dee District", "second", visibility="district")
    colleague(build, grow, c, "Pia Public", "second", visibility="public")
    colleague(build, grow, c, "Oto Otherschool", "second", visibility="school")
    colleague(build, grow, c, "Pat Private", visibility="private")
    colleague(build, grow, c, "Dora Draft", visibility="public", status="draft")
    colleague(build, grow, c, "Wes Waiting", visibility="district", status="waiting_for_review")
    colleague(build, grow, c, "Una Unrelated", visibility="district", focus=(TALK,))
    gone = colleague(build, grow, c, "Dan Deactivated", visibility="district")
    with transaction(services.session_factory) as s:
        s.execute(update(User).where(User.id == gone.id).values(is_active=False, deactivated_at=services.clock()))

    result = like(session, services, c["goal_id"], c["teacher"])
    assert sorted(names(result)) == ["Dee District", "Pia Public", "Sam Sameschool", "Wes Waiting"]
    assert result.more == 0
    # A district coach (at the district office) coaches Tess, and sees what reaches them: not Cedar's school goals.
    district_coach = grow.coach(None)
    assert sorted(names(like(session, services, c["goal_id"], district_coach))) == [
        "Dee District",
        "Pia Public",
        "Wes Waiting",
    ]


def test_the_teacher_is_never_their_own_colleague(build, grow, services, session, cedar):
    c = cedar
    other = build.user("teacher", school=c["first"], name="Tom Twogoals")
    first_goal = declared(services, grow, other, c["coach_first"], visibility="district", goals=2)
    result = like(session, services, first_goal, other)
    assert "Tom Twogoals" not in names(result)
    assert names(result) == ["Tess Teacher"]


def test_goals_of_another_school_year_are_left_out(build, grow, services, session, cedar):
    c = cedar
    old = colleague(build, grow, c, "Olga Oldyear", visibility="district")
    year = grow.school_year("2025–26", date(2025, 8, 1), date(2026, 6, 30))
    with transaction(services.session_factory) as s:
        s.execute(update(GrowthPlan).where(GrowthPlan.teacher_id == old.id).values(school_year_id=year.id))
    assert names(like(session, services, c["goal_id"], c["teacher"])) == []
    # Nor is anything listed when no school year holds today.
    later = like_goals.like_goals(
        session, c["goal_id"], session.get(User, c["teacher"].id), now=datetime(2030, 1, 1, 12)
    )
    assert later.colleagues == () and later.board_focus == FOCUS


def test_only_the_teacher_and_their_coaches_get_the_list(build, grow, services, session, cedar):
    c = cedar
    colleague(build, grow, c, "Dee District", "second", visibility="district")
    assert names(like(session, services, c["goal_id"], c["coach_first"])) == ["Dee District"]
    # A colleague who sees the goal (it is declared to their school) and a coach of another school get nothing.
    onlooker = build.user("teacher", school=c["first"], name="Oona Onlooker")
    assert like(session, services, c["goal_id"], onlooker) is None
    assert like(session, services, c["goal_id"], c["coach_second"]) is None
    session.rollback()
    assert like_goals.like_goals(session, c["goal_id"], None, now=services.clock()) is None
    with pytest.raises(NotFound):
        like(session, services, 999_999, c["teacher"])


def test_colleagues_are_ranked_by_fixed_scores_with_the_reason_in_words(build, grow, services, session, cedar):
    c = cedar
    both = colleague(build, grow, c, "Zed Bothfocuses", "second", visibility="district", focus=(FEEDBACK, FOCUS))
    near = colleague(build, grow, c, "Nia Nearby", focus=(FOCUS,))
    teaches(services, near, "3-5", "math")
    ela = colleague(build, grow, c, "Eli English", "second", visibility="district", focus=(FEEDBACK,))
    teaches(services, ela, "3-5", "ela")
    colleague(build, grow, c, "Bob Tie", "second", visibility="district", focus=(FEEDBACK,))
    colleague(build, grow, c, "Ann Tie", "second", visibility="district", focus=(FEEDBACK,))
    teaches(services, both, "9-12", "science")

    result = like(session, services, c["goal_id"], c["teacher"])
    ranked = [(x.name, x.score, x.reason) for x in result.colleagues]
    assert ranked == [
        ("Zed Bothfocuses", 20, "Shares formative assessment and feedback"),
        ("Nia Nearby", 17, "Shares formative assessment; same school; also teaches grades 3 to 5 and mathematics"),
        ("Eli English", 12, "Shares feedback; also teaches grades 3 to 5"),
        ("Ann Tie", 10, "Shares feedback"),
        ("Bob Tie", 10, "Shares feedback"),
    ]
    first = result.colleagues[0]
    assert (first.school_name, first.teaches, first.shared) == (
        "Oak Middle",
        "Grades 9 to 12, Science",
        ("formative assessment", "feedback"),
    )
    with services.session_factory() as s:
        assert first.statement == s.get(Goal, first.goal_id).statement


def test_a_colleague_with_several_like_goals_is_listed_once_with_the_closest(build, grow, services, session, cedar):
    c = cedar
    two = build.user("teacher", school=c["second"], name="Tia Twogoals")
    first_goal = declared(services, grow, two, c["coach_second"], visibility="district", focus=(FEEDBACK,), goals=2)
    with transaction(services.session_factory) as s:
        s.execute(update(Goal).where(Goal.id == first_goal).values(focus=[TALK]))
        second_goal = s.scalar(
            select(Goal.id).where(Goal.plan_id == s.get(Goal, first_goal).plan_id, Goal.id != first_goal)
        )
        s.execute(update(Goal).where(Goal.id == second_goal).values(focus=[FOCUS, FEEDBACK]))
    result = like(session, services, c["goal_id"], c["teacher"])
    assert [(x.name, x.goal_id, x.score) for x in result.colleagues] == [("Tia Twogoals", second_goal, 20)]


def test_the_list_stops_at_the_limit_and_counts_the_rest(build, grow, services, session, cedar):
    c = cedar
    for n in range(4):
        colleague(build, grow, c, f"Colleague {n}")
    result = like(session, services, c["goal_id"], c["teacher"], limit=3)
    assert names(result) == ["Colleague 0", "Colleague 1", "Colleague 2"]
    assert result.more == 1
    assert (result.board_focus, result.board_focus_label) == (FOCUS, "formative assessment")


def test_a_goal_without_a_focus_lists_no_one(build, grow, services, session, cedar):
    c = cedar
    colleague(build, grow, c, "Sam Sameschool")
    with transaction(services.session_factory) as s:
        s.execute(update(Goal).where(Goal.id == c["goal_id"]).values(focus=[]))
    result = like(session, services, c["goal_id"], c["teacher"])
    assert (result.colleagues, result.more, result.board_focus) == ((), 0, "")
