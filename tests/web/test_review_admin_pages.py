"""The issuer admin's review pages: queue and loads, reassignment, reviewers, conflicts, holidays, one attempt's
review (return incomplete, override) and inter-rater agreement."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from credentials.domain.audit import Actor
from credentials.domain.review import admin as review_admin
from credentials.domain.review.routing import anonymous_code
from credentials.storage.database import transaction
from credentials.storage.models import (
    Assignment,
    Attempt,
    AuditEvent,
    Holiday,
    IssuanceRequest,
    OutboxMessage,
    Qualification,
    ReviewConflict,
    ReviewerProfile,
)

from ..builders import definition
from ..conftest import ADMIN_EMAIL, ADMIN_NAME
from ..scoring import assignments_of, levels, submit_review

ADMIN = Actor.system("test-admin")
MEETS = levels(design="proficient", reflection="exemplary")
NOT_YET = levels(design="proficient", reflection="not-yet")


@pytest.fixture
def scene(build):
    """A published micro-credential, a reviewer and a submission assigned to them."""
    slug = build.published()
    reviewer = build.reviewer(slug=slug, name="Rae Reviewer")
    teacher = build.user("teacher", name="Tess Teacher", school=build.school("Oak School"))
    attempt = build.submitted(slug, teacher)
    return {"slug": slug, "reviewer": reviewer, "teacher": teacher, "attempt": attempt}


def pages(scene) -> list[str]:
    return [
        "/admin/reviews",
        f"/admin/reviews/reviewers/{scene['reviewer'].id}",
        "/admin/reviews/conflicts",
        "/admin/reviews/holidays",
        f"/admin/reviews/attempts/{scene['attempt'].id}",
        "/admin/reviews/inter-rater",
    ]


def posts(scene, services) -> list[str]:
    [assignment] = assignments_of(services, scene["attempt"].id)
    attempt_id, reviewer_id = scene["attempt"].id, scene["reviewer"].id
    return [
        f"/admin/reviews/assignments/{assignment.id}/reassign",
        f"/admin/reviews/reviewers/{reviewer_id}",
        f"/admin/reviews/reviewers/{reviewer_id}/qualifications",
        f"/admin/reviews/reviewers/{reviewer_id}/qualifications/1/revoke",
        "/admin/reviews/conflicts",
        "/admin/reviews/holidays",
        f"/admin/reviews/attempts/{attempt_id}/incomplete",
        f"/admin/reviews/attempts/{attempt_id}/override",
    ]


def error_beside(html: str, field_id: str) -> str:
    """The error message shown under the field with this id (empty when there is none)."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">([^<]*)</p>', html)
    return match.group(1) if match else ""


def test_every_page_renders_for_an_admin(admin, scene):
    for url in pages(scene):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert b"<script" not in response.data, url
    overview = admin.get("/admin/reviews").get_data(as_text=True)
    assert "Tess Teacher" in overview and "Rae Reviewer" in overview
    assert anonymous_code(scene["attempt"].id) in overview
    assert 'aria-current="page">Review admin</a>' in overview
    detail = admin.get(pages(scene)[4]).get_data(as_text=True)
    assert "Tess Teacher (Oak School)" in detail and "Return as incomplete" in detail and "Override" not in detail


@pytest.mark.parametrize("role", ["teacher", "reviewer"])
def test_pages_are_forbidden_to_teachers_and_reviewers(browser, build, services, scene, role):
    person = build.user(role)
    browser.login(person.email)
    for url in pages(scene):
        assert browser.get(url).status_code == 403, url
    for url in posts(scene, services):
        # Even with a valid CSRF token (taken from a page this person may see).
        assert browser.submit(url, {"reason": "Because."}, page="/").status_code == 403, url
    assert assignments_of(services, scene["attempt"].id)[0].reviewer_id == scene["reviewer"].id


def test_anonymous_visitors_are_sent_to_sign_in(client, scene):
    for url in pages(scene):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url


def test_reassign_needs_a_reason_and_moves_the_work(admin, build, services, session, scene):
    other = build.reviewer(slug=scene["slug"], name="Otto Other")
    [assignment] = assignments_of(services, scene["attempt"].id)
    url = f"/admin/reviews/assignments/{assignment.id}/reassign"

    refused = admin.submit(url, {"reason": "  "}, page="/admin/reviews")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert error_beside(html, f"reason-{assignment.id}") == "Say why the assignment moves."
    assert f'href="#reason-{assignment.id}"' in html  # the summary links to the field
    assert [a.id for a in assignments_of(services, scene["attempt"].id)] == [assignment.id]

    moved = admin.submit(url, {"reason": "Rae is on jury duty."}, page="/admin/reviews")
    assert moved.status_code == 302 and moved.headers["Location"] == "/admin/reviews"
    old = session.get(Assignment, assignment.id)
    assert (old.status, old.end_reason) == ("reassigned", "Rae is on jury duty.")
    [now_open] = assignments_of(services, scene["attempt"].id)
    assert now_open.reviewer_id == other.id
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "review.reassign")).one()
    assert event.summary["reason"] == "Rae is on jury duty." and event.actor_label == ADMIN_EMAIL
    assert b"was taken back" in admin.get("/admin/reviews").data

    again = admin.submit(url, {"reason": "Twice."}, page="/admin/reviews")
    assert again.status_code == 409  # no longer open


