from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from credentials.domain.errors import InvalidInput, NotFound, PermissionDenied
from credentials.domain.portfolio import attempts
from credentials.domain.review import reviewer_page, scoring
from credentials.domain.review.routing import anonymous_code
from credentials.domain.review.scoring import Scores
from credentials.storage.database import transaction
from credentials.storage.models import Artifact, Assignment, Attempt, ReviewConflict, User
from tests.builders import definition

NOT_YET = Scores({"design": "proficient", "reflection": "not-yet"}, {"reflection": "Name one change."}, "Close.")
MEETS = Scores({"design": "proficient", "reflection": "proficient"}, {}, "Clear evidence.")


def assignment_of(session, attempt_id) -> Assignment:
    session.rollback()
    return session.scalars(
        select(Assignment).where(Assignment.attempt_id == attempt_id, Assignment.status == "assigned")
    ).one()


def score(services, assignment_id, scores, *, submit=True):
    with transaction(services.session_factory) as s:
        assignment = s.get(Assignment, assignment_id)
        fn = scoring.submit_review if submit else scoring.save_scores
        fn(s, assignment, s.get(User, assignment.reviewer_id), scores, now=services.clock())


def queue(session, reviewer, today):
    session.rollback()
    # Noon UTC falls on the same calendar day in the district's zone (America/Chicago).
    now = datetime.combine(today, time(12), tzinfo=UTC)
    return reviewer_page.reviewer_queue(session, session.get(User, reviewer.id), now=now)


def test_the_queue_lists_open_work_by_due_date_then_what_was_submitted(build, services, session, clock):
    slow = build.published()
    quick = build.published(definition(slug="quick", title="Quick checks", review_turnaround_days=2))
    reviewer = build.reviewer(tag="exit tickets", capacity=10)
    first = build.submitted(slow)  # due in 10 business days
    clock.advance(hours=1)
    second = build.submitted(quick)  # assigned later, but due sooner
    third = build.submitted(quick)  # same due date as the second, assigned after it
    done = build.submitted(slow)
    score(services, assignment_of(session, done.id).id, MEETS)
    score(services, assignment_of(session, first.id).id, MEETS, submit=False)

    rows = queue(session, reviewer, clock.now.date())
    assert [r.code for r in rows] == [anonymous_code(a.id) for a in (second, third, first, done)]
    assert [r.is_open for r in rows] == [True, True, True, False]
    assert [r.started for r in rows[:3]] == [False, False, True]
    assert rows[0].title == "Quick checks" and rows[0].version == 1 and rows[0].role_label == "Primary"
    assert rows[3].submitted_at is not None and not any(r.overdue for r in rows)

    later = queue(session, reviewer, rows[0].due_on + timedelta(days=1))
    assert [r.overdue for r in later] == [True, True, False, False]


def test_the_queue_keeps_the_last_twenty_submitted_and_flags_resubmissions(build, services, session, clock):
    slug = build.published(definition(max_attempts=3))
    reviewer = build.reviewer(slug=slug, capacity=30)
    teacher = build.user("teacher", school=build.school())
    first = build.submitted(slug, teacher)
    score(services, assignment_of(session, first.id).id, NOT_YET)
    for _ in range(21):
        clock.advance(minutes=1)
        score(services, assignment_of(session, build.submitted(slug).id).id, MEETS)
    again = build.submitted(slug, teacher)

    rows = queue(session, reviewer, clock.now.date())
    assert len(rows) == 1 + 20
    assert rows[0].code == anonymous_code(again.id) and rows[0].resubmission
    assert not any(r.resubmission for r in rows[1:])
    assert anonymous_code(first.id) not in {r.code for r in rows}  # the oldest submitted review dropped off


def test_a_withdrawn_submission_leaves_the_queue_and_its_evidence_is_closed(build, services, session, clock):
    slug = build.published()
    reviewer = build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    assignment = assignment_of(session, attempt.id)
    with transaction(services.session_factory) as s:
        a = s.get(Attempt, attempt.id)
        attempts.withdraw_attempt(s, a, a.teacher, expected_revision=None, now=clock.now)
    assert queue(session, reviewer, clock.now.date()) == []
    with pytest.raises(PermissionDenied):
        reviewer_page.reviewer_assignment(session, assignment.id, session.get(User, reviewer.id))


def test_the_review_page_has_the_evidence_and_the_rubric_but_not_who_the_teacher_is(build, session):
    slug = build.published()
    reviewer = build.reviewer(slug=slug)
    teacher = build.user(
        "teacher", name="María López", email="maria@lincoln.example.org", school=build.school("Lincoln")
    )
    attempt = build.submitted(slug, teacher)
    assignment = assignment_of(session, attempt.id)
    assignment = reviewer_page.reviewer_assignment(session, assignment.id, session.get(User, reviewer.id))

    page = reviewer_page.review_page(session, assignment)
    assert page.code == anonymous_code(attempt.id) and page.editable and not page.resubmission
    assert [p.key for p in page.parts] == ["overview", "artifacts", "reflection"]
    overview, artifacts, reflection = page.parts
    assert overview.prompts[0].text == "Twenty-six fourth graders." and overview.prompts[0].words == 3
    [pdf] = artifacts.prompts[0].files
    assert (pdf.filename, pdf.kind, pdf.media_type, pdf.viewable) == ("tickets.pdf", "pdf", "application/pdf", True)
    assert [c.key for c in artifacts.criteria] == ["design"] and [c.key for c in reflection.criteria] == ["reflection"]
    design = artifacts.criteria[0]
    assert [(lv.key, lv.points, lv.required) for lv in design.levels] == [
        ("not-yet", 0, False),
        ("proficient", 2, True),
        ("exemplary", 3, False),
    ]
    assert design.required_level == "Proficient" and design.level is None
    for secret in ("María", "López", "maria@lincoln.example.org", "Lincoln"):
        assert secret not in repr(page)


