from datetime import timedelta

import pytest

from credentials.domain.audit import Actor
from credentials.domain.errors import NotFound
from credentials.domain.review import admin, admin_page, reports
from credentials.domain.review.routing import anonymous_code
from credentials.storage.database import transaction
from tests.builders import definition
from tests.scoring import assignments_of, levels, submit_review

ADMIN = Actor.system("test-admin")
MEETS = levels(design="proficient", reflection="exemplary")
NOT_YET = levels(design="proficient", reflection="not-yet")


def test_the_unassigned_queue_names_the_teacher_and_counts_reviewers_and_days(build, services, clock, session):
    slug = build.published(definition(reviewers_required=2))
    build.reviewer(slug=slug)
    school = build.school("Oak School")
    teacher = build.user("teacher", name="Tess Teacher", school=school)
    half = build.submitted(slug, teacher)
    clock.advance(days=2)
    lonely = build.published(definition(slug="lonely", title="Nobody reviews this"))
    unreviewed = build.submitted(lonely)
    build.submitted(build.published(definition(slug="covered", title="Covered")))  # no reviewer either
    clock.advance(days=1)

    queue = reports.unassigned_queue(session, clock().date())

    assert [row.attempt_id for row in queue][:2] == [half.id, unreviewed.id]
    first = queue[0]
    assert (first.code, first.teacher, first.school) == (anonymous_code(half.id), "Tess Teacher", "Oak School")
    assert (first.title, first.role, first.needed, first.assigned) == (
        "Checking for understanding with exit tickets",
        "primary",
        2,
        1,
    )
    assert (first.submitted_at, first.days_waiting) == (half.submitted_at, 3)
    assert (queue[1].title, queue[1].needed, queue[1].assigned, queue[1].days_waiting) == (
        "Nobody reviews this",
        1,
        0,
        1,
    )


def test_a_disagreement_with_nobody_left_to_break_the_tie_waits_in_the_queue(build, services, clock, session):
    slug = build.published(definition(reviewers_required=2))
    build.reviewer(slug=slug)
    build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    first, second = assignments_of(services, attempt.id)
    submit_review(services, first.id, MEETS)
    assert reports.unassigned_queue(session, clock().date()) == []
    submit_review(services, second.id, NOT_YET)
    session.rollback()

    [row] = reports.unassigned_queue(session, clock().date())
    assert (row.attempt_id, row.role, row.needed, row.assigned) == (attempt.id, "tiebreak", 1, 0)
    build.reviewer(slug=slug)  # a newly qualified reviewer takes the waiting tie-break at once
    session.rollback()
    assert reports.unassigned_queue(session, clock().date()) == []


def test_reviewer_loads(build, services, clock, session):
    slug = build.published()
    busy = build.reviewer(slug=slug, capacity=3, name="Busy Reviewer")
    for _ in range(3):
        build.submitted(slug)
    away = build.reviewer(tag="exit tickets", name="Away Reviewer")
    with transaction(services.session_factory) as s:
        today = clock().date()
        admin.set_reviewer_profile(
            s, away.id, capacity=2, away_from=today, away_until=today + timedelta(days=3), actor=ADMIN, now=clock()
        )
    build.reviewer(name="Unqualified Reviewer")
    build.user("teacher", name="Not A Reviewer")

    # Busy submits one review a day after assignment and one three days after; the third becomes overdue.
    mine = [a for attempt_id in _attempt_ids(session) for a in assignments_of(services, attempt_id)]
    clock.advance(days=1)
    submit_review(services, mine[0].id, MEETS)
    clock.advance(days=2)
    submit_review(services, mine[1].id, NOT_YET)
    clock.advance(days=30)
    session.rollback()

    loads = {load.name: load for load in reports.reviewer_loads(session, clock().date())}
    assert set(loads) == {"Busy Reviewer", "Away Reviewer", "Unqualified Reviewer"}
    b = loads["Busy Reviewer"]
    assert (b.reviewer_id, b.capacity, b.open, b.overdue, b.full) == (busy.id, 3, 1, 1, False)
    assert (b.submitted_recently, b.median_turnaround_days) == (2, 2.0)
    assert [(q.kind, q.label) for q in b.qualifications] == [
        ("micro-credential", "Checking for understanding with exit tickets")
    ]
    a = loads["Away Reviewer"]
    assert (a.capacity, a.open, a.away_from, a.away_now) == (2, 0, clock().date() - timedelta(days=33), False)
    assert [(q.kind, q.label) for q in a.qualifications] == [("tag", "exit tickets")]
    u = loads["Unqualified Reviewer"]
    assert (u.capacity, u.qualifications, u.median_turnaround_days) == (5, (), None)

    clock.advance(days=90)
    later = {load.name: load for load in reports.reviewer_loads(session, clock().date())}
    assert (later["Busy Reviewer"].submitted_recently, later["Busy Reviewer"].median_turnaround_days) == (0, None)


