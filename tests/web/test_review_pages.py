import copy
import io
import re

import pytest
from sqlalchemy import select

from credentials.domain.portfolio import attempts, evidence
from credentials.domain.review import scoring
from credentials.domain.review.routing import anonymous_code
from credentials.domain.review.scoring import Scores
from credentials.storage.database import transaction
from credentials.storage.models import Artifact, Assignment, Attempt, ReviewConflict, User
from tests.domain.portfolio.test_file_kinds import wav

from ..builders import definition, pdf_bytes, png_bytes
from ..conftest import Browser, csrf_from

TEXTS = {"context": "Twenty-six fourth graders.", "reflection": "I regrouped students daily."}
VIDEO = "https://video.example.org/lesson-42"
SECRETS = ("María", "López", "maria.lopez@lincoln.example.org", "Lincoln Elementary")
LIMITS = evidence.UploadLimits(per_file=25 * 1024 * 1024, per_attempt=200 * 1024 * 1024)


def submission(services, slug, teacher, files, links=None) -> int:
    """A teacher's attempt with real uploads (through the evidence store and kind detection), submitted."""
    with transaction(services.session_factory) as s:
        now, t = services.clock(), s.get(User, teacher.id)
        attempt = attempts.start_attempt(s, t, slug, now=now)
        evidence.save_answers(s, attempt, t, texts=TEXTS, links=links or {}, now=now)
        for prompt_key, filename, data in files:
            evidence.add_artifact(
                s,
                services.evidence,
                attempt,
                t,
                prompt_key=prompt_key,
                stream=io.BytesIO(data),
                filename=filename,
                limits=LIMITS,
                now=now,
            )
        attempts.submit_attempt(s, attempt, t, attested=True, note="", expected_revision=None, now=now)
        return attempt.id


def open_assignment(session, attempt_id) -> Assignment:
    session.rollback()
    return session.scalars(
        select(Assignment).where(Assignment.attempt_id == attempt_id, Assignment.status == "assigned")
    ).one()


def signed_in(app, email) -> Browser:
    browser = Browser(app.test_client())
    browser.login(email)
    return browser


def post(browser, url, data=None):
    """POST with a CSRF token from a page the caller can open (the sign-in page when signed out)."""
    html = browser.get("/login").get_data(as_text=True)
    if 'name="csrf_token"' not in html:
        html = browser.get("/microcredentials").get_data(as_text=True)
    return browser.client.post(url, data={**(data or {}), "csrf_token": csrf_from(html)})


@pytest.fixture
def reviewer(build, slug):
    return build.reviewer(slug=slug, email="rita@riverside.example.org", capacity=30)


@pytest.fixture
def teacher(build):
    return build.user(
        "teacher",
        name="María López",
        email="maria.lopez@lincoln.example.org",
        school=build.school("Lincoln Elementary"),
    )


@pytest.fixture
def attempt_id(services, slug, reviewer, teacher):
    files = [("tickets", "tickets.pdf", pdf_bytes()), ("tickets", "photo.png", png_bytes())]
    return submission(services, slug, teacher, files, links={"video": VIDEO})


@pytest.fixture
def assignment(session, attempt_id):
    return open_assignment(session, attempt_id)


@pytest.fixture
def artifacts(session, attempt_id):
    return {a.filename: a.id for a in session.scalars(select(Artifact).where(Artifact.attempt_id == attempt_id))}


@pytest.fixture
def rita(app, reviewer):
    return signed_in(app, "rita@riverside.example.org")


def review_urls(assignment_id, artifact_id):
    base = f"/reviews/{assignment_id}"
    gets = [base, f"{base}/files/{artifact_id}", f"{base}/files/{artifact_id}/view"]
    posts = [(base, {"action": "save", "level-design": "proficient"}), (f"{base}/recuse", {"reason": "Busy."})]
    return gets, posts


def test_the_queue_lists_assignments_by_due_date_with_a_nav_item(app, build, services, session, reviewer):
    slow = build.published(definition(slug="slow", title="Slow reading", tags=["exit tickets"]))
    quick = build.published(definition(slug="quick", title="Quick checks", review_turnaround_days=2))
    qualified = build.reviewer(tag="exit tickets", email="quinn@riverside.example.org")
    first = build.submitted(slow)
    second = build.submitted(quick)
    browser = signed_in(app, "quinn@riverside.example.org")
    html = browser.get("/reviews").get_data(as_text=True)
    assert html.index(anonymous_code(second.id)) < html.index(anonymous_code(first.id))
    assert "Quick checks" in html and "Slow reading" in html and "Not started" in html
    assert 'href="/reviews" aria-current="page">My reviews</a>' in html
    assert open_assignment(session, first.id).reviewer_id == qualified.id


