"""The plan page's read-model: the status in words and the next step for whoever looks, each goal's measure as a
sentence, the buttons each person may use in each status, and who may open it at all."""

from __future__ import annotations

import pytest

from credentials.domain.errors import PermissionDenied
from credentials.domain.plans.goal_views import value_text
from credentials.domain.plans.plan_page import my_plan, plan_card, plan_page
from credentials.storage.models import User


def me(session, user):
    return session.get(User, user.id)


def test_the_measure_is_a_sentence(grow, session, clock):
    teacher, _ = grow.teacher_and_coach()
    plan = grow.plan(teacher, goals=1)
    page = plan_page(session, plan.id, me(session, teacher), now=clock())
    assert page.goals[0].measure_sentence == "Exit-ticket mastery on fractions: from 48% to 75% by May 28, 2027"
    assert page.goals[0].focus_labels == ("formative assessment",)


@pytest.mark.parametrize(
    ("value", "unit", "text"), [(48.0, "%", "48%"), (12.5, "minutes", "12.5 minutes"), (1200, "words", "1,200 words")]
)
def test_values_with_their_units(value, unit, text):
    assert value_text(value, unit) == text


@pytest.mark.parametrize(
    ("status", "teacher_buttons", "coach_buttons"),
    [
        ("draft", {"edit", "share", "request_review", "add_goal"}, set()),
        ("waiting_for_review", {"share", "cancel_request"}, {"start_review", "review"}),
        ("in_review", {"share"}, {"review"}),
        ("active", {"edit", "share", "complete", "add_goal"}, {"complete"}),
        ("complete", {"share"}, {"reopen"}),
    ],
)
def test_each_person_has_the_buttons_of_each_status(grow, session, clock, status, teacher_buttons, coach_buttons):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, goals=1, status=status, coach=coach)
    for who, expected in ((teacher, teacher_buttons), (coach, coach_buttons)):
        session.rollback()
        buttons = plan_page(session, plan.id, me(session, who), now=clock()).buttons
        assert {name for name, on in vars(buttons).items() if on} == expected, who


def test_the_next_step_in_plain_words(grow, session, clock):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, goals=1, status="in_review", coach=coach)
    page = plan_page(session, plan.id, me(session, teacher), now=clock())
    assert page.status_label == "In review"
    assert page.next_step.startswith(f"{me(session, coach).name} is reviewing your plan.")


def test_only_the_teacher_and_their_coaches_open_the_plan(build, grow, session, clock):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, goals=1)
    assert not plan_page(session, plan.id, me(session, coach), now=clock()).viewer_is_teacher
    for stranger in (build.user("teacher"), grow.coach(build.school()), build.admin()):
        session.rollback()  # a new read: the stranger was added after the last one
        with pytest.raises(PermissionDenied):
            plan_page(session, plan.id, me(session, stranger), now=clock())


def test_my_plan_and_the_start_page_card(grow, session, clock):
    teacher, coach = grow.teacher_and_coach()
    grow.school_year()
    start = my_plan(session, me(session, teacher), now=clock())
    assert start.school_year == "2026–27" and start.earlier == ()
    assert plan_card(session, me(session, teacher), now=clock()).plan_id is None
    plan = grow.plan(teacher, goals=1, status="waiting_for_review", coach=coach)
    session.rollback()
    assert my_plan(session, me(session, teacher), now=clock()) == plan.id
    card = plan_card(session, me(session, teacher), now=clock())
    assert (card.plan_id, card.status_label) == (plan.id, "Waiting for review")