def _attempt_ids(session):
    from sqlalchemy import select

    from credentials.storage.models import Attempt

    session.rollback()
    return session.scalars(select(Attempt.id).order_by(Attempt.id)).all()


def test_who_is_away_today(build, services, clock, session):
    reviewer = build.reviewer(name="Ray")
    with transaction(services.session_factory) as s:
        admin.set_reviewer_profile(
            s,
            reviewer.id,
            capacity=5,
            away_from=clock().date() - timedelta(days=1),
            away_until=clock().date() + timedelta(days=1),
            actor=ADMIN,
            now=clock(),
        )
    [load] = reports.reviewer_loads(session, clock().date())
    assert load.away_now and load.capacity == 5


def test_reviewer_loads_take_the_same_queries_for_one_reviewer_or_many(build, session, clock, count_queries):
    slug = build.published()
    build.reviewer(slug=slug)
    build.reviewer(tag="exit tickets")
    build.submitted(slug)

    def queries() -> int:
        session.rollback()
        with count_queries() as statements:
            reports.reviewer_loads(session, clock().date())
        return len(statements)

    few = queries()
    for _ in range(12):
        build.reviewer(slug=slug)
        build.reviewer(tag="formative assessment")
    for _ in range(10):
        build.submitted(slug)
    assert queries() == few <= 6  # five SELECTs (and BEGIN, on SQLite)


def test_open_assignments_conflicts_and_holidays(build, services, clock, session):
    slug = build.published()
    reviewer = build.reviewer(slug=slug, name="Rae Reviewer", school=build.school("Ash School"))
    teacher = build.user("teacher", name="Tom Teacher", school=build.school("Elm School"))
    attempt = build.submitted(slug, teacher)
    [open_row] = reports.open_assignments(session, clock().date())
    assert (open_row.reviewer, open_row.teacher, open_row.code, open_row.role_label) == (
        "Rae Reviewer",
        "Tom Teacher",
        anonymous_code(attempt.id),
        "Primary",
    )
    assert not open_row.overdue
    late = reports.open_assignments(session, open_row.due_on + timedelta(days=2))
    assert late[0].overdue and late[0].days_overdue == 2

    other = build.user("teacher", name="Uma Teacher")
    with transaction(services.session_factory) as s:
        admin.declare_conflict(s, reviewer.id, other.id, reason="Sister", actor=ADMIN, now=clock())
        admin.add_holiday(s, clock().date() + timedelta(days=40), "Winter break", actor=ADMIN, now=clock())
        admin.add_holiday(s, clock().date() + timedelta(days=5), "Staff day", actor=ADMIN, now=clock())
    session.rollback()
    [conflict] = reports.conflicts(session)
    assert (conflict.reviewer, conflict.teacher, conflict.reason, conflict.declared_by) == (
        "Rae Reviewer",
        "Uma Teacher",
        "Sister",
        "the system",
    )
    assert [h.name for h in reports.holidays(session)] == ["Staff day", "Winter break"]
    page = admin_page.conflicts_page(session)
    assert [label for _, label in page.reviewers] == ["Rae Reviewer (Ash School)"]
    assert {label.split(" (")[0] for _, label in page.teachers} == {"Tom Teacher", "Uma Teacher"}


def test_reviewer_detail(build, session, clock):
    slug = build.published()
    reviewer = build.reviewer(slug=slug)
    build.submitted(slug)
    detail = admin_page.reviewer_detail(session, reviewer.id, clock().date())
    assert detail.load.open == 1 and len(detail.open_assignments) == 1 and detail.conflicts == []
    assert detail.microcredential_choices == [(slug, "Checking for understanding with exit tickets")]
    with pytest.raises(NotFound):
        admin_page.reviewer_detail(session, build.user("teacher").id, clock().date())
