"""Everyday reviewing in the browser (issue 16): the queue says when each review is due and what a role means; the
review page keeps a running score panel, marks the chosen level apart from the required one, shows documents wide
with a way past them, marks new files on a resubmission; a refused submit keeps the draft; a summary comes before
the review is locked. Each page is looked at on a laptop and a phone and scanned for accessibility.

The data is set up through domain functions (a micro-credential, a reviewer, two teachers: one with a fresh
submission, one who resubmitted with a new photo after a "not yet"); only the reviewer's visits go through the browser.
"""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from credentials.domain.portfolio import attempts, evidence
from credentials.domain.review import scoring
from credentials.domain.review.scoring import Scores
from credentials.storage.database import transaction
from credentials.storage.models import Assignment, User
from tests.builders import Builders, definition, pdf_bytes, png_bytes

from .accessibility import Scanner
from .browsing import VIEWPORT, Account, Album, Person

pytestmark = pytest.mark.e2e

PASSWORD = "lakeside review passphrase"
SLUG = "exit-tickets"
DESIGN, REFLECTION = "Exit ticket design", "Reflection on practice"
LIMITS = evidence.UploadLimits(per_file=25 * 1024 * 1024, per_attempt=200 * 1024 * 1024)


@dataclass
class Cast:
    reviewer: Account
    fresh: int  # the reviewer's assignment on a first submission
    resubmitted: int  # the reviewer's assignment on a resubmission with one new file


def submit(services, teacher: User, *, files, note: str = "") -> int:
    """The teacher's attempt at SLUG (a resubmission when there is a "not yet" before it), submitted."""
    with transaction(services.session_factory) as session:
        now, owner = services.clock(), session.get(User, teacher.id)
        attempt = attempts.start_attempt(session, owner, SLUG, now=now)
        texts = {
            "context": "Twenty-six fourth graders comparing fractions with unlike denominators.",
            "reflection": "Nine tickets compared numerators only; I regrouped those students the next day.",
        }
        evidence.save_answers(session, attempt, owner, texts=texts, links={}, now=now)
        for filename, data in files:
            evidence.add_artifact(
                session, services.evidence, attempt, owner, prompt_key="tickets",
                stream=io.BytesIO(data), filename=filename, limits=LIMITS, now=now,
            )  # fmt: skip
        attempts.submit_attempt(session, attempt, owner, attested=True, note=note, expected_revision=None, now=now)
        return attempt.id


def open_assignment(services, attempt_id: int) -> int:
    with services.session_factory() as session:
        return session.scalars(
            select(Assignment.id).where(Assignment.attempt_id == attempt_id, Assignment.status == "assigned")
        ).one()


@pytest.fixture(scope="module")
def cast(live) -> Cast:
    services = live.services
    build = Builders(services)
    reviewer = Account("Rosa Reyes", "rosa.reyes@lakeside.example.org", PASSWORD)
    build.published(definition(slug=SLUG))
    build.reviewer(
        school=build.school("Maple Middle"), slug=SLUG, email=reviewer.email, name=reviewer.name, password=PASSWORD
    )
    ticket = ("exit-ticket.pdf", pdf_bytes("Exit ticket: which is larger, 3/4 or 5/8?"))
    photo = ("sorted-responses.png", png_bytes(size=(900, 600), color=(230, 190, 60)))
    fresh = submit(services, build.user("teacher", school=build.school("Cedar Elementary")), files=[ticket, photo])
    teacher = build.user("teacher", school=build.school("Oak Elementary"))
    first = submit(services, teacher, files=[ticket])
    with transaction(services.session_factory) as session:
        assignment = session.get(Assignment, open_assignment(services, first))
        not_yet = Scores({"design": "proficient", "reflection": "not-yet"}, {"reflection": "Name a change."}, "Close.")
        scoring.submit_review(session, assignment, assignment.reviewer, not_yet, now=services.clock())
    again = submit(services, teacher, files=[photo], note="I added a photo of the sorted tickets.")
    return Cast(reviewer, open_assignment(services, fresh), open_assignment(services, again))