def test_saved_scores_and_a_submitted_review_show_on_the_page(build, services, session):
    slug = build.published()
    reviewer = build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    assignment_id = assignment_of(session, attempt.id).id
    score(
        services,
        assignment_id,
        Scores({"design": "exemplary"}, {"design": "Sharp prompts."}, "So far so good."),
        submit=False,
    )
    session.rollback()
    page = reviewer_page.review_page(session, session.get(Assignment, assignment_id))
    assert (page.criteria[0].level, page.criteria[0].feedback, page.overall) == (
        "exemplary",
        "Sharp prompts.",
        "So far so good.",
    )
    assert page.criteria[1].level is None and page.editable
    score(services, assignment_id, MEETS)
    session.rollback()
    page = reviewer_page.review_page(session, session.get(Assignment, assignment_id))
    assert not page.editable and page.submitted_at is not None
    assert reviewer_page.reviewer_assignment(session, assignment_id, session.get(User, reviewer.id)).id == assignment_id


def test_a_resubmission_shows_the_note_and_carries_met_criteria_forward(build, services, session):
    slug = build.published()
    build.reviewer(slug=slug)
    teacher = build.user("teacher", school=build.school())
    first = build.submitted(slug, teacher)
    score(services, assignment_of(session, first.id).id, NOT_YET)
    second = build.submitted(slug, teacher)
    page = reviewer_page.review_page(session, assignment_of(session, second.id))
    assert page.resubmission and page.note_to_reviewers == "I revised my reflection."
    artifacts, reflection = page.parts[1], page.parts[2]
    assert artifacts.criteria == [] and [(c.key, c.level) for c in artifacts.carried] == [("design", "Proficient")]
    assert [c.key for c in reflection.criteria] == ["reflection"] and reflection.carried == []


def test_only_the_assigned_reviewer_and_only_files_of_that_submission(build, session):
    slug = build.published()
    reviewer = build.reviewer(slug=slug, capacity=1)
    stranger = build.reviewer(slug=slug, capacity=1)
    mine, theirs = build.submitted(slug), build.submitted(slug)
    assignment = assignment_of(session, mine.id)
    if assignment.reviewer_id != reviewer.id:
        mine, theirs = theirs, mine
        assignment = assignment_of(session, mine.id)
    with pytest.raises(PermissionDenied):
        reviewer_page.reviewer_assignment(session, assignment.id, session.get(User, stranger.id))
    own = session.scalars(select(Artifact).where(Artifact.attempt_id == mine.id)).one()
    other = session.scalars(select(Artifact).where(Artifact.attempt_id == theirs.id)).one()
    assert reviewer_page.review_artifact(assignment, own.id, inline=True).id == own.id
    with pytest.raises(NotFound):
        reviewer_page.review_artifact(assignment, other.id)


def test_recused_work_is_closed_to_the_reviewer(build, services, session, clock):
    slug = build.published()
    build.reviewer(slug=slug)
    build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    assignment = assignment_of(session, attempt.id)
    with transaction(services.session_factory) as s:
        a = s.get(Assignment, assignment.id)
        scoring.recuse(s, a, s.get(User, a.reviewer_id), reason="I know this school.", now=clock.now)
    session.rollback()
    owner = session.get(User, assignment.reviewer_id)
    with pytest.raises(PermissionDenied):
        reviewer_page.reviewer_assignment(session, assignment.id, owner)
    assert assignment_of(session, attempt.id).reviewer_id != owner.id  # routed to the other reviewer


@pytest.mark.parametrize("email", ["nobody@riverside.example.org", "admin@riverside.example.org"])
def test_a_conflict_with_an_address_that_is_no_teacher_records_nothing_and_says_nothing(
    build, services, session, email
):
    reviewer = build.reviewer()
    build.admin(email="admin@riverside.example.org")
    with transaction(services.session_factory) as s:
        reviewer_page.declare_conflict_by_email(
            s, s.get(User, reviewer.id), email=email, reason="Relative.", now=services.clock()
        )
    assert session.scalars(select(ReviewConflict)).all() == []


def test_a_conflict_with_a_teacher_is_recorded_and_needs_a_reason(build, services, session):
    reviewer = build.reviewer()
    teacher = build.user("teacher", email="maria@riverside.example.org")
    with transaction(services.session_factory) as s, pytest.raises(InvalidInput) as caught:
        reviewer_page.declare_conflict_by_email(s, s.get(User, reviewer.id), email="", reason=" ", now=services.clock())
    assert set(caught.value.errors) == {"email", "reason"}
    with transaction(services.session_factory) as s:
        reviewer_page.declare_conflict_by_email(
            s,
            s.get(User, reviewer.id),
            email=" Maria@Riverside.example.org ",
            reason="My sister.",
            now=services.clock(),
        )
    conflict = session.scalars(select(ReviewConflict)).one()
    assert (conflict.reviewer_id, conflict.teacher_id, conflict.reason) == (reviewer.id, teacher.id, "My sister.")
