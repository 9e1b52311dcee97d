"""Around the plan page: suggestions with their reasons and "Not for me" (with Undo) on the plan page and the
dashboard, goal ideas from a plan's template, and the start page's plan card and coach's count."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from credentials.storage.models import Goal, GoalAction, SuggestionDismissal
from tests.plans_builders import PlanBuilders

from .test_plan_pages import GOAL_FORM, as_


@pytest.fixture
def grow(build) -> PlanBuilders:
    return PlanBuilders(build)


def test_a_suggestion_with_its_reason_is_dismissed_and_brought_back(browser, grow, session):
    teacher, _ = grow.teacher_and_coach()
    plan = grow.plan(teacher, goals=1)
    as_(browser, teacher)
    for page in (f"/plans/{plan.id}", "/my/microcredentials"):
        html = browser.get(page).get_data(as_text=True)
        assert "Checking for understanding with exit tickets" in html
        assert "Matches your goal&#39;s focus: formative assessment" in html and "Not for me" in html
    response = browser.submit(f"/suggestions/exit-tickets/dismiss?next=/plans/{plan.id}", {}, page=f"/plans/{plan.id}")
    assert response.status_code == 302 and "dismissed=exit-tickets" in response.headers["Location"]
    html = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "You said “Checking for understanding with exit tickets” is not for you." in html and "Undo" in html
    assert "Not for me" not in html
    session.rollback()
    assert session.scalar(select(SuggestionDismissal.id)) is not None
    response = browser.submit("/suggestions/exit-tickets/undo", {}, page="/my/microcredentials")
    assert response.status_code == 302 and response.headers["Location"].endswith("/my/microcredentials")
    assert "Not for me" in browser.get("/my/microcredentials").get_data(as_text=True)


def test_suggestions_refuse_strangers_and_odd_slugs(browser, client, grow, build):
    teacher, coach = grow.teacher_and_coach()
    grow.catalog()
    as_(browser, coach)
    assert browser.submit("/suggestions/exit-tickets/dismiss", {}, page="/coaching/plans").status_code == 403
    as_(browser, teacher)
    assert browser.submit("/suggestions/no-such-thing/dismiss", {}, page="/my/microcredentials").status_code == 404
    response = browser.submit("/suggestions/exit-tickets/dismiss?next=//evil.example", {}, page="/my/microcredentials")
    assert response.headers["Location"].startswith("/my/microcredentials")


def test_using_a_goal_idea_fills_the_form_and_adds_the_goal_with_its_actions(browser, grow, session):
    teacher, _ = grow.teacher_and_coach()
    plan = grow.from_template(grow.plan(teacher, goals=0), grow.template())
    as_(browser, teacher)
    html = browser.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "Goal ideas from your plan's template" in html and "Use this goal" in html
    session.rollback()
    idea = plan_template_goal_id(session)
    form_url = f"/plans/{plan.id}/goals/new?idea={idea}"
    form = browser.get(form_url).get_data(as_text=True)
    assert "Students explain their reasoning in writing." in form and "Written explanations scored 3 or 4" in form
    typed = {**GOAL_FORM, "statement": "Students explain their reasoning in writing.", "idea": str(idea)}
    response = browser.submit(f"/plans/{plan.id}/goals/new", typed, page=form_url)
    assert response.status_code == 302, response.get_data(as_text=True)
    session.rollback()
    assert session.scalar(select(Goal.statement)) == "Students explain their reasoning in writing."
    assert sorted(session.scalars(select(GoalAction.kind))) == ["activity", "microcredential"]
    assert "Use this goal" not in browser.get(f"/plans/{plan.id}").get_data(as_text=True)


def plan_template_goal_id(session):
    from credentials.storage.models import PlanTemplateGoal

    return session.scalar(select(PlanTemplateGoal.id))


def test_the_start_page_shows_the_teachers_plan_and_the_coachs_waiting_plans(browser, grow, build):
    teacher, coach = grow.teacher_and_coach()
    grow.school_year()
    as_(browser, teacher)
    html = browser.get("/").get_data(as_text=True)
    assert "Your growth plan, 2026–27" in html and "Start your plan" in html
    grow.plan(teacher, goals=1, status="waiting_for_review", coach=coach)
    html = browser.get("/").get_data(as_text=True)
    assert "Waiting for review" in html and "Open your plan" in html
    as_(browser, coach)
    html = browser.get("/").get_data(as_text=True)
    assert "1 growth plan waiting for your review" in html and 'href="/coaching/plans"' in html


def test_undo_is_offered_only_for_a_suggestion_really_dismissed(browser, grow):
    teacher, _ = grow.teacher_and_coach()
    grow.plan(teacher, goals=1)
    as_(browser, teacher)
    html = browser.get("/my/microcredentials?dismissed=exit-tickets").get_data(as_text=True)
    assert "is not for you" not in html and "Not for me" in html
    assert browser.get("/my/microcredentials?dismissed=" + "x" * 5000).status_code == 200