@pytest.fixture(scope="module")
def album(artifacts) -> Album:
    shutil.rmtree(artifacts / "everyday-review", ignore_errors=True)
    return Album(artifacts / "everyday-review")


@pytest.fixture(scope="module")
def scanner(browser, axe_script, artifacts, live) -> Scanner:
    shutil.rmtree(artifacts / "everyday-review-accessibility", ignore_errors=True)
    return Scanner(
        browser, axe_script, artifacts / "everyday-review-accessibility", base_url=live.url, viewport=VIEWPORT
    )


@pytest.fixture(scope="module")
def rosa(browser, live, album, cast):
    someone = Person(browser, live.url, album, "reviewer", cast.reviewer)
    someone.sign_in()
    yield someone
    someone.close()


def assert_accessible(scanner: Scanner, name: str, page) -> None:
    scanner.scan(name, page)
    blocking = scanner.report()
    assert not blocking, f"serious or critical accessibility violations:\n{blocking}"


def test_the_queue_says_when_each_review_is_due_and_what_the_roles_mean(rosa, album, scanner):
    page = rosa.page
    rosa.go_to("My reviews")
    waiting = page.get_by_role("table", name="Waiting for your review")
    expect(waiting.get_by_role("row")).to_have_count(3)  # the header and two submissions
    for row in waiting.get_by_role("row").all()[1:]:
        expect(row).to_contain_text(re.compile(r"Due (today|tomorrow|in \d+ days)"))
    roles = page.get_by_role("region", name="What your role means")
    expect(roles).to_contain_text("Tie-breaker")
    expect(roles).to_contain_text("a second primary reviewer")
    album.at_both_sizes(page, "queue", strict=True)
    assert_accessible(scanner, "reviewer queue", page)


def test_the_score_panel_follows_the_levels_chosen_and_the_chosen_level_is_marked(rosa, album, scanner, cast):
    page = rosa.page
    page.goto(f"/reviews/{cast.fresh}")
    panel = page.get_by_role("complementary", name="Your scores")
    expect(panel).to_contain_text("Not chosen yet")
    expect(panel.locator("[data-total]")).to_have_text("0")
    design = page.get_by_role("group", name=DESIGN)
    design.get_by_role("radio", name=re.compile("^Exemplary")).check()
    expect(panel).to_contain_text("Exemplary · 3 points")
    expect(panel.locator("[data-total]")).to_have_text("3")
    expect(panel.locator("[data-status]")).to_contain_text("Met so far: 1 of 2 criteria scored.")
    chosen = design.locator(".review-level").filter(has_text="Exemplary")
    expect(chosen.get_by_text("✓ Chosen")).to_be_visible()
    required = design.locator(".review-level").filter(has_text="Proficient")
    expect(required.get_by_text("Required level")).to_be_visible()
    expect(required.get_by_text("✓ Chosen")).to_be_hidden()
    page.get_by_role("group", name=REFLECTION).get_by_role("radio", name=re.compile("^Not yet")).check()
    expect(panel.locator("[data-status]")).to_contain_text("Rule not met: your review's outcome is Not yet.")
    expect(panel.locator("[data-total]")).to_have_text("3")
    # The panel's links lead to each criterion; on a laptop it stays in view beside the form.
    panel.get_by_role("link", name=REFLECTION).click()
    expect(page).to_have_url(re.compile("#criterion-reflection$"))
    expect(panel).to_be_in_viewport()
    album.at_both_sizes(page, "review page scored", strict=True)
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator(".score-bar")).to_be_in_viewport()  # the compact bar on a phone
    expect(page.locator(".score-bar")).to_contain_text("Rule not met")
    page.screenshot(path=album.next_path("review page phone score bar in view"))  # the window, not the page
    page.set_viewport_size(VIEWPORT)
    assert_accessible(scanner, "review page", page)


