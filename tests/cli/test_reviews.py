"""``microcred reviews sweep`` and ``microcred reviews route``, as cron or a systemd timer runs them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from credentials.domain.audit import Actor
from credentials.domain.review import admin, routing
from credentials.storage.database import transaction
from credentials.storage.models import OutboxMessage
from tests.scoring import assignments


def mail(session, kind):
    session.rollback()
    return sorted(session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.kind == kind)))


def test_sweep_moves_an_overdue_review_to_another_reviewer_and_tells_people(run, build, slug, session, clock):
    build.admin(email="admin@riverside.example.org")
    slow = build.reviewer(slug=slug, email="slow@riverside.example.org")
    attempt = build.submitted(slug)
    other = build.reviewer(slug=slug, email="other@riverside.example.org")
    clock.advance(days=30)

    result = run("reviews", "sweep")

    assert result.exit_code == 0, result.output
    assert result.output == "1 overdue, 1 reassigned\n"
    rows = assignments(session, attempt.id)
    assert [(r.reviewer_id, r.status) for r in rows] == [(slow.id, "reassigned"), (other.id, "assigned")]
    assert rows[0].end_reason.startswith("Overdue since")
    assert mail(session, "review_overdue") == ["admin@riverside.example.org", "slow@riverside.example.org"]
    assert mail(session, "review_assigned") == ["other@riverside.example.org", "slow@riverside.example.org"]


def test_sweep_without_another_reviewer_returns_the_attempt_to_the_waiting_queue(run, build, slug, session, clock):
    build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    clock.advance(days=30)

    result = run("reviews", "sweep")

    assert result.output == "1 overdue, 0 reassigned\n"
    assert [r.status for r in assignments(session, attempt.id)] == ["reassigned"]
    assert [a.id for a in routing.waiting_attempts(session)] == [attempt.id]


def test_sweep_with_nothing_overdue_changes_nothing(run, build, slug, session):
    build.reviewer(slug=slug)
    attempt = build.submitted(slug)

    result = run("reviews", "sweep")

    assert result.exit_code == 0, result.output
    assert result.output == "0 overdue, 0 reassigned\n"
    assert [r.status for r in assignments(session, attempt.id)] == ["assigned"]
    assert mail(session, "review_overdue") == []


def test_route_assigns_waiting_work_once_a_reviewer_is_back(run, build, slug, session, clock):
    reviewer = build.reviewer(slug=slug, email="back@riverside.example.org")
    with transaction(build.services.session_factory) as s:
        admin.set_reviewer_profile(
            s,
            reviewer.id,
            capacity=5,
            away_from=clock().date(),
            away_until=clock().date() + timedelta(days=1),
            actor=Actor.system("test"),
            now=clock(),
        )
    attempt = build.submitted(slug)
    assert assignments(session, attempt.id) == []

    assert run("reviews", "route").output == "0 waiting attempt(s) got reviewers\n"  # still away
    clock.advance(days=2)
    result = run("reviews", "route")

    assert result.exit_code == 0, result.output
    assert result.output == "1 waiting attempt(s) got reviewers\n"
    assert [(r.reviewer_id, r.status) for r in assignments(session, attempt.id)] == [(reviewer.id, "assigned")]
    assert mail(session, "review_assigned") == ["back@riverside.example.org"]
    assert run("reviews", "route").output == "0 waiting attempt(s) got reviewers\n"