def test_override_needs_a_reason_and_is_kept_in_the_audit_trail(admin, services, session, scene):
    attempt_id = scene["attempt"].id
    [assignment] = assignments_of(services, attempt_id)
    submit_review(services, assignment.id, NOT_YET)
    url = f"/admin/reviews/attempts/{attempt_id}"
    page = admin.get(url).get_data(as_text=True)
    assert "Override the decision" in page and "Return as incomplete" not in page

    refused = admin.submit(f"{url}/override", {"outcome": "earned", "reason": ""}, page=url)
    assert refused.status_code == 422
    assert "An override needs a reason" in error_beside(refused.get_data(as_text=True), "override-reason")
    no_outcome = admin.submit(f"{url}/override", {"outcome": "", "reason": "Appeal."}, page=url)
    assert no_outcome.status_code == 422
    assert error_beside(no_outcome.get_data(as_text=True), "override-outcome") == "Choose earned or not yet."
    session.rollback()
    assert session.get(Attempt, attempt_id).status == "not_yet"
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "attempt.override")).all() == []

    done = admin.submit(f"{url}/override", {"outcome": "earned", "reason": "Appeal upheld by the panel."}, page=url)
    assert done.status_code == 302
    session.rollback()
    assert session.get(Attempt, attempt_id).status == "earned"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "attempt.override")).one()
    assert event.summary == {"from": "not_yet", "to": "earned", "reason": "Appeal upheld by the panel."}
    assert event.actor_label == ADMIN_EMAIL
    assert session.scalars(select(IssuanceRequest.attempt_id)).all() == [attempt_id]
    history = admin.get(url).get_data(as_text=True)
    assert "Decision overridden" in history and "Appeal upheld by the panel." in history


def test_return_incomplete(admin, services, session, scene):
    attempt_id = scene["attempt"].id
    url = f"/admin/reviews/attempts/{attempt_id}"
    refused = admin.submit(f"{url}/incomplete", {"reason": " "}, page=url)
    assert refused.status_code == 422
    assert error_beside(refused.get_data(as_text=True), "incomplete-reason") == "Tell the teacher what is incomplete."

    done = admin.submit(f"{url}/incomplete", {"reason": "The PDF of exit tickets will not open."}, page=url)
    assert done.status_code == 302 and done.headers["Location"] == url
    session.rollback()
    assert session.get(Attempt, attempt_id).status == "draft"
    assert [a.status for a in assignments_of(services, attempt_id, status=None)] == ["cancelled"]
    mail = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "returned_incomplete")).one()
    assert "The PDF of exit tickets will not open." in mail.body_text
    page = admin.get(url).get_data(as_text=True)
    assert "Returned as incomplete" in page and "Return to the teacher" not in page


def test_returning_evidence_ends_reviews_already_submitted_so_resubmission_starts_afresh(
    admin, build, services, session
):
    slug = build.published(definition(reviewers_required=2))
    for _ in range(2):
        build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    first, second = assignments_of(services, attempt.id)
    submit_review(services, first.id, MEETS)  # scored the evidence before it was found incomplete
    url = f"/admin/reviews/attempts/{attempt.id}"
    assert admin.submit(f"{url}/incomplete", {"reason": "Video link is private."}, page=url).status_code == 302
    assert {a.status for a in assignments_of(services, attempt.id, status=None)} == {"cancelled"}

    build.submitted(slug, session.get(Attempt, attempt.id).teacher)  # the teacher fixes it and submits again
    fresh = assignments_of(services, attempt.id)
    assert len(fresh) == 2 and {a.id for a in fresh}.isdisjoint({first.id, second.id})
    for assignment in fresh:
        submit_review(services, assignment.id, NOT_YET)
    session.rollback()
    assert session.get(Attempt, attempt.id).status == "not_yet"  # the old "earned" review did not count


