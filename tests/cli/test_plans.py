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