def test_documents_show_wide_with_a_full_size_link_and_a_way_past_them(rosa, album, cast):
    page = rosa.page
    page.goto(f"/reviews/{cast.fresh}")
    image = page.locator("img.review-image")
    expect(image).to_be_visible()
    size = image.evaluate("img => [img.naturalWidth, img.naturalHeight, img.clientWidth, img.clientHeight]")
    assert size[0] == 900 and abs(size[2] / size[3] - 1.5) < 0.02, f"the image is squeezed: {size}"
    full = page.get_by_role("link", name=re.compile(r"^Open full size \(sorted-responses\.png"))
    expect(full).to_have_attribute("href", re.compile(r"/files/\d+/view$"))
    viewer = page.locator("iframe.review-pdf")
    assert viewer.bounding_box()["height"] >= 500
    skip = page.get_by_role("link", name=re.compile(r"^Skip past this document"))
    skip.focus()
    expect(skip).to_be_visible()
    album.shot(page, "review page skip link")
    page.keyboard.press("Enter")
    expect(page.locator("#score-artifacts")).to_be_focused()  # past the PDF, at the scoring of its part
    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name=re.compile("^Not yet")).first).to_be_focused()


def test_a_refused_submit_keeps_the_draft_and_the_summary_comes_before_locking(rosa, album, scanner, cast):
    page = rosa.page
    page.goto(f"/reviews/{cast.fresh}")
    page.get_by_role("group", name=DESIGN).get_by_role("radio", name=re.compile("^Proficient")).check()
    page.get_by_label(f"Feedback on “{DESIGN}”").fill("Each ticket matches the lesson goal.")
    page.get_by_role("button", name="Check and submit").click()
    summary = page.get_by_role("alert").filter(has_text="There are problems")
    expect(summary).to_contain_text("Everything you entered is saved as your draft")
    expect(page.get_by_label(f"Feedback on “{DESIGN}”")).to_have_value("Each ticket matches the lesson goal.")
    album.at_both_sizes(page, "refused submit keeps the draft", strict=True)
    summary.get_by_role("link", name="Write overall feedback for the teacher.").click()
    expect(page.get_by_label("Overall feedback for the teacher")).to_be_focused()
    page.reload()  # saved, not only shown again
    expect(page.get_by_label(f"Feedback on “{DESIGN}”")).to_have_value("Each ticket matches the lesson goal.")

    page.get_by_role("group", name=REFLECTION).get_by_role("radio", name=re.compile("^Exemplary")).check()
    page.get_by_label("Overall feedback for the teacher").fill("Clear tickets and a precise reflection.")
    page.get_by_role("button", name="Check and submit").click()
    expect(page.get_by_role("heading", name="Check your review before you submit")).to_be_visible()
    table = page.get_by_role("table", name="The levels you chose")
    expect(table).to_contain_text("Proficient")
    expect(table).to_contain_text("Exemplary")
    expect(table).to_contain_text("5 of 6 points")
    expect(page.locator(".review-confirm-facts")).to_contain_text("Earned")
    album.at_both_sizes(page, "confirmation step", strict=True)
    assert_accessible(scanner, "review confirmation step", page)
    page.get_by_role("link", name="Go back and change").click()
    expect(
        page.get_by_role("group", name=REFLECTION).get_by_role("radio", name=re.compile("^Exemplary"))
    ).to_be_checked()
    page.get_by_role("button", name="Check and submit").click()
    page.get_by_role("button", name="Submit review").click()
    rosa.flash("submitted. Thank you.")
    page.goto(f"/reviews/{cast.fresh}")
    expect(page.get_by_text("You submitted this review; it can no longer be changed.")).to_be_visible()


def test_a_resubmission_marks_new_and_kept_files(rosa, album, scanner, cast):
    page = rosa.page
    page.goto(f"/reviews/{cast.resubmitted}")
    files = page.locator(".review-file")
    expect(files.filter(has_text="sorted-responses.png")).to_contain_text("New since the last submission")
    expect(files.filter(has_text="exit-ticket.pdf")).to_contain_text("Kept from the last submission")
    album.at_both_sizes(page, "resubmission new and kept files", strict=True)
    assert_accessible(scanner, "review page of a resubmission", page)


def test_the_browser_reported_no_script_errors_or_csp_refusals(rosa):
    assert not rosa.problems, rosa.problems
