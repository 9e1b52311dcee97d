"""Issue 16, reviewers: the score panel, the chosen and required levels, documents, new files on a resubmission, the
confirmation step before a review is locked, and the queue's due dates and roles."""

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from credentials.domain.portfolio import attempts, evidence
from credentials.domain.review import scoring
from credentials.domain.review.scoring import Scores
from credentials.storage.database import transaction
from credentials.storage.models import Artifact, Assignment, User

from ..builders import definition, pdf_bytes, png_bytes
from .test_review_pages import LIMITS, confirm_submission, open_assignment, signed_in, submission

RITA = "rita@riverside.example.org"
STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "microcred.css"


@pytest.fixture
def rita_reviews(build, slug):
    build.reviewer(slug=slug, email=RITA, capacity=30)


@pytest.fixture
def assignment(build, services, session, slug, rita_reviews):
    teacher = build.user("teacher", school=build.school())
    files = [("tickets", "tickets.pdf", pdf_bytes()), ("tickets", "photo.png", png_bytes())]
    return open_assignment(session, submission(services, slug, teacher, files))


@pytest.fixture
def rita(app, rita_reviews):
    return signed_in(app, RITA)


def draft(services, assignment_id, scores):
    with transaction(services.session_factory) as s:
        a = s.get(Assignment, assignment_id)
        scoring.save_scores(s, a, s.get(User, a.reviewer_id), scores, now=services.clock())


def between(html, start, end):
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def test_the_score_panel_lists_each_criterion_with_its_level_the_total_and_the_rule(rita, services, assignment):
    draft(services, assignment.id, Scores({"design": "exemplary"}, {}, ""))
    html = rita.get(f"/reviews/{assignment.id}").get_data(as_text=True)
    assert '<script src="/static/js/scoring.js" defer></script>' in html
    panel = between(html, '<aside class="score-panel"', "</aside>")
    assert 'aria-labelledby="score-panel-heading"' in panel and ">Your scores</h2>" in panel
    assert re.search(r'href="#criterion-design">Exit ticket design</a>\s*<span[^>]*>Exemplary · 3 points<', panel)
    assert re.search(r'href="#criterion-reflection">Reflection on practice</a>\s*<span[^>]*>Not chosen yet<', panel)
    assert "Total: <strong data-total>3</strong> of 6 points" in panel
    assert "Every criterion at its required level." in panel
    assert "<strong>Met so far</strong>: 1 of 2 criteria scored." in panel
    assert 'form="review-form" name="action" value="save"' in panel  # a save button that stays in view
    assert 'id="criterion-design"' in html and 'id="criterion-reflection"' in html  # the links' targets
    assert 'value="exemplary" checked\n                        data-points="3" data-meets="1"' in html


def test_the_score_panel_says_when_a_level_is_below_the_required_one(rita, services, assignment):
    draft(services, assignment.id, Scores({"design": "proficient", "reflection": "not-yet"}, {}, ""))
    panel = between(rita.get(f"/reviews/{assignment.id}").get_data(as_text=True), "<aside", "</aside>")
    assert "Not yet · 0 points · below the required level" in panel
    assert "<strong>Rule not met</strong>: your review's outcome is Not yet." in panel


def test_the_chosen_level_says_chosen_and_the_required_level_says_so_in_words(rita, services, assignment):
    draft(services, assignment.id, Scores({"design": "exemplary"}, {}, ""))
    html = rita.get(f"/reviews/{assignment.id}").get_data(as_text=True)
    design = between(html, 'id="criterion-design"', "</fieldset>")
    levels = re.findall(r'<li class="(review-level[^"]*)">(.*?)</li>', design, re.S)
    assert [cls for cls, _ in levels] == ["review-level", "review-level review-level-required", "review-level"]
    assert ["Required level" in body for _, body in levels] == [False, True, False]
    # Every level carries the "Chosen" words; the stylesheet shows them beside the checked radio only.
    assert all('review-level-tag-chosen" aria-hidden="true">✓ Chosen</span>' in body for _, body in levels)
    assert 'value="exemplary" checked' in levels[2][1] and "checked" not in levels[1][1]
    css = STYLESHEET.read_text().split("/* ---- issue 16: review ---- */")[1]
    assert ".review-level input:checked + label .review-level-tag-chosen { display: inline-block; }" in css
    assert ".review-level-required { border-style: dashed;" in css