def test_the_review_page_shows_the_evidence_and_never_who_the_teacher_is(rita, assignment, artifacts):
    html = rita.get(f"/reviews/{assignment.id}").get_data(as_text=True)
    assert html.count("<h1") == 1 and anonymous_code(assignment.attempt_id) in html
    assert TEXTS["context"] in html and TEXTS["reflection"] in html and f'href="{VIDEO}"' in html
    pdf_id, png_id = artifacts["tickets.pdf"], artifacts["photo.png"]
    assert f'<iframe class="review-pdf" src="/reviews/{assignment.id}/files/{pdf_id}/view"' in html
    assert f'<img class="review-image" src="/reviews/{assignment.id}/files/{png_id}/view"' in html
    assert f'href="/reviews/{assignment.id}/files/{pdf_id}"' in html and "Download photo.png" in html
    assert "<legend>Exit ticket design</legend>" in html and 'name="feedback-reflection"' in html
    assert re.search(r'<label for="level-design-proficient">.*?Proficient.*?2 points.*?Required level', html, re.S)
    for secret in SECRETS:
        assert secret not in html


def test_files_are_served_as_attachments_and_pdfs_and_images_inline(rita, assignment, artifacts):
    pdf = rita.get(f"/reviews/{assignment.id}/files/{artifacts['tickets.pdf']}")
    assert pdf.status_code == 200 and pdf.data == pdf_bytes()
    assert pdf.headers["Content-Disposition"].startswith('attachment; filename="tickets.pdf"')
    assert pdf.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"
    assert pdf.headers["Cache-Control"] == "private, no-store"
    image = rita.get(f"/reviews/{assignment.id}/files/{artifacts['photo.png']}/view")
    assert image.status_code == 200 and image.data == png_bytes() and image.mimetype == "image/png"
    assert image.headers["Content-Disposition"] == "inline; filename=\"photo.png\"; filename*=UTF-8''photo.png"
    csp = image.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'")
    assert "; sandbox" in csp and "frame-ancestors 'self'" in csp
    assert image.headers["X-Frame-Options"] == "SAMEORIGIN" and image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Cache-Control"] == "private, no-store"
    inline_pdf = rita.get(f"/reviews/{assignment.id}/files/{artifacts['tickets.pdf']}/view")
    assert inline_pdf.mimetype == "application/pdf" and inline_pdf.headers["X-Content-Type-Options"] == "nosniff"
    # No sandbox (browsers would refuse to show the PDF) but nothing may load, and only our page may frame it.
    assert inline_pdf.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'self'"


def test_a_file_kept_under_another_extension_is_served_under_the_extension_of_its_kind(
    rita, session, assignment, artifacts
):
    # Files uploaded before names followed the detected kind keep the teacher's extension in the database.
    session.get(Artifact, artifacts["tickets.pdf"]).filename = "tickets.html"
    session.commit()
    base = f"/reviews/{assignment.id}/files/{artifacts['tickets.pdf']}"
    download, inline = rita.get(base), rita.get(f"{base}/view")
    assert (
        download.headers["Content-Disposition"] == "attachment; filename=\"tickets.pdf\"; filename*=UTF-8''tickets.pdf"
    )
    assert inline.headers["Content-Disposition"] == "inline; filename=\"tickets.pdf\"; filename*=UTF-8''tickets.pdf"
    assert download.mimetype == inline.mimetype == "application/pdf"


def test_the_inline_view_refuses_files_that_are_not_pdfs_or_images(app, build, services, session, teacher):
    doc = definition(slug="recorded", title="Recorded lessons")
    doc["template"]["parts"][1]["prompts"].append(
        {
            "key": "audio",
            "kind": "file",
            "label": "A recording.",
            "required": True,
            "file_kinds": ["audio"],
            "max_files": 1,
        }
    )
    slug = build.published(doc)
    build.reviewer(slug=slug, email="rita@riverside.example.org")
    attempt_id = submission(
        services, slug, teacher, [("tickets", "t.pdf", pdf_bytes()), ("audio", "lesson.wav", wav())]
    )
    assignment = open_assignment(session, attempt_id)
    audio = session.scalars(select(Artifact).where(Artifact.kind == "audio")).one()
    rita = signed_in(app, "rita@riverside.example.org")
    assert rita.get(f"/reviews/{assignment.id}/files/{audio.id}/view").status_code == 404
    download = rita.get(f"/reviews/{assignment.id}/files/{audio.id}")
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    html = rita.get(f"/reviews/{assignment.id}").get_data(as_text=True)
    assert "Download lesson.wav" in html and f"/files/{audio.id}/view" not in html


