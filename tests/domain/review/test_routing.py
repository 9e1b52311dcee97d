import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from credentials.domain.audit import Actor
from credentials.domain.review import admin, routing
from credentials.storage.database import transaction
from credentials.storage.models import Assignment, Attempt, OutboxMessage, User
from tests.builders import definition
from tests.scoring import assignments

ADMIN = Actor.system("test-admin")


def test_a_submission_goes_to_a_qualified_reviewer_with_a_due_date_and_an_email(build, slug, session, clock):
    reviewer = build.reviewer(slug=slug, email="grace@riverside.example.org")
    attempt = build.submitted(slug)
    [assignment] = assignments(session, attempt.id)
    assert assignment.reviewer_id == reviewer.id and assignment.status == "assigned"
    assert assignment.due_on == attempt.expected_decision_on
    mail = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "review_assigned")).one()
    assert mail.recipient == "grace@riverside.example.org"
    assert routing.anonymous_code(attempt.id) in mail.body_text
    assert session.get(User, attempt.teacher_id).name not in mail.body_text


def test_never_the_teachers_school_a_conflict_the_unqualified_the_away_or_the_inactive(build, slug, session, clock):
    teacher_school = build.school("Same School")
    teacher = build.user("teacher", school=teacher_school)
    build.reviewer(slug=slug, school=teacher_school)  # same school
    conflicted = build.reviewer(slug=slug)
    build.reviewer()  # not qualified
    away = build.reviewer(slug=slug)
    build.reviewer(slug=slug, active=False)
    with transaction(build.services.session_factory) as s:
        admin.declare_conflict(s, conflicted.id, teacher.id, reason="Sister-in-law", actor=ADMIN, now=clock())
        admin.set_reviewer_profile(
            s,
            away.id,
            capacity=5,
            away_from=clock().date(),
            away_until=clock().date() + timedelta(days=7),
            actor=ADMIN,
            now=clock(),
        )
    attempt = build.submitted(slug, teacher)
    assert assignments(session, attempt.id) == []
    assert [a.id for a in routing.waiting_attempts(session)] == [attempt.id]
    # Someone becomes eligible: the waiting attempt is assigned at once.
    eligible = build.reviewer(slug=slug)
    assert [a.reviewer_id for a in assignments(session, attempt.id)] == [eligible.id]


def test_qualification_by_tag(build, slug, session):
    reviewer = build.reviewer(tag="exit tickets")
    attempt = build.submitted(slug)
    assert [a.reviewer_id for a in assignments(session, attempt.id)] == [reviewer.id]


def test_least_loaded_first_and_never_past_capacity(build, slug, session):
    busy = build.reviewer(slug=slug, capacity=1)
    free = build.reviewer(slug=slug, capacity=2)
    first, second, third, fourth = (build.submitted(slug) for _ in range(4))
    owners = [a.reviewer_id for attempt in (first, second, third) for a in assignments(session, attempt.id)]
    assert sorted(owners) == sorted([busy.id, free.id, free.id])
    assert assignments(session, fourth.id) == []


def test_two_reviewers_when_required_and_distinct(build, session):
    slug = build.published(definition(reviewers_required=2))
    for _ in range(3):
        build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    assigned = [a.reviewer_id for a in assignments(session, attempt.id)]
    assert len(set(assigned)) == 2


def test_recusal_routes_again(build, slug, session, clock):
    from credentials.domain.review import scoring

    first = build.reviewer(slug=slug)
    second = build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    [assignment] = assignments(session, attempt.id)
    with transaction(build.services.session_factory) as s:
        scoring.recuse(
            s,
            s.get(Assignment, assignment.id),
            s.get(User, assignment.reviewer_id),
            reason="I coached this teacher last year.",
            now=clock(),
        )
    rows = assignments(session, attempt.id)
    assert [(r.status, r.reviewer_id) for r in rows] == [
        ("recused", assignment.reviewer_id),
        ("assigned", ({first.id, second.id} - {assignment.reviewer_id}).pop()),
    ]


