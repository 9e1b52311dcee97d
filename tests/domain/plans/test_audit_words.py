"""The audit trail reads each plan step as a sentence naming the coach and whose plan it is."""

from __future__ import annotations

from credentials.domain import audit
from credentials.domain.audit import EventFilter
from credentials.domain.audit import page as audit_page
from credentials.domain.plans import workflow
from credentials.storage.models import User
from tests.plans_builders import step


def test_plan_steps_read_as_sentences(build, grow, services, session, clock):
    school = build.school()
    teacher = build.user("teacher", school=school, name="Maria Lopez")
    coach = grow.coach(school, name="Grace Kim")
    plan = grow.plan(teacher, status="in_review", coach=coach)
    with step(session):
        workflow.approve(session, plan.id, session.get(User, coach.id), comments={}, now=clock())
    session.rollback()
    events = list(audit.iter_events(session, EventFilter(subject_type="growth_plan")))
    said = {line.action: line.sentence for line in audit_page.describe_events(session, events)}
    assert said["plan.start"] == "Maria Lopez started their growth plan for 2026–27"
    assert said["plan.add_goal"] == "Maria Lopez added goal 1 to their growth plan"
    assert said["plan.request_review"] == "Maria Lopez asked for a review of their growth plan"
    assert said["plan.start_review"] == "Grace Kim started reviewing Maria Lopez's growth plan"
    assert said["plan.approve"] == "Grace Kim approved Maria Lopez's growth plan"