def test_a_draft_keeps_the_levels_and_feedback(rita, session, assignment):
    url = f"/reviews/{assignment.id}"
    response = rita.submit(url, {"action": "save", "level-design": "exemplary", "feedback-design": "Sharp prompts."})
    assert response.status_code == 302 and response.headers["Location"] == url
    html = rita.get(url).get_data(as_text=True)
    assert "Draft saved." in html and "Sharp prompts." in html
    assert re.search(r'id="level-design-exemplary" name="level-design" value="exemplary" checked', html)
    assert 'value="not-yet" checked' not in html
    session.rollback()
    saved = session.get(Assignment, assignment.id)
    assert {s.criterion_key: s.level_key for s in saved.scores} == {"design": "exemplary", "reflection": None}
    assert saved.started_at is not None and saved.attempt.status == "in_review"


def confirm_submission(browser, url):
    """On the confirmation step of the review at ``url``, press "Submit review"."""
    page = browser.get(f"{url}/confirm").get_data(as_text=True)
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', page).group(1)
    return browser.submit(f"{url}/confirm", {"fingerprint": fingerprint}, page=f"{url}/confirm")


def test_submit_locks_the_review_and_a_second_submit_is_refused(rita, session, assignment):
    url = f"/reviews/{assignment.id}"
    scores = {"level-design": "proficient", "level-reflection": "exemplary", "overall": "Clear, specific evidence."}
    response = rita.submit(url, {**scores, "action": "submit"})
    assert response.status_code == 302 and response.headers["Location"] == f"{url}/confirm"
    response = confirm_submission(rita, url)
    assert response.status_code == 302 and response.headers["Location"] == "/reviews"
    html = rita.get(url).get_data(as_text=True)
    assert "You submitted this review; it can no longer be changed." in html and "Clear, specific evidence." in html
    assert 'name="level-design"' not in html and 'name="overall"' not in html and "/recuse" not in html
    again = post(rita, url, {**scores, "action": "submit"})
    assert again.status_code == 409 and "already submitted" in again.get_data(as_text=True)
    session.rollback()
    assert session.get(Attempt, assignment.attempt_id).status == "earned"
    assert "Recently submitted by you" in rita.get("/reviews").get_data(as_text=True)


def test_a_level_of_another_criterion_or_rubric_is_refused_beside_the_field(app, build, session, services, teacher):
    doc = definition(slug="mixed", title="Mixed levels")
    other = doc["rubric"]["criteria"][1]
    other["levels"] = copy.deepcopy(other["levels"])
    for level, key in zip(other["levels"], ("emerging", "secure", "deep"), strict=True):
        level["key"] = key
    other["required_level"] = "secure"
    slug = build.published(doc)
    build.reviewer(slug=slug, email="rita@riverside.example.org")
    assignment = open_assignment(session, submission(services, slug, teacher, [("tickets", "t.pdf", pdf_bytes())]))
    rita = signed_in(app, "rita@riverside.example.org")
    url = f"/reviews/{assignment.id}"
    for level in ("secure", "mastery"):  # a level of the other criterion, and one of no criterion here
        response = rita.submit(url, {"action": "save", "level-design": level, "feedback-design": "Kept as typed."})
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert re.search(
            r'id="criterion-design">.*?<p class="error" id="level-design-error">Choose one of the levels of '
            r"“Exit ticket design”",
            html,
            re.S,
        )
        assert 'href="#level-design-not-yet"' in html and "Kept as typed." in html
    session.rollback()
    assert session.get(Assignment, assignment.id).scores == []


