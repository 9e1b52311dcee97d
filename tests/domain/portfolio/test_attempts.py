import io

import pytest
from sqlalchemy import select

from credentials.domain.audit import Actor
from credentials.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from credentials.domain.portfolio import attempt_page as portfolio
from credentials.domain.portfolio import attempts, dashboard_page, evidence
from credentials.domain.portfolio.attempts import CriterionDecision, IncompleteSubmission, StaleAttempt
from credentials.storage.database import transaction
from credentials.storage.models import Attempt, OutboxMessage, User
from tests.builders import definition, pdf_bytes, png_bytes

LIMITS = evidence.UploadLimits(per_file=25 * 1024 * 1024, per_attempt=200 * 1024 * 1024)
REVIEWERS = Actor.system("review")


@pytest.fixture
def teacher(build):
    return build.user("teacher", email="maria@riverside.example.org", name="María López")


def run(services, fn, *args, **kwargs):
    """Call a domain function with fresh copies of the attempt and teacher in a committed transaction."""
    with transaction(services.session_factory) as session:
        loaded = [session.get(type(a), a.id) if isinstance(a, Attempt | User) else a for a in args]
        return fn(session, *loaded, now=services.clock(), **kwargs)


def start(services, teacher, slug):
    return run(services, attempts.start_attempt, teacher, slug)


def fill(services, attempt, teacher, *, files=True):
    texts = {"context": "Twenty-six fourth graders in a mixed-ability class.", "reflection": "I changed my groups."}
    with transaction(services.session_factory) as session:
        a, t = session.get(Attempt, attempt.id), session.get(User, teacher.id)
        evidence.save_answers(session, a, t, texts=texts, links={}, now=services.clock())
        if files:
            evidence.add_artifact(
                session,
                services.evidence,
                a,
                t,
                prompt_key="tickets",
                stream=io.BytesIO(pdf_bytes()),
                filename="tickets.pdf",
                limits=LIMITS,
                now=services.clock(),
            )


def submit(services, attempt, teacher, *, attested=True, note=""):
    return run(
        services, attempts.submit_attempt, attempt, teacher, attested=attested, note=note, expected_revision=None
    )


def test_start_binds_to_the_current_version_and_returns_the_open_attempt(services, teacher, slug):
    first = start(services, teacher, slug)
    again = start(services, teacher, slug)
    assert first.id == again.id and first.number == 1 and first.status == "draft"


def test_only_teachers_start(services, build, slug):
    reviewer = build.user("reviewer")
    with pytest.raises(PermissionDenied):
        start(services, reviewer, slug)


def test_a_retired_or_unpublished_microcredential_cannot_be_started(services, teacher, build):
    with pytest.raises(NotFound):
        start(services, teacher, "no-such-thing")


def test_submission_lists_everything_missing(services, teacher, slug, session):
    attempt = start(services, teacher, slug)
    with pytest.raises(IncompleteSubmission) as caught:
        submit(services, attempt, teacher, attested=False)
    problems = caught.value.problems
    assert "Overview questions: “Describe your class.” needs an answer." in problems
    assert "Classroom artifacts: “Upload three exit tickets.” needs at least one file." in problems
    assert "Reflection: “What did you change?” needs an answer." in problems
    assert any("student names" in p for p in problems)
    assert session.get(Attempt, attempt.id).status == "draft"


def test_over_long_answers_are_kept_but_block_submission(services, teacher, slug, session):
    attempt = start(services, teacher, slug)
    fill(services, attempt, teacher)
    long_text = "word " * 301
    with transaction(services.session_factory) as s:
        report = evidence.save_answers(
            s,
            s.get(Attempt, attempt.id),
            s.get(User, teacher.id),
            texts={"context": long_text},
            links={},
            now=services.clock(),
        )
    assert "301 words is over the limit of 300" in report.warnings["context"]
    assert evidence.word_count(session.get(Attempt, attempt.id).answers[0].text) == 301
    with pytest.raises(IncompleteSubmission) as caught:
        submit(services, attempt, teacher)
    assert caught.value.problems == ["Overview questions: “Describe your class.” has 301 words; the limit is 300."]


def test_a_malformed_link_is_refused_and_the_rest_saved(services, teacher, slug, session):
    attempt = start(services, teacher, slug)
    with transaction(services.session_factory) as s:
        report = evidence.save_answers(
            s,
            s.get(Attempt, attempt.id),
            s.get(User, teacher.id),
            texts={"context": "Kept."},
            links={"video": "javascript:alert(1)"},
            now=services.clock(),
        )
    assert "starting with https://" in report.refused["video"]
    answers = {a.prompt_key: a for a in session.get(Attempt, attempt.id).answers}
    assert answers["context"].text == "Kept." and "video" not in answers


