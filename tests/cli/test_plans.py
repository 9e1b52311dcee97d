"""``microcred plans complete-due``, as cron runs it: completes the active plans of ended school years."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from credentials.storage.models import GrowthPlan, OutboxMessage
from tests.plans_builders import PlanBuilders


def test_complete_due_completes_and_counts_the_plans_of_ended_years(run, build, services, clock):
    grow = PlanBuilders(build)
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="active", coach=coach)

    result = run("plans", "complete-due")
    assert result.exit_code == 0, result.output
    assert result.output == "0 plan(s) completed\n"

    clock.now = datetime(2027, 7, 2, tzinfo=UTC)
    result = run("plans", "complete-due")
    assert result.exit_code == 0, result.output
    assert result.output == "1 plan(s) completed\n"
    with services.session_factory() as session:
        assert session.get(GrowthPlan, plan.id).status == "complete"
        letters = session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.kind == "growth_plan")).all()
        assert letters[-1] == teacher.email


def test_complete_due_is_listed_among_the_operators_commands(run):
    result = run("--help")
    assert "plans" in result.output
    assert "complete-due" in run("plans", "--help").output


def test_add_school_year_sets_one_up_and_refuses_an_overlap_in_words(run, build):
    build.issuer()
    result = run("plans", "add-school-year", "2026–27", "--starts-on", "2026-08-10", "--ends-on", "2027-06-04")
    assert result.exit_code == 0, result.output
    assert result.output == "The 2026–27 school year is set up: August 10, 2026 to June 4, 2027.\n"

    again = run("plans", "add-school-year", "Summer", "--starts-on", "2027-06-01", "--ends-on", "2027-07-31")
    assert again.exit_code == 1
    assert "overlap the 2026–27 school year" in again.output