def test_capacity_and_away_dates_with_errors_beside_the_fields(admin, session, clock, scene):
    url = f"/admin/reviews/reviewers/{scene['reviewer'].id}"
    today = clock().date()
    cases = [
        ({"capacity": "101"}, "capacity", "Capacity is a number of open assignments from 0 to 100."),
        ({"capacity": "-1"}, "capacity", "Capacity is a number of open assignments from 0 to 100."),
        ({"capacity": "lots"}, "capacity", "Not a valid integer value."),
        ({"capacity": ""}, "capacity", "Enter a number of open assignments."),
        (
            {"capacity": "3", "away_from": str(today), "away_until": str(today - timedelta(days=1))},
            "away_until",
            "The last day away cannot be before the first.",
        ),
        (
            {"capacity": "3", "away_from": str(today)},
            "away_until",
            "Give both the first and the last day away, or neither.",
        ),
        ({"capacity": "3", "away_from": "31/02/2026"}, "away_from", "Not a valid date value."),
    ]
    for data, field_id, message in cases:
        response = admin.submit(url, data)
        assert response.status_code == 422, data
        html = response.get_data(as_text=True)
        assert error_beside(html, field_id) == message, (data, html[-2500:])
        assert f'aria-describedby="{field_id}-error"' in html or f"{field_id}-hint {field_id}-error" in html
    assert session.get(ReviewerProfile, scene["reviewer"].id) is None

    away = {"capacity": "2", "away_from": str(today), "away_until": str(today + timedelta(days=6))}
    assert admin.submit(url, away).status_code == 302
    session.rollback()
    profile = session.get(ReviewerProfile, scene["reviewer"].id)
    assert (profile.capacity, profile.away_from, profile.away_until) == (2, today, today + timedelta(days=6))
    page = admin.get(url).get_data(as_text=True)
    assert 'value="2"' in page and "(away now)" in page


def test_grant_and_revoke_qualifications(admin, build, services, session):
    slug = build.published()
    reviewer = build.reviewer(name="New Reviewer")
    waiting = build.submitted(slug)
    url = f"/admin/reviews/reviewers/{reviewer.id}"
    page = admin.get(url).get_data(as_text=True)
    assert f'<option value="{slug}">Checking for understanding with exit tickets</option>' in page

    for data in ({"microcredential": "", "tag": ""}, {"microcredential": slug, "tag": "exit tickets"}):
        refused = admin.submit(f"{url}/qualifications", data, page=url)
        assert refused.status_code == 422 and b"Choose a micro-credential or a tag (one of them)." in refused.data
    unknown = admin.submit(f"{url}/qualifications", {"microcredential": "no-such-thing"}, page=url)
    assert unknown.status_code == 422 and b"Not a valid choice" in unknown.data

    assert admin.submit(f"{url}/qualifications", {"microcredential": slug}, page=url).status_code == 302
    assert [a.reviewer_id for a in assignments_of(services, waiting.id)] == [reviewer.id]  # routed at once
    assert admin.submit(f"{url}/qualifications", {"tag": "  exit   tickets "}, page=url).status_code == 302
    session.rollback()
    granted = session.scalars(select(Qualification).where(Qualification.reviewer_id == reviewer.id)).all()
    assert sorted((q.microcredential_id is not None, q.tag) for q in granted) == [(False, "exit tickets"), (True, None)]

    page = admin.get(url).get_data(as_text=True)
    assert "Every micro-credential tagged “exit tickets”" in page
    tag_id = next(q.id for q in granted if q.tag)
    other = build.reviewer()
    other_url = f"/admin/reviews/reviewers/{other.id}/qualifications/{tag_id}/revoke"
    assert admin.submit(other_url, page=url).status_code == 404  # not that reviewer's qualification
    assert admin.submit(f"{url}/qualifications/{tag_id}/revoke", page=url).status_code == 302
    session.rollback()
    session.expunge_all()
    assert session.get(Qualification, tag_id) is None
    assert admin.submit(f"{url}/qualifications/{tag_id}/revoke", page=url).status_code == 404
    assert admin.get(f"/admin/reviews/reviewers/{build.user('teacher').id}").status_code == 404


def test_declare_a_conflict(admin, services, session, build, scene):
    other = build.reviewer(slug=scene["slug"], name="Otto Other")
    url = "/admin/reviews/conflicts"
    page = admin.get(url).get_data(as_text=True)
    assert "Tess Teacher (Oak School)" in page and "Rae Reviewer" in page
    data = {"reviewer": str(scene["reviewer"].id), "teacher": str(scene["teacher"].id), "reason": ""}
    refused = admin.submit(url, data)
    assert refused.status_code == 422 and error_beside(refused.get_data(as_text=True), "reason") == (
        "Say what the conflict is."
    )
    nobody = admin.submit(url, {**data, "reviewer": "", "reason": "Cousin"})
    assert nobody.status_code == 422 and error_beside(nobody.get_data(as_text=True), "reviewer") == "Choose a reviewer."

    assert admin.submit(url, {**data, "reason": "Cousin"}).status_code == 302
    conflict = session.scalars(select(ReviewConflict)).one()
    assert (conflict.reviewer_id, conflict.teacher_id, conflict.reason) == (
        scene["reviewer"].id,
        scene["teacher"].id,
        "Cousin",
    )
    assert [a.reviewer_id for a in assignments_of(services, scene["attempt"].id)] == [other.id]
    listed = admin.get(url).get_data(as_text=True)
    assert "Cousin" in listed and f"by {ADMIN_NAME}" in listed


