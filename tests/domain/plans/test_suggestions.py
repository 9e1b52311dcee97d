"""Suggested micro-credentials with reasons: one test per rule, what is never suggested, the ranking, dismissals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from credentials.domain.audit import Actor
from credentials.domain.audit import page as audit_page
from credentials.domain.catalog import microcredentials
from credentials.domain.credentials import admin as credential_admin
from credentials.domain.credentials import revocation
from credentials.domain.errors import NotFound, PermissionDenied
from credentials.domain.plans import suggestions
from credentials.domain.plans.suggestions import SCORES
from credentials.domain.portfolio import attempts
from credentials.domain.portfolio.attempts import CriterionDecision, record_decision
from credentials.storage.database import transaction
from credentials.storage.models import Attempt, AuditEvent, SuggestionDismissal, User

from ...builders import definition

SCHOOL = "Oak Valley Middle School"
ADMIN = Actor.system("test")
EXIT_TICKETS = "Checking for understanding with exit tickets"


@pytest.fixture
def school(build):
    return build.school(SCHOOL)


@pytest.fixture
def teacher(build, school) -> User:
    return build.user("teacher", school=school, name="Maria Lopez", email="maria@riverside.example.org")


def publish(build, slug: str, title: str, tags: list[str], **overrides) -> str:
    return build.published(definition(slug=slug, title=title, tags=tags, **overrides))


def suggested(services, teacher: User, **kwargs) -> list[tuple[str, list[str]]]:
    """(slug, reason sentences) of each suggestion, in order."""
    kwargs.setdefault("goal_focus", [])
    with services.session_factory() as s:
        found = suggestions.suggest(s, s.get(User, teacher.id), now=services.clock(), **kwargs)
        return [(item.slug, [reason.sentence for reason in item.reasons]) for item in found]


def not_yet(build, services, slug: str, teacher: User, *, unmet: tuple[str, ...] = ("reflection",)) -> Attempt:
    """A submitted attempt decided "not yet", with ``unmet`` criteria not met and the others met."""
    attempt = build.submitted(slug, teacher)
    decisions = [
        CriterionDecision(key, "not-yet" if key in unmet else "proficient", key not in unmet)
        for key in ("design", "reflection")
    ]
    with transaction(services.session_factory) as s:
        record_decision(s, s.get(Attempt, attempt.id), decisions, earned=False, overall_feedback="",
                        actor=ADMIN, now=services.clock())  # fmt: skip
    return attempt


# ---- Each rule ---------------------------------------------------------------------------------------------------


def test_goal_focus_matches_a_tag_without_regard_to_case(build, services, teacher):
    publish(build, "exit-tickets", EXIT_TICKETS, ["formative assessment", "exit tickets"])
    publish(build, "number-talks", "Number talks", ["discourse"])
    assert suggested(services, teacher, goal_focus=["tag:Formative Assessment"]) == [
        ("exit-tickets", ["Matches your goal's focus: formative assessment"])
    ]
    # A key without a prefix is a tag; several matching tags make one reason naming them all.
    assert suggested(services, teacher, goal_focus=["exit tickets", "tag:formative assessment"]) == [
        ("exit-tickets", ["Matches your goal's focus: exit tickets and formative assessment"])
    ]
    assert suggested(services, teacher, goal_focus=["tag:equity", "", "tag:"]) == []


def test_goal_focus_on_a_competency_names_the_micro_credential(build, services, teacher):
    publish(build, "exit-tickets", EXIT_TICKETS, ["formative assessment"])
    publish(build, "number-talks", "Number talks", ["discourse"])
    assert suggested(services, teacher, goal_focus=["competency:number-talks", "competency:nowhere"]) == [
        ("number-talks", ["Matches your goal's focus: Number talks"])
    ]


def test_the_current_version_is_suggested_and_matched_on_its_own_tags(build, services, teacher):
    slug = publish(build, "number-talks", "Number talks", ["discourse"])
    with transaction(services.session_factory) as s:
        draft = microcredentials.start_new_version(s, slug, actor=ADMIN, now=services.clock())
        doc = {**draft.definition, "title": "Number talks in every grade", "tags": ["numeracy"]}
        microcredentials.save_draft(s, draft, doc, actor=ADMIN, now=services.clock())
        microcredentials.publish_version(s, draft, actor=ADMIN, now=services.clock())
    assert suggested(services, teacher, goal_focus=["tag:discourse"]) == []
    with services.session_factory() as s:
        (item,) = suggestions.suggest(s, s.get(User, teacher.id), goal_focus=["tag:numeracy"], now=services.clock())
    assert (item.slug, item.title, item.version, item.score) == ("number-talks", "Number talks in every grade", 2, 40)


def test_school_and_team_focus_each_give_their_reason(build, services, teacher):
    publish(build, "number-talks", "Number talks", ["student discourse", "numeracy"])
    assert suggested(services, teacher, school_focus=["tag:student discourse"]) == [
        ("number-talks", ["Your school's focus: student discourse"])
    ]
    assert suggested(services, teacher, team_focus=["tag:numeracy"]) == [
        ("number-talks", ["Your team's focus: numeracy"])
    ]


def test_a_criterion_scored_not_yet_suggests_what_shares_its_tags(build, services, teacher):
    publish(build, "exit-tickets", EXIT_TICKETS, ["formative assessment", "exit tickets"])
    publish(build, "hinge-questions", "Hinge questions", ["Formative assessment", "questioning"])
    publish(build, "number-talks", "Number talks", ["discourse"])
    not_yet(build, services, "exit-tickets", teacher, unmet=("reflection",))
    # The attempted one is in progress (waiting for a resubmission), so only the one sharing a tag is suggested.
    assert suggested(services, teacher) == [
        (
            "hinge-questions",
            [f"You were scored “not yet” on Reflection on practice in {EXIT_TICKETS}; "
             "this one also works on Formative assessment"],
        )
    ]  # fmt: skip


def test_not_yet_names_every_unmet_criterion_of_the_latest_decision_only(build, services, teacher, clock):
    publish(build, "exit-tickets", EXIT_TICKETS, ["formative assessment"])
    publish(build, "hinge-questions", "Hinge questions", ["formative assessment"])
    publish(build, "peer-feedback", "Peer feedback", ["formative assessment", "feedback"])
    not_yet(build, services, "peer-feedback", teacher, unmet=("design",))
    clock.advance(days=3)
    not_yet(build, services, "exit-tickets", teacher, unmet=("design", "reflection"))
    assert suggested(services, teacher) == [
        (
            "hinge-questions",
            [f"You were scored “not yet” on Exit ticket design and Reflection on practice in {EXIT_TICKETS}; "
             "this one also works on formative assessment"],
        )
    ]  # fmt: skip


def test_a_later_earned_attempt_clears_its_not_yet_criteria(build, services, teacher):
    publish(build, "exit-tickets", EXIT_TICKETS, ["formative assessment"])
    publish(build, "hinge-questions", "Hinge questions", ["formative assessment"])
    not_yet(build, services, "exit-tickets", teacher, unmet=("design", "reflection"))  # nothing carried forward
    assert [slug for slug, _ in suggested(services, teacher)] == ["hinge-questions"]
    build.earned("exit-tickets", teacher)
    assert suggested(services, teacher) == []


def test_colleagues_at_the_school_who_hold_it_are_counted(build, services, teacher, school):
    publish(build, "number-talks", "Number talks", ["discourse"])
    publish(build, "exit-tickets", EXIT_TICKETS, ["formative assessment"])
    publish(build, "hinge-questions", "Hinge questions", ["questioning"])
    for _ in range(2):
        build.credential("number-talks", build.user("teacher", school=school))
    build.credential("exit-tickets", build.user("teacher", school=school, active=False))  # has left
    build.credential("exit-tickets", build.user("teacher", school=build.school("Elm Street Elementary")))
    revoked = build.credential("hinge-questions", build.user("teacher", school=school))
    with transaction(services.session_factory) as s:
        revocation.revoke_credential(s, services.signing, revoked.uuid, category="issued_in_error", reason="Wrong",
                                     actor=ADMIN, now=services.clock())  # fmt: skip
    assert suggested(services, teacher) == [("number-talks", [f"2 colleagues at {SCHOOL} earned it"])]
    build.credential("exit-tickets", build.user("teacher", school=school))
    assert suggested(services, teacher)[0] == ("exit-tickets", [f"1 colleague at {SCHOOL} earned it"])


# ---- Never suggested ---------------------------------------------------------------------------------------------


def test_earned_and_in_progress_are_never_suggested(build, services, teacher):
    focus = ["tag:formative assessment"]
    slugs = [publish(build, f"mc-{n}", f"Formative practice {n}", ["formative assessment"]) for n in range(6)]
    with transaction(services.session_factory) as s:
        attempts.start_attempt(s, s.get(User, teacher.id), slugs[0], now=services.clock())  # a draft
    build.submitted(slugs[1], teacher)
    build.credential(slugs[2], teacher)
    build.earned(slugs[3], teacher)  # earned, its credential not issued yet
    with transaction(services.session_factory) as s:  # from a district record, without an attempt
        credential_admin.issue_to_person(s, services.signing, name=teacher.name, email=teacher.email,
                                         microcredential=slugs[4], awarded_on=services.clock().date(), actor=ADMIN,
                                         now=services.clock())  # fmt: skip
    assert [slug for slug, _ in suggested(services, teacher, goal_focus=focus)] == [slugs[5]]


def test_a_withdrawn_attempt_does_not_keep_it_out(build, services, teacher):
    focus = ["tag:formative assessment"]
    slug = publish(build, "exit-tickets", EXIT_TICKETS, ["formative assessment"])
    attempt = build.submitted(slug, teacher)
    assert suggested(services, teacher, goal_focus=focus) == []
    with transaction(services.session_factory) as s:
        attempts.withdraw_attempt(s, s.get(Attempt, attempt.id), s.get(User, teacher.id), expected_revision=None,
                                  now=services.clock())  # fmt: skip
    assert [slug for slug, _ in suggested(services, teacher, goal_focus=focus)] == ["exit-tickets"]


def test_a_revoked_or_expired_record_no_longer_counts_as_held(build, services, teacher, clock):
    focus = ["tag:formative assessment"]
    lapsing = publish(build, "lapsing", "Lapsing", ["formative assessment"], validity_months=1)
    revoked = publish(build, "revoked", "Revoked", ["formative assessment"])
    build.issuer_keys()
    with transaction(services.session_factory) as s:
        for slug in (lapsing, revoked):
            credential, _ = credential_admin.issue_to_person(
                s, services.signing, name=teacher.name, email=teacher.email, microcredential=slug,
                awarded_on=services.clock().date(), actor=ADMIN, now=services.clock())  # fmt: skip
        revocation.revoke_credential(s, services.signing, credential.uuid, category="issued_in_error", reason="No",
                                     actor=ADMIN, now=services.clock())  # fmt: skip
    assert [slug for slug, _ in suggested(services, teacher, goal_focus=focus)] == ["revoked"]
    clock.advance(days=40)
    assert [slug for slug, _ in suggested(services, teacher, goal_focus=focus)] == ["lapsing", "revoked"]


def test_drafts_and_retired_micro_credentials_are_never_suggested(build, services, teacher, school):
    focus = ["tag:formative assessment"]
    publish(build, "retired", "Retired one", ["formative assessment"])
    build.credential("retired", build.user("teacher", school=school))  # a colleague earned it before it retired
    with transaction(services.session_factory) as s:
        microcredentials.retire_microcredential(s, "retired", actor=ADMIN, now=services.clock())
        microcredentials.create_microcredential(
            s, definition(slug="draft", title="A draft", tags=["formative assessment"]), actor=ADMIN,
            now=services.clock())  # fmt: skip
    assert suggested(services, teacher, goal_focus=focus) == []


def test_nothing_without_a_reason(build, services, teacher):
    publish(build, "number-talks", "Number talks", ["discourse"])
    assert suggested(services, teacher, goal_focus=[]) == []


# ---- Ranking -----------------------------------------------------------------------------------------------------


def test_ranked_by_the_sum_of_fixed_scores_then_by_title(build, services, teacher):
    publish(build, "zeta", "Zeta routines", ["routines"])  # goal: 40
    publish(build, "alpha", "alpha routines", ["routines"])  # goal: 40, first by title whatever the case
    publish(build, "both", "Routines and discourse", ["routines", "discourse"])  # goal + school: 60
    publish(build, "school-only", "Aaa discourse", ["discourse"])  # school: 20
    kwargs = {"goal_focus": ["tag:routines"], "school_focus": ["tag:discourse"]}
    assert suggested(services, teacher, **kwargs) == [
        ("both", ["Matches your goal's focus: routines", "Your school's focus: discourse"]),
        ("alpha", ["Matches your goal's focus: routines"]),
        ("zeta", ["Matches your goal's focus: routines"]),
        ("school-only", ["Your school's focus: discourse"]),
    ]
    assert [slug for slug, _ in suggested(services, teacher, limit=2, **kwargs)] == ["both", "alpha"]
    assert suggested(services, teacher, limit=0, **kwargs) == []
    assert SCORES == {"goal_focus": 40, "not_yet": 30, "school_focus": 20, "team_focus": 20, "colleagues": 10}


def test_every_reason_adds_its_score_once(build, services, teacher, school):
    publish(build, "exit-tickets", EXIT_TICKETS, ["formative assessment"])
    publish(build, "hinge-questions", "Hinge questions", ["formative assessment", "questioning", "discourse"])
    not_yet(build, services, "exit-tickets", teacher)
    build.credential("hinge-questions", build.user("teacher", school=school))
    with services.session_factory() as s:
        (item,) = suggestions.suggest(
            s, s.get(User, teacher.id), goal_focus=["tag:questioning", "tag:formative assessment"],
            school_focus=["tag:discourse"], team_focus=["tag:questioning"], now=services.clock())  # fmt: skip
    assert [r.kind for r in item.reasons] == ["goal_focus", "not_yet", "school_focus", "team_focus", "colleagues"]
    assert item.score == 40 + 30 + 20 + 20 + 10


# ---- Dismissing ----------------------------------------------------------------------------------------------------


def test_a_dismissed_suggestion_is_skipped_until_undone_and_both_are_audited(build, services, teacher):
    focus = ["tag:discourse"]
    publish(build, "number-talks", "Number talks", ["discourse"])
    publish(build, "seminars", "Socratic seminars", ["discourse"])
    for _ in range(2):  # twice: the second changes nothing
        with transaction(services.session_factory) as s:
            suggestions.dismiss(s, s.get(User, teacher.id), "number-talks", now=services.clock())
    assert [slug for slug, _ in suggested(services, teacher, goal_focus=focus)] == ["seminars"]
    for _ in range(2):
        with transaction(services.session_factory) as s:
            suggestions.undo_dismiss(s, s.get(User, teacher.id), "number-talks", now=services.clock())
    assert [slug for slug, _ in suggested(services, teacher, goal_focus=focus)] == ["number-talks", "seminars"]
    with services.session_factory() as s:
        events = list(
            s.scalars(select(AuditEvent).where(AuditEvent.action.like("suggestion.%")).order_by(AuditEvent.seq))
        )
        assert [(e.action, e.actor_id, e.subject_id) for e in events] == [
            ("suggestion.dismiss", teacher.id, "number-talks"),
            ("suggestion.undo_dismiss", teacher.id, "number-talks"),
        ]
        assert [line.sentence for line in audit_page.describe_events(s, events)] == [
            "Maria Lopez dismissed the suggestion to earn Number talks",
            "Maria Lopez asked to see the suggestion to earn Number talks again",
        ]
        assert s.scalars(select(SuggestionDismissal)).all() == []


def test_only_a_teacher_dismisses_and_only_what_exists(build, services, teacher):
    publish(build, "number-talks", "Number talks", ["discourse"])
    reviewer = build.user("reviewer")
    with transaction(services.session_factory) as s, pytest.raises(PermissionDenied):
        suggestions.dismiss(s, s.get(User, reviewer.id), "number-talks", now=services.clock())
    with transaction(services.session_factory) as s, pytest.raises(NotFound):
        suggestions.dismiss(s, s.get(User, teacher.id), "no-such-thing", now=services.clock())


# ---- Efficiency --------------------------------------------------------------------------------------------------


def test_the_same_six_statements_whatever_the_data(build, services, teacher, school, count_queries):
    def statements(**kwargs) -> int:
        with services.session_factory() as s:
            me = s.get(User, teacher.id)
            with count_queries() as seen:
                suggestions.suggest(s, me, now=services.clock(), **kwargs)
            return len(seen)

    focus = {"goal_focus": ["tag:formative assessment", "competency:mc-1"], "school_focus": ["tag:discourse"]}
    assert statements(goal_focus=[]) == 6
    publish(build, "exit-tickets", EXIT_TICKETS, ["formative assessment"])
    assert statements(**focus) == 6
    for n in range(4):
        publish(build, f"mc-{n}", f"Practice {n}", ["formative assessment", "discourse"])
    not_yet(build, services, "exit-tickets", teacher)
    build.submitted("mc-0", teacher)
    for n in (1, 2):
        build.credential(f"mc-{n}", build.user("teacher", school=school))
    with transaction(services.session_factory) as s:
        suggestions.dismiss(s, s.get(User, teacher.id), "mc-3", now=services.clock())
    assert statements(**focus) == 6