def test_submit_locks_records_hashes_dates_and_mails(services, teacher, slug, session, clock):
    attempt = start(services, teacher, slug)
    fill(services, attempt, teacher)
    clock.now = clock.now.replace(year=2026, month=11, day=20)  # a Friday
    submitted = submit(services, attempt, teacher)
    assert submitted.status == "submitted"
    assert submitted.expected_decision_on.isoformat() == "2026-12-04"  # ten business days later
    manifest = submitted.submission_manifest
    import hashlib

    assert manifest["artifacts"][0]["sha256"] == hashlib.sha256(pdf_bytes()).hexdigest()
    assert submitted.privacy_attested_at is not None
    mail = session.scalars(select(OutboxMessage)).one()
    assert mail.recipient == teacher.email and "by December 4, 2026" in mail.body_text
    with transaction(services.session_factory) as s, pytest.raises(Conflict, match="evidence is locked"):
        evidence.save_answers(
            s,
            s.get(Attempt, attempt.id),
            s.get(User, teacher.id),
            texts={"context": "x"},
            links={},
            now=services.clock(),
        )


def test_submitting_twice_changes_nothing_the_second_time(services, teacher, slug, session):
    attempt = start(services, teacher, slug)
    fill(services, attempt, teacher)
    submit(services, attempt, teacher)
    with pytest.raises(Conflict, match="already been submitted"):
        submit(services, attempt, teacher)
    assert len(session.scalars(select(OutboxMessage)).all()) == 1


def test_a_page_showing_an_older_state_changes_nothing(services, teacher, slug):
    attempt = start(services, teacher, slug)
    stale_revision = attempt.revision
    fill(services, attempt, teacher)
    with pytest.raises(StaleAttempt):
        run(
            services,
            attempts.submit_attempt,
            attempt,
            teacher,
            attested=True,
            note="",
            expected_revision=stale_revision,
        )


def test_withdraw_before_review_then_start_again_with_the_evidence(services, teacher, slug, session):
    attempt = start(services, teacher, slug)
    fill(services, attempt, teacher)
    submit(services, attempt, teacher)
    run(services, attempts.withdraw_attempt, attempt, teacher, expected_revision=None)
    with pytest.raises(Conflict, match="withdrawn"):
        run(services, attempts.withdraw_attempt, attempt, teacher, expected_revision=None)
    again = start(services, teacher, slug)
    assert again.number == 2 and again.previous_attempt_id == attempt.id
    copied = session.get(Attempt, again.id)
    assert [a.filename for a in copied.artifacts] == ["tickets.pdf"]
    assert {a.prompt_key for a in copied.answers} == {"context", "reflection"}


def decide(services, attempt, decisions, earned):
    with transaction(services.session_factory) as s:
        return attempts.record_decision(
            s,
            s.get(Attempt, attempt.id),
            decisions,
            earned=earned,
            overall_feedback="Thank you.",
            actor=REVIEWERS,
            now=services.clock(),
        )


def test_resubmission_after_not_yet_carries_met_criteria_forward(services, teacher, slug, session):
    attempt = start(services, teacher, slug)
    fill(services, attempt, teacher)
    submit(services, attempt, teacher)
    decide(
        services,
        attempt,
        [
            CriterionDecision("design", "proficient", True, "Clear prompts."),
            CriterionDecision("reflection", "not-yet", False, "Say what you would change next time."),
        ],
        earned=False,
    )
    second = start(services, teacher, slug)
    assert second.previous_attempt_id == attempt.id and second.version_id == attempt.version_id
    with transaction(services.session_factory) as s:
        assert attempts.carried_forward_keys(s, s.get(Attempt, second.id)) == {"design"}
        page = portfolio.attempt_page(s, s.get(Attempt, second.id))
        criteria = {c.key: c for part in page.parts for c in part.criteria}
        assert criteria["design"].met and criteria["reflection"].feedback == "Say what you would change next time."
    with pytest.raises(IncompleteSubmission) as caught:
        submit(services, second, teacher)
    assert caught.value.problems == ["Tell the reviewers what you changed since your last attempt."]
    submit(services, second, teacher, note="I added a paragraph on next steps.")
    with pytest.raises(InvalidInput):
        decide(services, second, [CriterionDecision("design", "proficient", True)], earned=True)
    decide(services, second, [CriterionDecision("reflection", "proficient", True)], earned=True)
    results = {r.criterion_key: r for r in session.get(Attempt, second.id).results}
    assert results["design"].carried_forward and not results["reflection"].carried_forward
    with pytest.raises(Conflict, match="already earned"):
        start(services, teacher, slug)