def test_documents_open_full_size_and_a_link_skips_past_each_pdf(rita, session, assignment):
    html = rita.get(f"/reviews/{assignment.id}").get_data(as_text=True)
    files = {
        a.filename: a.id for a in session.scalars(select(Artifact).where(Artifact.attempt_id == assignment.attempt_id))
    }
    for name, artifact_id in files.items():
        assert re.search(
            rf'<a href="/reviews/{assignment.id}/files/{artifact_id}/view" target="_blank" rel="noopener">'
            rf'Open full size<span class="visually-hidden"> \({re.escape(name)}, opens in a new tab\)',
            html,
        )
    skip = re.search(r'<a class="skip-past" href="#([a-z-]+)">Skip past this document', html)
    assert skip and skip.group(1) == "score-artifacts"
    assert html.index("Skip past this document") < html.index('<iframe class="review-pdf"')
    assert '<h3 class="review-rubric-heading" id="score-artifacts" tabindex="-1">' in html


def test_a_pdf_in_a_part_without_criteria_skips_to_the_next_part(app, build, services, session):
    doc = definition(slug="plans", title="Lesson plans")
    doc["rubric"]["criteria"][0]["part"] = "reflection"  # nothing scores the artifacts part beside it
    slug = build.published(doc)
    build.reviewer(slug=slug, email=RITA)
    teacher = build.user("teacher", school=build.school())
    assignment = open_assignment(session, submission(services, slug, teacher, [("tickets", "t.pdf", pdf_bytes())]))
    html = signed_in(app, RITA).get(f"/reviews/{assignment.id}").get_data(as_text=True)
    assert '<a class="skip-past" href="#part-reflection">' in html and 'id="part-reflection" tabindex="-1"' in html


def resubmit(services, attempt_id, teacher, *, add):
    """The teacher resubmits after a "not yet", keeping the earlier files and adding ``add``."""
    with transaction(services.session_factory) as s:
        a = s.scalars(select(Assignment).where(Assignment.attempt_id == attempt_id)).one()
        not_yet = Scores({"design": "proficient", "reflection": "not-yet"}, {"reflection": "Name a change."}, "Close.")
        scoring.submit_review(s, a, s.get(User, a.reviewer_id), not_yet, now=services.clock())
    with transaction(services.session_factory) as s:
        now, owner = services.clock(), s.get(User, teacher.id)
        attempt = attempts.start_attempt(s, owner, "exit-tickets", now=now)
        for filename, data in add:
            evidence.add_artifact(
                s, services.evidence, attempt, owner, prompt_key="tickets", stream=io.BytesIO(data),
                filename=filename, limits=LIMITS, now=now,
            )  # fmt: skip
        attempts.submit_attempt(
            s, attempt, owner, attested=True, note="Added a photo.", expected_revision=None, now=now
        )
        return attempt.id


def test_a_resubmission_marks_each_file_new_or_kept_by_its_contents(rita, build, services, session, slug):
    teacher = build.user("teacher", school=build.school())
    first = submission(services, slug, teacher, [("tickets", "tickets.pdf", pdf_bytes())])
    html = rita.get(f"/reviews/{open_assignment(session, first).id}").get_data(as_text=True)
    assert "New since the last submission</span>" not in html and "Kept from" not in html  # a first attempt
    # The same bytes under another name are kept; a new photo is new.
    second = resubmit(services, first, teacher, add=[("photo.png", png_bytes()), ("copy.pdf", pdf_bytes())])
    html = rita.get(f"/reviews/{open_assignment(session, second).id}").get_data(as_text=True)
    marks = dict(re.findall(r'<strong>([^<]+)</strong>\s*<span class="tag review-tag-(?:new|kept)">([^<]+)<', html))
    assert marks == {
        "tickets.pdf": "Kept from the last submission",
        "photo.png": "New since the last submission",
        "copy.pdf": "Kept from the last submission",
    }


