"""Every eligibility rule, through both routers: one submission (``route_attempt``) and the waiting queue
(``route_many``).

The micro-credential needs two reviewers and each scene offers exactly two qualified-looking people: one eligible
and one who breaks a single rule. A router that ignored the rule would give the attempt both of them; a router that
keeps it gives the attempt only the eligible one and leaves it waiting for a second.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from credentials.domain.audit import Actor
from credentials.domain.people import accounts
from credentials.domain.review import admin, routing
from credentials.domain.review.batch_routing import route_many
from credentials.storage.database import transaction
from credentials.storage.models import Assignment, User
from tests.builders import definition

ADMIN = Actor.system("test-admin")
TAG = "exit tickets"  # one of the tags definition() gives the micro-credential


@pytest.fixture
def scene(build):
    """A micro-credential needing two reviewers, a teacher at their own school, and a second micro-credential."""
    slug = build.published(definition(reviewers_required=2))
    other = build.published(definition(slug="lesson-study", title="Lesson study", tags=["collaboration"]))
    school = build.school("Teacher's School")
    return {"slug": slug, "other": other, "school": school, "teacher": build.user("teacher", school=school)}


def at_the_teachers_school(build, scene, clock):
    return build.reviewer(slug=scene["slug"], school=scene["school"])


def with_a_declared_conflict(build, scene, clock):
    reviewer = build.reviewer(slug=scene["slug"])
    with transaction(build.services.session_factory) as s:
        admin.declare_conflict(s, reviewer.id, scene["teacher"].id, reason="Sister", actor=ADMIN, now=clock())
    return reviewer


def qualified_for_something_else(build, scene, clock):
    reviewer = build.reviewer(slug=scene["other"])
    with transaction(build.services.session_factory) as s:
        admin.grant_qualification(s, reviewer.id, tag="collaboration", actor=ADMIN, now=clock())
    return reviewer


def qualified_by_a_tag_it_does_not_carry(build, scene, clock):
    return build.reviewer(tag="collaboration")


def at_capacity(build, scene, clock):
    """Capacity 1, already holding one open assignment (on the other micro-credential)."""
    reviewer = build.reviewer(slug=scene["other"], capacity=1)
    build.submitted(scene["other"])
    with transaction(build.services.session_factory) as s:
        load = s.scalars(select(Assignment.reviewer_id).where(Assignment.status == "assigned")).all()
        assert load == [reviewer.id]
        admin.grant_qualification(s, reviewer.id, slug=scene["slug"], actor=ADMIN, now=clock())
    return reviewer


def away_today(build, scene, clock):
    reviewer = build.reviewer(slug=scene["slug"])
    today = clock().date()
    with transaction(build.services.session_factory) as s:
        admin.set_reviewer_profile(
            s,
            reviewer.id,
            capacity=5,
            away_from=today - timedelta(days=1),
            away_until=today + timedelta(days=1),
            actor=ADMIN,
            now=clock(),
        )
    return reviewer


def inactive(build, scene, clock):
    return build.reviewer(slug=scene["slug"], active=False)


def without_a_password_yet(build, scene, clock):
    return build.reviewer(slug=scene["slug"], password=None)


def no_longer_a_reviewer(build, scene, clock):
    reviewer = build.reviewer(slug=scene["slug"])
    with transaction(build.services.session_factory) as s:
        user = s.get(User, reviewer.id)
        accounts.update_user(
            s, user, name=user.name, roles=("teacher",), school_id=user.school_id, actor=ADMIN, now=clock()
        )
    return reviewer


def the_teacher_themself(build, scene, clock):
    # The teacher is also a reviewer qualified for it. (They are at their own school too, so the school rule alone
    # would keep them out as well: this case cannot tell whether a router checks "not the teacher" separately.)
    teacher = scene["teacher"]
    with transaction(build.services.session_factory) as s:
        user = s.get(User, teacher.id)
        accounts.update_user(
            s,
            user,
            name=user.name,
            roles=("teacher", "reviewer"),
            school_id=user.school_id,
            actor=ADMIN,
            now=clock(),
        )
        admin.grant_qualification(s, teacher.id, slug=scene["slug"], actor=ADMIN, now=clock())
    return teacher


# Each way of being ineligible, with how the eligible reviewer beside them is qualified.
INELIGIBLE = [
    (at_the_teachers_school, "directly"),
    (with_a_declared_conflict, "directly"),
    (qualified_for_something_else, "directly"),
    (qualified_by_a_tag_it_does_not_carry, "by tag"),
    (at_capacity, "directly"),
    (away_today, "directly"),
    (inactive, "directly"),
    (without_a_password_yet, "directly"),
    (no_longer_a_reviewer, "directly"),
    (the_teacher_themself, "by tag"),
]


def submit_and_route_it(build, scene, clock, monkeypatch):
    """Single routing, as a teacher's submission runs it."""
    return build.submitted(scene["slug"], scene["teacher"])


def submit_then_route_the_queue(build, scene, clock, monkeypatch):
    """Batch routing: the attempt is submitted while single routing is off, then ``route_many`` routes it."""
    with monkeypatch.context() as paused:
        paused.setattr(routing, "route_attempt", lambda *args, **kwargs: None)
        attempt = build.submitted(scene["slug"], scene["teacher"])
    with transaction(build.services.session_factory) as s:
        report = route_many(s, [attempt.id], now=clock())
    assert (report.attempts, report.routed, report.still_waiting) == (1, 1, 1)
    return attempt


@pytest.mark.parametrize("route", [submit_and_route_it, submit_then_route_the_queue])
@pytest.mark.parametrize(("ineligible", "qualified"), INELIGIBLE, ids=[case.__name__ for case, _ in INELIGIBLE])
def test_each_rule_keeps_the_ineligible_reviewer_out_of_both_routers(
    build, scene, session, clock, monkeypatch, route, ineligible, qualified
):
    refused = ineligible(build, scene, clock)
    eligible = build.reviewer(slug=scene["slug"]) if qualified == "directly" else build.reviewer(tag=TAG)
    attempt = route(build, scene, clock, monkeypatch)
    assigned = session.scalars(select(Assignment.reviewer_id).where(Assignment.attempt_id == attempt.id)).all()
    assert assigned == [eligible.id], f"{ineligible.__name__} reviewer {refused.id}"
    assert [a.id for a in routing.waiting_attempts(session)] == [attempt.id]  # still one reviewer short
