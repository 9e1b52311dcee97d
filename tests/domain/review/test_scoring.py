import pytest
from sqlalchemy import select

from credentials.domain.after_commit import run_follow_ups
from credentials.domain.audit import Actor
from credentials.domain.errors import Conflict, InvalidInput, PermissionDenied
from credentials.domain.portfolio import attempts
from credentials.domain.review import admin, scoring
from credentials.domain.review.scoring import Scores
from credentials.storage.database import transaction
from credentials.storage.models import Assignment, Attempt, IssuanceRequest, IssuedCredential, OutboxMessage, User
from tests.builders import definition

ADMIN = Actor.system("test-admin")
MEETS = Scores({"design": "proficient", "reflection": "exemplary"}, {}, "Strong, specific evidence.")
NOT_YET = Scores({"design": "proficient", "reflection": "not-yet"}, {"reflection": "Name one change."}, "Close.")


def open_assignments(session, attempt_id, role=None):
    session.rollback()
    query = select(Assignment).where(Assignment.attempt_id == attempt_id, Assignment.status == "assigned")
    if role:
        query = query.where(Assignment.role == role)
    return session.scalars(query.order_by(Assignment.id)).all()


def review(services, assignment_id, scores, *, submit=True):
    with transaction(services.session_factory) as s:
        assignment = s.get(Assignment, assignment_id)
        reviewer = s.get(User, assignment.reviewer_id)
        fn = scoring.submit_review if submit else scoring.save_scores
        return fn(s, assignment, reviewer, scores, now=services.clock())


def status(session, attempt_id):
    session.rollback()
    return session.get(Attempt, attempt_id).status


def test_one_reviewer_decides_earned_and_issuance_is_requested_once(build, services, session):
    slug = build.published()
    build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    [assignment] = open_assignments(session, attempt.id)
    review(services, assignment.id, MEETS, submit=False)
    assert status(session, attempt.id) == "in_review"  # the teacher can no longer withdraw
    review(services, assignment.id, MEETS)
    assert status(session, attempt.id) == "earned"
    assert len(session.scalars(select(IssuanceRequest)).all()) == 1
    results = {r.criterion_key: (r.level_key, r.met) for r in session.get(Attempt, attempt.id).results}
    assert results == {"design": ("proficient", True), "reflection": ("exemplary", True)}
    assert (
        session.scalars(select(OutboxMessage.subject).where(OutboxMessage.kind == "decision"))
        .one()
        .startswith("You earned")
    )
    with pytest.raises(Conflict, match="already submitted"):
        review(services, assignment.id, MEETS)
    with transaction(services.session_factory) as s:
        scoring.request_issuance(s, s.get(Attempt, attempt.id), now=services.clock())
    assert len(session.scalars(select(IssuanceRequest)).all()) == 1


def test_an_earned_decision_is_followed_by_its_credential_once_committed(build, services, session):
    build.issuer_keys()
    slug = build.published()
    build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    [assignment] = open_assignments(session, attempt.id)
    with services.session_factory() as s:
        with s.begin():
            mine = s.get(Assignment, assignment.id)
            scoring.submit_review(s, mine, s.get(User, mine.reviewer_id), MEETS, now=services.clock())
        assert s.scalar(select(IssuedCredential.id)) is None  # committed, and the credential not issued yet
        assert run_follow_ups(s, services)  # issued, and the earner's e-mail queued
        assert run_follow_ups(s, services) is False  # each step runs once
    session.rollback()
    assert session.scalar(select(IssuedCredential.attempt_id)) == attempt.id
    assert session.scalar(select(IssuanceRequest.processed_at)) is not None


def test_bad_scores_are_refused_with_what_to_fix(build, services, session):
    slug = build.published()
    build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    [assignment] = open_assignments(session, attempt.id)
    with pytest.raises(InvalidInput) as caught:
        review(services, assignment.id, Scores({"design": "mastery"}, {}, ""), submit=False)
    assert "Choose one of the levels of “Exit ticket design”" in caught.value.errors["level-design"]
    with pytest.raises(InvalidInput) as caught:
        review(services, assignment.id, Scores({"design": "proficient", "reflection": "not-yet"}, {}, ""))
    assert set(caught.value.errors) == {"feedback-reflection", "overall"}
    session.rollback()
    assert session.get(Assignment, assignment.id).status == "assigned"


def test_only_the_assigned_reviewer(build, services, session):
    slug = build.published()
    build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    stranger = build.reviewer(slug=slug)
    [assignment] = open_assignments(session, attempt.id)
    with pytest.raises(PermissionDenied):
        scoring.get_assignment(session, assignment.id, session.get(User, stranger.id))
    with transaction(services.session_factory) as s, pytest.raises(PermissionDenied):
        scoring.save_scores(s, s.get(Assignment, assignment.id), s.get(User, stranger.id), MEETS, now=services.clock())


def test_two_reviewers_who_disagree_get_a_tie_breaker_who_decides(build, services, session):
    slug = build.published(definition(reviewers_required=2))
    for _ in range(3):
        build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    first, second = open_assignments(session, attempt.id)
    review(services, first.id, MEETS)
    assert status(session, attempt.id) == "in_review"
    review(services, second.id, NOT_YET)
    assert status(session, attempt.id) == "in_review"
    [tiebreak] = open_assignments(session, attempt.id, role="tiebreak")
    assert tiebreak.reviewer_id not in (first.reviewer_id, second.reviewer_id)
    review(services, tiebreak.id, NOT_YET)
    assert status(session, attempt.id) == "not_yet"
    assert session.scalars(select(IssuanceRequest)).all() == []
    results = {r.criterion_key: r for r in session.get(Attempt, attempt.id).results}
    assert not results["reflection"].met and results["reflection"].feedback == "Name one change."


