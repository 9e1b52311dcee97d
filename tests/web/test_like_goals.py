"""The "Teachers with like goals" section of the goal page: shown to the goal's teacher and their coaches, with each
colleague's goal linked and the reason; not to colleagues who merely see the goal; the same queries however many
goals."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from credentials.storage.database import transaction
from credentials.storage.models import Goal
from tests.plans_builders import PlanBuilders

HEADING = "Teachers with like goals"


@pytest.fixture
def grow(build) -> PlanBuilders:
    return PlanBuilders(build)


@pytest.fixture
def cedar(build, grow):
    """Tess at Cedar Elementary with a goal declared to the district, and Cedar's coach."""
    school = build.school("Cedar Elementary")
    coach = grow.coach(school)
    teacher = build.user("teacher", school=school, name="Tess Teacher")
    return {"school": school, "coach": coach, "teacher": teacher, "goal_id": declare(build, grow, teacher, coach)}


def declare(build, grow, teacher, coach, *, visibility="district", statement=None):
    plan = grow.plan(teacher, status="active", coach=coach)
    values = {"visibility": visibility} | ({"statement": statement} if statement else {})
    with transaction(build.services.session_factory) as session:
        session.execute(update(Goal).where(Goal.plan_id == plan.id).values(**values))
        return session.scalar(select(Goal.id).where(Goal.plan_id == plan.id))


def colleague(build, grow, school, name, **kwargs):
    teacher = build.user("teacher", school=school, name=name)
    return declare(build, grow, teacher, grow.coach(school), **kwargs)


def as_(browser, person):
    browser.client.delete_cookie("microcred")
    browser.login(person.email)
    return browser


def test_the_teacher_sees_colleagues_with_like_goals_linked_with_the_reason(build, grow, browser, cedar):
    oak = build.school("Oak Middle")
    theirs = colleague(build, grow, oak, "Dee District", statement="Dee's goal: **more** exit tickets.")
    colleague(build, grow, oak, "Pat Private", visibility="private")
    html = as_(browser, cedar["teacher"]).get(f"/goals/{cedar['goal_id']}").get_data(as_text=True)
    assert HEADING in html
    assert f'href="/goals/{theirs}"' in html and "Dee&#39;s goal: more exit tickets." in html
    assert "Dee District" in html and "Oak Middle" in html
    assert "Shares formative assessment" in html
    assert "Pat Private" not in html
    assert 'href="/goals?focus=tag:formative+assessment"' in html


def test_the_coach_sees_the_section_and_a_colleague_who_sees_the_goal_does_not(build, grow, browser, cedar):
    colleague(build, grow, cedar["school"], "Sam Sameschool")
    coach_page = as_(browser, cedar["coach"]).get(f"/goals/{cedar['goal_id']}").get_data(as_text=True)
    assert HEADING in coach_page and "Sam Sameschool" in coach_page
    onlooker = build.user("teacher", school=cedar["school"], name="Oona Onlooker")
    page = as_(browser, onlooker).get(f"/goals/{cedar['goal_id']}")
    assert page.status_code == 200
    assert HEADING not in page.get_data(as_text=True)


def test_the_section_says_so_when_no_colleague_shares_the_focus(browser, cedar):
    html = as_(browser, cedar["teacher"]).get(f"/goals/{cedar['goal_id']}").get_data(as_text=True)
    assert "No colleague has declared a goal with the same focus this school year yet." in html


def test_the_goal_page_runs_the_same_queries_for_few_or_many_like_goals(build, grow, browser, cedar, count_queries):
    oak = build.school("Oak Middle")
    colleague(build, grow, oak, "First Colleague")
    as_(browser, cedar["teacher"])
    url = f"/goals/{cedar['goal_id']}"
    browser.get(url)
    with count_queries() as few:
        assert browser.get(url).status_code == 200
    for n in range(12):
        colleague(build, grow, cedar["school"] if n % 2 else oak, f"Colleague {n:02}")
    with count_queries() as many:
        html = browser.get(url).get_data(as_text=True)
    assert "3 more colleagues with like goals." in html
    assert len(many) == len(few)