def test_the_attempt_cap_says_what_happens_next(services, teacher, build, session):
    slug = build.published(definition(max_attempts=1))
    attempt = start(services, teacher, slug)
    fill(services, attempt, teacher)
    submit(services, attempt, teacher)
    decide(
        services,
        attempt,
        [
            CriterionDecision("design", "not-yet", False, "More."),
            CriterionDecision("reflection", "not-yet", False, "More."),
        ],
        earned=False,
    )
    with pytest.raises(Conflict) as caught:
        start(services, teacher, slug)
    assert "used all 1 attempts" in caught.value.message and "new version" in caught.value.message
    rows = dashboard_page.dashboard(session, session.get(User, teacher.id))
    assert rows[0].status == "not_yet" and "used all 1 attempts" in rows[0].next_step and not rows[0].can_start_again


def test_other_people_cannot_see_an_attempt(services, teacher, build, slug, session):
    attempt = start(services, teacher, slug)
    other = build.user("teacher")
    admin = build.admin()
    with pytest.raises(NotFound):
        attempts.get_attempt(session, attempt.id, session.get(User, other.id))
    assert attempts.get_attempt(session, attempt.id, session.get(User, admin.id)).id == attempt.id


def test_file_rules(services, teacher, slug, session):
    attempt = start(services, teacher, slug)

    def add(data, name, prompt="tickets", limits=LIMITS):
        with transaction(services.session_factory) as s:
            return evidence.add_artifact(
                s,
                services.evidence,
                s.get(Attempt, attempt.id),
                s.get(User, teacher.id),
                prompt_key=prompt,
                stream=io.BytesIO(data),
                filename=name,
                limits=limits,
                now=services.clock(),
            )

    assert add(png_bytes(), "../../etc/photo.png").filename == "photo.png"
    with pytest.raises(InvalidInput, match="correct"):
        add(b"<html><script>alert(1)</script></html>", "notes.pdf")
    with pytest.raises(InvalidInput) as caught:
        add(pdf_bytes(), "plan.pdf", prompt="context")
    assert "does not take files" in caught.value.errors["file"]
    with pytest.raises(InvalidInput) as caught:
        add(pdf_bytes(), "big.pdf", limits=evidence.UploadLimits(per_file=100, per_attempt=10_000))
    assert "larger than" in caught.value.errors["file"]
    add(pdf_bytes("two"), "two.pdf")
    add(pdf_bytes("three"), "three.pdf")
    with pytest.raises(InvalidInput) as caught:
        add(pdf_bytes("four"), "four.pdf")
    assert "at most 3 file(s)" in caught.value.errors["file"]
    assert [a.filename for a in session.get(Attempt, attempt.id).artifacts] == ["photo.png", "two.pdf", "three.pdf"]


def _race(services, *calls):
    """Run each call in its own thread and transaction at once; returns "ok" or the exception's class name."""
    import threading

    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(i, call):
        barrier.wait()
        try:
            with transaction(services.session_factory) as session:
                call(session)
            outcomes[i] = "ok"
        except Conflict as exc:
            outcomes[i] = type(exc).__name__

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


@pytest.mark.postgres
def test_two_simultaneous_submissions_submit_once(services, teacher, slug, session):
    attempt = start(services, teacher, slug)
    fill(services, attempt, teacher)

    def submit_now(s):
        attempts.submit_attempt(
            s,
            s.get(Attempt, attempt.id),
            s.get(User, teacher.id),
            attested=True,
            note="",
            expected_revision=None,
            now=services.clock(),
        )

    assert sorted(_race(services, submit_now, submit_now)) == ["Conflict", "ok"]
    assert len(session.scalars(select(OutboxMessage)).all()) == 1
    assert session.get(Attempt, attempt.id).status == "submitted"


@pytest.mark.postgres
def test_a_submit_racing_a_withdraw_ends_in_one_consistent_state(services, teacher, slug, session):
    for round_ in range(5):
        attempt = start(services, teacher, slug)
        fill(services, attempt, teacher, files=round_ == 0)  # later attempts start from a copy of the evidence

        def submit_now(s, attempt=attempt):
            attempts.submit_attempt(
                s,
                s.get(Attempt, attempt.id),
                s.get(User, teacher.id),
                attested=True,
                note="",
                expected_revision=None,
                now=services.clock(),
            )

        def withdraw_now(s, attempt=attempt):
            attempts.withdraw_attempt(
                s, s.get(Attempt, attempt.id), s.get(User, teacher.id), expected_revision=None, now=services.clock()
            )

        outcome = _race(services, submit_now, withdraw_now)
        session.expire_all()
        status = session.get(Attempt, attempt.id).status
        assert (outcome, status) in ((["ok", "ok"], "withdrawn"), (["ok", "Conflict"], "submitted")), outcome
        if status == "submitted":
            run(services, attempts.withdraw_attempt, attempt, teacher, expected_revision=None)