def test_two_reviewers_who_agree_decide_with_the_lower_level(build, services, session):
    slug = build.published(definition(reviewers_required=2))
    for _ in range(2):
        build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    first, second = open_assignments(session, attempt.id)
    review(services, first.id, MEETS)
    review(services, second.id, Scores({"design": "exemplary", "reflection": "proficient"}, {}, "Good."))
    assert status(session, attempt.id) == "earned"
    results = {r.criterion_key: r.level_key for r in session.get(Attempt, attempt.id).results}
    assert results == {"design": "proficient", "reflection": "proficient"}
    assert session.get(Attempt, attempt.id).overall_feedback == "Strong, specific evidence.\n\nGood."


def test_the_points_rule_can_earn_with_one_criterion_not_yet(build, services, session):
    slug = build.published(
        definition(
            rubric={**definition()["rubric"], "decision_rule": {"kind": "every_criterion_or_points", "min_points": 3}}
        )
    )
    build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    [assignment] = open_assignments(session, attempt.id)
    review(
        services,
        assignment.id,
        Scores({"design": "exemplary", "reflection": "not-yet"}, {"reflection": "Thin."}, "Earned on points."),
    )
    assert status(session, attempt.id) == "earned"


def test_resubmission_scores_only_what_was_not_yet_met_and_goes_back_to_the_same_reviewer(build, services, session):
    slug = build.published()
    build.reviewer(slug=slug)
    teacher = build.user("teacher", school=build.school())
    first = build.submitted(slug, teacher)
    [a1] = open_assignments(session, first.id)
    build.reviewer(slug=slug)  # a less loaded reviewer appears, but the earlier reviewer is preferred
    review(services, a1.id, NOT_YET)
    second = build.submitted(slug, teacher)
    [a2] = open_assignments(session, second.id)
    assert a2.reviewer_id == a1.reviewer_id
    with transaction(services.session_factory) as s:
        keys = [c["key"] for c in scoring.criteria_to_score(s, s.get(Assignment, a2.id))]
    assert keys == ["reflection"]
    review(services, a2.id, Scores({"reflection": "proficient"}, {}, "Now it is there."))
    assert status(session, second.id) == "earned"
    results = {r.criterion_key: r.carried_forward for r in session.get(Attempt, second.id).results}
    assert results == {"design": True, "reflection": False}


def test_admin_return_incomplete_and_override(build, services, session):
    slug = build.published()
    build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    with transaction(services.session_factory) as s, pytest.raises(InvalidInput):
        admin.return_incomplete(s, attempt.id, reason=" ", actor=ADMIN, now=services.clock())
    with transaction(services.session_factory) as s:
        admin.return_incomplete(s, attempt.id, reason="The PDF will not open.", actor=ADMIN, now=services.clock())
    assert status(session, attempt.id) == "draft"
    assert open_assignments(session, attempt.id) == []
    with transaction(services.session_factory) as s:
        a = s.get(Attempt, attempt.id)
        attempts.submit_attempt(s, a, a.teacher, attested=True, note="", expected_revision=None, now=services.clock())
    [assignment] = open_assignments(session, attempt.id)
    review(services, assignment.id, NOT_YET)
    with transaction(services.session_factory) as s, pytest.raises(InvalidInput, match="correct"):
        admin.override_decision(s, attempt.id, outcome="earned", reason="", actor=ADMIN, now=services.clock())
    with transaction(services.session_factory) as s:
        admin.override_decision(
            s, attempt.id, outcome="earned", reason="Appeal upheld by the panel.", actor=ADMIN, now=services.clock()
        )
    assert status(session, attempt.id) == "earned"
    assert len(session.scalars(select(IssuanceRequest)).all()) == 1


def test_a_tie_breaker_who_was_not_available_is_assigned_when_one_appears(build, services, session):
    slug = build.published(definition(reviewers_required=2))
    for _ in range(2):
        build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    first, second = open_assignments(session, attempt.id)
    review(services, first.id, MEETS)
    review(services, second.id, NOT_YET)
    assert open_assignments(session, attempt.id, role="tiebreak") == []
    third = build.reviewer(slug=slug)  # qualifying someone routes waiting work, tie-breaks included
    assert [a.reviewer_id for a in open_assignments(session, attempt.id, role="tiebreak")] == [third.id]


def test_overriding_to_not_yet_withdraws_an_unprocessed_issuance_request(build, services, session):
    slug = build.published()
    build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    [assignment] = open_assignments(session, attempt.id)
    review(services, assignment.id, MEETS)
    with transaction(services.session_factory) as s, pytest.raises(Conflict, match="already earned"):
        admin.override_decision(s, attempt.id, outcome="earned", reason="x", actor=ADMIN, now=services.clock())
    with transaction(services.session_factory) as s:
        admin.override_decision(
            s, attempt.id, outcome="not_yet", reason="Evidence was plagiarised.", actor=ADMIN, now=services.clock()
        )
    session.rollback()
    assert session.scalars(select(IssuanceRequest)).all() == []