def test_submitting_shows_a_summary_first_and_only_confirming_locks_the_review(rita, session, assignment):
    url = f"/reviews/{assignment.id}"
    levels = {"level-design": "proficient", "level-reflection": "exemplary", "feedback-design": "Tight prompts."}
    response = rita.submit(url, {**levels, "overall": "Clear evidence.", "action": "submit"})
    assert response.status_code == 302 and response.headers["Location"] == f"{url}/confirm"
    session.rollback()
    assert session.get(Assignment, assignment.id).status == "assigned"  # saved, not locked
    html = rita.get(f"{url}/confirm").get_data(as_text=True)
    assert "<h1>Check your review before you submit</h1>" in html
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td data-label="Level">\s*([A-Z][a-z ]+)', html)
    assert rows == [("Exit ticket design", "Proficient"), ("Reflection on practice", "Exemplary")]
    assert "Written (2 words)" in html and 'None <span class="hint">(not needed at this level)</span>' in html
    assert "<strong>5</strong> of 6 points" in html
    assert '<dd class="review-outcome-earned">Earned</dd>' in html
    assert "<dt>Overall feedback</dt><dd>Written (2 words)</dd>" in html
    assert '<button type="submit" class="button">Submit review</button>' in html
    assert f'<a class="button button-secondary" href="{url}">Go back and change</a>' in html
    assert confirm_submission(rita, url).headers["Location"] == "/reviews"
    session.rollback()
    assert session.get(Assignment, assignment.id).status == "submitted"
    assert rita.get(f"{url}/confirm").headers["Location"] == url  # nothing to confirm any more


def test_a_draft_changed_in_another_tab_is_not_submitted_unseen(rita, services, session, assignment):
    url = f"/reviews/{assignment.id}"
    rita.submit(
        url, {"level-design": "proficient", "level-reflection": "exemplary", "overall": "Ok.", "action": "submit"}
    )
    html = rita.get(f"{url}/confirm").get_data(as_text=True)
    seen = re.search(r'name="fingerprint" value="([0-9a-f]+)"', html).group(1)
    draft(
        services,
        assignment.id,
        Scores({"design": "proficient", "reflection": "not-yet"}, {"reflection": "Why?"}, "Ok."),
    )
    response = rita.submit(f"{url}/confirm", {"fingerprint": seen}, page=f"{url}/confirm")
    assert response.status_code == 302 and response.headers["Location"] == f"{url}/confirm"
    html = rita.get(f"{url}/confirm").get_data(as_text=True)
    assert "Your draft changed in another tab or window after you saw its summary" in html
    assert '<dd class="review-outcome-not_yet">Not yet</dd>' in html
    session.rollback()
    assert session.get(Assignment, assignment.id).status == "assigned"


def test_with_two_reviewers_the_summary_says_the_decision_waits_for_the_other(app, build, services, session):
    slug = build.published(definition(slug="pair", title="Paired review", reviewers_required=2))
    build.reviewer(slug=slug, email=RITA)
    build.reviewer(slug=slug)
    teacher = build.user("teacher", school=build.school())
    attempt_id = submission(services, slug, teacher, [("tickets", "t.pdf", pdf_bytes())])
    session.rollback()
    mine = session.scalars(
        select(Assignment)
        .join(User, User.id == Assignment.reviewer_id)
        .where(Assignment.attempt_id == attempt_id, User.email == RITA)
    ).one()
    draft(services, mine.id, Scores({"design": "proficient", "reflection": "proficient"}, {}, "Good."))
    html = signed_in(app, RITA).get(f"/reviews/{mine.id}/confirm").get_data(as_text=True)
    assert "This micro-credential asks for 2 reviewers." in " ".join(html.split())


def test_the_queue_says_how_far_off_each_due_date_is_and_explains_the_roles(rita, assignment):
    html = rita.get("/reviews").get_data(as_text=True)
    assert re.search(r'<span class="review-due">Due in \d+ days</span>\s*<span class="review-due-date"><time', html)
    assert '<td data-label="Your role">Primary</td>' in html
    legend = between(html, '<section class="review-roles"', "</section>")
    assert "<dt>Primary</dt>" in legend and "a second primary reviewer" in legend and "<dt>Tie-breaker</dt>" in legend
    assert 'href="#review-roles"' in html


def test_an_overdue_review_says_by_how_many_days(rita, session, assignment, clock):
    due_on = session.get(Assignment, assignment.id).due_on
    clock.now = clock.now.replace(year=due_on.year, month=due_on.month, day=due_on.day, hour=18)
    clock.advance(days=2)
    html = rita.get("/reviews").get_data(as_text=True)
    assert '<span class="review-due review-due-overdue">Overdue by 2 days</span>' in html