def test_the_sweep_moves_overdue_work_and_tells_people(build, slug, session, clock):
    build.admin(email="admin@riverside.example.org")
    build.reviewer(slug=slug, email="slow@riverside.example.org")
    attempt = build.submitted(slug)
    other = build.reviewer(slug=slug)
    clock.advance(days=30)
    with transaction(build.services.session_factory) as s:
        report = admin.sweep_overdue(s, now=clock())
    assert (report.overdue, report.reassigned) == (1, 1)
    rows = assignments(session, attempt.id)
    assert [r.status for r in rows] == ["reassigned", "assigned"] and rows[1].reviewer_id == other.id
    recipients = set(session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.kind == "review_overdue")))
    assert recipients == {"slow@riverside.example.org", "admin@riverside.example.org"}


def test_holidays_and_weekends_do_not_count(build, slug, session, clock):
    from datetime import date

    build.reviewer(slug=slug)
    with transaction(build.services.session_factory) as s:
        admin.add_holiday(s, date(2026, 9, 7), "Labor Day", actor=ADMIN, now=clock())
    attempt = build.submitted(slug)  # Tuesday 1 September 2026
    assert attempt.expected_decision_on == date(2026, 9, 16)  # 10 business days, minus the weekend days and Labor Day


@pytest.mark.postgres
def test_simultaneous_submissions_never_exceed_capacity_or_double_assign(build, slug, session):
    reviewers = [build.reviewer(slug=slug, capacity=2) for _ in range(3)]
    teachers = [build.user("teacher", school=build.school()) for _ in range(12)]
    errors = []
    barrier = threading.Barrier(len(teachers))

    def submit(teacher):
        barrier.wait()
        try:
            build.submitted(slug, teacher)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(t,)) for t in teachers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    loads = dict(session.execute(select(Assignment.reviewer_id, func.count()).group_by(Assignment.reviewer_id)).all())
    assert set(loads) == {r.id for r in reviewers} and all(n <= 2 for n in loads.values())
    per_attempt = session.execute(select(Assignment.attempt_id, func.count()).group_by(Assignment.attempt_id)).all()
    assert all(n == 1 for _, n in per_attempt) and len(per_attempt) == 6
    assert len(routing.waiting_attempts(session)) == 6
    assert session.scalar(select(func.count()).select_from(Attempt).where(Attempt.status == "submitted")) == 12


def test_withdrawing_frees_the_reviewers_capacity(build, slug, session, clock):
    from credentials.domain.portfolio import attempts

    reviewer = build.reviewer(slug=slug, capacity=1)
    first = build.submitted(slug)
    with transaction(build.services.session_factory) as s:
        a = s.get(Attempt, first.id)
        attempts.withdraw_attempt(s, a, s.get(User, a.teacher_id), expected_revision=None, now=clock())
    assert [r.status for r in assignments(session, first.id)] == ["cancelled"]
    second = build.submitted(slug)
    assert [r.reviewer_id for r in assignments(session, second.id)] == [reviewer.id]


def test_waiting_attempts_are_routed_together_by_the_same_rules(build, slug, session, clock):
    from credentials.storage.models import AuditEvent

    teachers_school = build.school("Busy School")
    waiting = [build.submitted(slug, build.user("teacher", school=teachers_school)) for _ in range(5)]
    conflicted_teacher = waiting[0].teacher_id
    assert routing.waiting_attempts(session) != []
    same_school = build.reviewer(school=teachers_school, capacity=5)
    roomy = build.reviewer(capacity=3)
    small = build.reviewer(capacity=1)
    with transaction(build.services.session_factory) as s:
        admin.declare_conflict(s, roomy.id, conflicted_teacher, reason="Neighbour", actor=ADMIN, now=clock())
        for reviewer in (same_school, roomy, small):
            admin.grant_qualification(s, reviewer.id, slug=slug, actor=ADMIN, now=clock())
    session.rollback()
    loads = dict(
        session.execute(
            select(Assignment.reviewer_id, func.count())
            .where(Assignment.status == "assigned")
            .group_by(Assignment.reviewer_id)
        ).all()
    )
    assert same_school.id not in loads and loads[roomy.id] <= 3 and loads[small.id] <= 1
    assert sum(loads.values()) == 4  # capacity 3 + 1; one attempt still waits
    assert session.scalar(select(Assignment.reviewer_id).where(Assignment.attempt_id == waiting[0].id)) != roomy.id
    assert len(routing.waiting_attempts(session)) == 1
    assert session.scalars(select(AuditEvent.action).where(AuditEvent.action == "review.assign_batch")).first()