def test_holidays(admin, session, clock):
    url = "/admin/reviews/holidays"
    refused = admin.submit(url, {"day": "2026-13-01", "name": "Nonsense"})
    assert refused.status_code == 422 and error_beside(refused.get_data(as_text=True), "day") == (
        "Not a valid date value."
    )
    unnamed = admin.submit(url, {"day": "2026-11-26", "name": " "})
    assert unnamed.status_code == 422 and error_beside(unnamed.get_data(as_text=True), "name") == "Name the holiday."
    assert admin.submit(url, {"day": "2026-11-26", "name": "Thanksgiving"}).status_code == 302
    assert session.get(Holiday, clock().date().replace(month=11, day=26)).name == "Thanksgiving"
    assert b"November 26, 2026" in admin.get(url).data


def test_inter_rater_page_has_tables_and_an_accessible_chart(admin, build, services):
    slug = build.published(definition(reviewers_required=2))
    for _ in range(2):
        build.reviewer(slug=slug)
    pairs = [(MEETS, MEETS), (NOT_YET, levels(design="exemplary", reflection="not-yet"))]
    for mine, theirs in pairs:
        first, second = assignments_of(services, build.submitted(slug).id)
        submit_review(services, first.id, mine)
        submit_review(services, second.id, theirs)
    html = admin.get("/admin/reviews/inter-rater").get_data(as_text=True)
    assert '<svg role="img"' in html and 'aria-labelledby="kappa-chart-title kappa-chart-desc"' in html
    assert re.search(r'<desc id="kappa-chart-desc">Checking for understanding with exit tickets: 0\.\d\d', html)
    assert "Exit ticket design" in html and "Kappa per reviewer pair" in html
    assert "<script" not in html and "style=" not in html


def test_inter_rater_page_without_data(admin):
    html = admin.get("/admin/reviews/inter-rater").get_data(as_text=True)
    assert "No submission has been scored by two reviewers yet" in html and "<svg" not in html


def test_the_list_pages_run_the_same_queries_for_few_and_many(admin, build, services, clock, count_queries):
    slug = build.published(definition(reviewers_required=2))
    watched = build.reviewer(slug=slug, capacity=40, name="Watched Reviewer")
    build.reviewer(slug=slug, capacity=40)
    build.submitted(slug)
    attempt = build.submitted(slug)
    decide_together(services, attempt.id)
    with transaction(services.session_factory) as s:
        teacher = s.get(Attempt, attempt.id).teacher_id
        review_admin.declare_conflict(s, watched.id, teacher, reason="Cousin", actor=ADMIN, now=clock())
        review_admin.add_holiday(s, clock().date() + timedelta(days=60), "Winter break", actor=ADMIN, now=clock())
    urls = [
        "/admin/reviews",
        f"/admin/reviews/reviewers/{watched.id}",
        "/admin/reviews/conflicts",
        "/admin/reviews/holidays",
        "/admin/reviews/inter-rater",
    ]

    def queries(url) -> int:
        with count_queries() as statements:
            response = admin.get(url)
        assert response.status_code == 200, url
        return len(statements)

    few = [queries(url) for url in urls]
    reviewers = [build.reviewer(slug=slug, capacity=40) for _ in range(8)]
    reviewers += [build.reviewer(tag="formative assessment") for _ in range(4)]
    submitted = [build.submitted(slug) for _ in range(16)]
    build.submitted(build.published(definition(slug="orphan", title="Nobody qualified")))
    for attempt in submitted[:6]:
        decide_together(services, attempt.id)
    with transaction(services.session_factory) as s:
        for n, teacher in enumerate(s.get(Attempt, a.id).teacher_id for a in submitted[6:12]):
            review_admin.declare_conflict(s, reviewers[n].id, teacher, reason="Neighbour", actor=ADMIN, now=clock())
            review_admin.add_holiday(s, clock().date() + timedelta(days=70 + n), f"Day {n}", actor=ADMIN, now=clock())
    clock.advance(days=30)  # open assignments are overdue now
    many = [queries(url) for url in urls]
    page = admin.get("/admin/reviews").get_data(as_text=True)
    assert all(r.name in page for r in reviewers) and "Nobody qualified" in page and "overdue" in page
    assert many == few, (few, many)
    assert many[0] <= 11  # overview: sign-in (2), queue (1), loads (5), open assignments (1), district, BEGIN


def decide_together(services, attempt_id: int) -> None:
    """Both primary reviewers of the attempt submit the same scores."""
    for assignment in assignments_of(services, attempt_id):
        submit_review(services, assignment.id, MEETS)