def test_an_incomplete_submission_is_refused_keeps_what_was_typed_and_saves_it_as_the_draft(rita, session, assignment):
    url = f"/reviews/{assignment.id}"
    response = rita.submit(
        url, {"action": "submit", "level-design": "proficient", "level-reflection": "not-yet", "feedback-design": "Ok."}
    )
    assert response.status_code == 302 and response.headers["Location"] == f"{url}/confirm"
    html = rita.get(f"{url}/confirm").get_data(as_text=True)
    summary = html[html.index('class="error-summary"') : html.index("</ul>", html.index('class="error-summary"'))]
    assert "Not submitted yet. Everything you entered is saved as your draft" in summary
    assert html.index('class="error-summary"') < html.index('id="review-form"')  # at the top, above the form
    assert 'id="feedback-reflection-error">Tell the teacher what “Reflection on practice” still needs' in html
    assert 'id="overall-error">Write overall feedback for the teacher.' in html
    assert 'value="proficient" checked' in html and 'value="not-yet" checked' in html and ">Ok.</textarea>" in html
    assert 'href="#feedback-reflection"' in summary and 'href="#overall"' in summary
    assert 'id="feedback-reflection"' in html and 'id="overall"' in html  # the links' targets
    assert "Check your review before you submit" not in html
    session.rollback()
    saved = session.get(Assignment, assignment.id)
    assert saved.status == "assigned" and saved.submitted_at is None
    assert {s.criterion_key: (s.level_key, s.feedback) for s in saved.scores} == {
        "design": ("proficient", "Ok."),
        "reflection": ("not-yet", ""),
    }
    # The draft is there on the next visit too, and the confirmation step cannot be skipped by posting to it.
    again = rita.get(url).get_data(as_text=True)
    assert 'value="not-yet" checked' in again and ">Ok.</textarea>" in again
    response = rita.submit(f"{url}/confirm", {"fingerprint": "0" * 32}, page=url)
    assert response.status_code == 302 and response.headers["Location"] == f"{url}/confirm"
    session.rollback()
    assert session.get(Assignment, assignment.id).status == "assigned"


def test_a_level_that_is_not_in_the_rubric_is_refused_and_nothing_is_saved(rita, session, assignment):
    url = f"/reviews/{assignment.id}"
    response = rita.submit(url, {"action": "submit", "level-design": "mastery", "overall": "Typed."})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Not submitted, and nothing was saved" in html and ">Typed.</textarea>" in html
    session.rollback()
    assert session.get(Assignment, assignment.id).scores == []


def test_recusal_needs_a_reason_and_routes_the_work_to_someone_else(app, build, rita, session, slug, assignment):
    other = build.reviewer(slug=slug)
    url = f"/reviews/{assignment.id}/recuse"
    response = rita.submit(url, {"reason": "  "}, page=f"/reviews/{assignment.id}")
    assert response.status_code == 422
    assert 'id="reason-error">Say why you cannot review this submission.' in response.get_data(as_text=True)
    response = rita.submit(url, {"reason": "I coached this teacher last year."}, page=f"/reviews/{assignment.id}")
    assert response.status_code == 302 and response.headers["Location"] == "/reviews"
    session.rollback()
    assert session.get(Assignment, assignment.id).status == "recused"
    assert open_assignment(session, assignment.attempt_id).reviewer_id == other.id
    assert rita.get(f"/reviews/{assignment.id}").status_code == 403
    assert anonymous_code(assignment.attempt_id) not in rita.get("/reviews").get_data(as_text=True)


def test_a_resubmission_shows_the_teachers_note_and_criteria_carried_forward(rita, build, services, session, slug):
    teacher = build.user("teacher", school=build.school())
    first = open_assignment(session, build.submitted(slug, teacher).id)
    with transaction(services.session_factory) as s:
        a = s.get(Assignment, first.id)
        not_yet = Scores({"design": "proficient", "reflection": "not-yet"}, {"reflection": "Name a change."}, "Close.")
        scoring.submit_review(s, a, s.get(User, a.reviewer_id), not_yet, now=services.clock())
    second = open_assignment(session, build.submitted(slug, teacher).id)
    html = rita.get(f"/reviews/{second.id}").get_data(as_text=True)
    assert "A resubmission" in html and "I revised my reflection." in html
    assert "met: Proficient (carried forward)" in html
    assert 'name="level-design"' not in html and 'name="level-reflection"' in html
    queue = rita.get("/reviews").get_data(as_text=True)
    assert re.search(anonymous_code(second.attempt_id) + r"</code></a>\s*<span class=\"tag\">resubmission", queue)


def assert_unchanged(session, assignment):
    session.rollback()
    current = session.get(Assignment, assignment.id)
    assert current.status == "assigned" and current.scores == [] and current.started_at is None


def test_anonymous_visitors_are_sent_to_sign_in_on_every_review_url(client, session, assignment, artifacts):
    browser = Browser(client)
    gets, posts = review_urls(assignment.id, artifacts["tickets.pdf"])
    for url in ["/reviews", *gets]:
        response = browser.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url
    for url, data in [*posts, ("/reviews/conflicts", {"email": "a@b.org", "reason": "x"})]:
        response = post(browser, url, data)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url
    assert_unchanged(session, assignment)


def test_a_teacher_even_the_one_who_submitted_is_refused_on_every_review_url(app, session, assignment, artifacts):
    maria = signed_in(app, "maria.lopez@lincoln.example.org")
    gets, posts = review_urls(assignment.id, artifacts["tickets.pdf"])
    for url in ["/reviews", *gets]:
        assert maria.get(url).status_code == 403, url
    for url, data in [*posts, ("/reviews/conflicts", {"email": "a@b.org", "reason": "x"})]:
        assert post(maria, url, data).status_code == 403, url
    assert_unchanged(session, assignment)


def test_another_reviewer_sees_nothing_of_a_submission_not_assigned_to_them(
    app, build, services, session, slug, assignment, artifacts
):
    build.reviewer(slug=slug, email="otto@riverside.example.org", capacity=30)
    own = open_assignment(session, build.submitted(slug).id)  # the least loaded reviewer: Otto
    assert own.reviewer_id != assignment.reviewer_id
    otto = signed_in(app, "otto@riverside.example.org")
    gets, posts = review_urls(assignment.id, artifacts["tickets.pdf"])
    assert otto.get(gets[0]).status_code == 403
    for url in gets[1:]:
        assert otto.get(url).status_code in (403, 404), url
    for url, data in posts:
        assert post(otto, url, data).status_code == 403, url
    assert otto.get("/reviews/999999").status_code == 403
    # Through his own assignment, another submission's files are not there.
    for artifact_id in artifacts.values():
        assert otto.get(f"/reviews/{own.id}/files/{artifact_id}").status_code == 404
        assert otto.get(f"/reviews/{own.id}/files/{artifact_id}/view").status_code == 404
    queue = otto.get("/reviews").get_data(as_text=True)
    assert anonymous_code(own.attempt_id) in queue and anonymous_code(assignment.attempt_id) not in queue
    assert_unchanged(session, assignment)


def test_an_admin_without_the_reviewer_role_is_refused_on_every_review_url(app, build, session, assignment, artifacts):
    build.admin(email="ada@riverside.example.org")
    ada = signed_in(app, "ada@riverside.example.org")
    gets, posts = review_urls(assignment.id, artifacts["tickets.pdf"])
    for url in ["/reviews", *gets]:
        assert ada.get(url).status_code == 403, url
    for url, data in [*posts, ("/reviews/conflicts", {"email": "a@b.org", "reason": "x"})]:
        assert post(ada, url, data).status_code == 403, url
    assert 'href="/reviews"' not in ada.get("/").get_data(as_text=True)
    assert_unchanged(session, assignment)


@pytest.mark.parametrize("email", ["maria.lopez@lincoln.example.org", "nobody@lincoln.example.org"])
def test_a_conflict_is_recorded_without_saying_whether_the_address_exists(rita, session, teacher, email):
    response = rita.submit("/reviews/conflicts", {"email": email, "reason": "My sister."}, page="/reviews")
    assert response.status_code == 302 and response.headers["Location"] == "/reviews"
    html = rita.get("/reviews").get_data(as_text=True)
    assert "Recorded. You will not be asked to review work from the teacher with that address." in html
    conflicts = session.scalars(select(ReviewConflict.teacher_id)).all()
    assert conflicts == ([teacher.id] if email.startswith("maria") else [])


def test_a_conflict_needs_an_address_and_a_reason(rita, session):
    response = rita.submit("/reviews/conflicts", {"email": "maria@", "reason": " "}, page="/reviews")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="conflict-reason-error">Say what the conflict is' in html and 'id="conflict-email-error">' in html
    assert 'value="maria@"' in html
    assert session.scalars(select(ReviewConflict)).all() == []


def test_the_queue_page_runs_the_same_queries_for_1_and_25_assignments(
    rita, build, services, session, slug, assignment, count_queries
):
    rita.get("/reviews")
    with count_queries() as one:
        assert rita.get("/reviews").status_code == 200
    more = [build.submitted(slug).id for _ in range(24)]
    for attempt_id in more[:3]:
        with transaction(services.session_factory) as s:
            a = s.scalars(select(Assignment).where(Assignment.attempt_id == attempt_id)).one()
            done = Scores({"design": "proficient", "reflection": "proficient"}, {}, "Good.")
            scoring.submit_review(s, a, s.get(User, a.reviewer_id), done, now=services.clock())
    with count_queries() as many:
        html = rita.get("/reviews").get_data(as_text=True)
    assert all(anonymous_code(attempt_id) in html for attempt_id in more)
    assert len(many) == len(one), many
