"""Issue 16, teachers, in the browser: the dashboard (cards on a phone, review states, revoked and earned credentials
with Copy link) and the evidence form (sticky save bar, autosave and its conflict message, return to the section
saved, links to what is missing, file filters, fingerprints under Details), at laptop and phone width, axe-scanned.

The data is set up through domain builders (one teacher with a draft, a submission a reviewer has, a "not yet", an
earned credential and a revoked one); only the visits go through the browser.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from credentials.domain.audit import Actor
from credentials.domain.credentials import revocation
from credentials.domain.portfolio import attempts
from credentials.domain.portfolio.attempts import CriterionDecision, record_decision
from credentials.storage.database import transaction
from credentials.storage.models import Attempt, User
from tests.builders import Builders, definition

from .accessibility import Scanner
from .browsing import VIEWPORT, Account, Album, Person

pytestmark = pytest.mark.e2e

PASSWORD = "lakeside everyday passphrase"
TEACHER = Account("Tess Rivera", "tess.rivera@lakeside.example.org", PASSWORD)
DRAFT_TITLE = "Checking for understanding with exit tickets"
CONTEXT_PROMPT = "Describe your class."
REFLECTION_PROMPT = "What did you change?"


@dataclass
class Cast:
    draft_id: int
    submitted_id: int
    earned_uuid: str
    revoked_uuid: str


def _decide_not_yet(services, attempt_id: int) -> None:
    with transaction(services.session_factory) as session:
        record_decision(
            session,
            session.get(Attempt, attempt_id),
            [CriterionDecision("design", "proficient", True, "Clear prompts."),
             CriterionDecision("reflection", "not-yet", False, "Say what you changed for whom.")],
            earned=False,
            overall_feedback="Nearly there.",
            actor=Actor.system("e2e"),
            now=services.clock(),
        )  # fmt: skip


@pytest.fixture(scope="module")
def cast(live) -> Cast:
    services = live.services
    build = Builders(services)
    teacher = build.user("teacher", school=build.school("Cedar Elementary"), email=TEACHER.email, name=TEACHER.name,
                         password=PASSWORD)  # fmt: skip
    draft_slug = build.published(definition())
    with transaction(services.session_factory) as session:
        draft_id = attempts.start_attempt(session, session.get(User, teacher.id), draft_slug, now=services.clock()).id
    with_reviewer = build.published(definition(slug="family-talk", title="Talking with families"))
    build.reviewer(slug=with_reviewer)
    submitted = build.submitted(with_reviewer, teacher)
    not_yet = build.published(definition(slug="small-groups", title="Teaching in small groups with a long title"))
    build.reviewer(slug=not_yet)
    _decide_not_yet(services, build.submitted(not_yet, teacher).id)
    earned = build.credential(build.published(definition(slug="read-aloud", title="Reading aloud")), teacher)
    revoked = build.credential(build.published(definition(slug="wait-time", title="Using wait time")), teacher)
    with transaction(services.session_factory) as session:
        revocation.revoke_credential(session, services.signing, revoked.uuid, category="issued_in_error",
                                     reason="Issued to the wrong person", actor=Actor.system("e2e"),
                                     now=services.clock())  # fmt: skip
    return Cast(draft_id, submitted.id, earned.uuid, revoked.uuid)


@pytest.fixture(scope="module")
def album(artifacts) -> Album:
    shutil.rmtree(artifacts / "everyday-teacher", ignore_errors=True)
    return Album(artifacts / "everyday-teacher")


@pytest.fixture(scope="module")
def scanner(browser, axe_script, artifacts, live) -> Scanner:
    shutil.rmtree(artifacts / "accessibility-everyday-teacher", ignore_errors=True)
    return Scanner(browser, axe_script, artifacts / "accessibility-everyday-teacher", base_url=live.url,
                   viewport=VIEWPORT)  # fmt: skip


@pytest.fixture(scope="module")
def teacher(browser, live, album, cast):
    person = Person(browser, live.url, album, "teacher", TEACHER)
    person.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.url)
    person.sign_in()
    yield person
    person.close()
    assert not person.problems, person.problems


def clean(scanner: Scanner, name: str, page: Page) -> None:
    scan = scanner.scan(name, page)
    assert not scan.blocking, scanner.report()


def test_the_dashboard_states_credentials_and_cards_on_a_phone(teacher, cast, album, scanner):
    page = teacher.page
    teacher.go_to("My micro-credentials")
    expect(page.get_by_role("row", name=re.compile("Talking with families"))).to_contain_text("With reviewers")
    expect(page.get_by_role("row", name=re.compile("Using wait time"))).to_contain_text("Revoked")
    revoked = page.locator(".earned-card-revoked")
    expect(revoked).to_contain_text("Revoked on")
    expect(revoked.get_by_role("link")).to_have_count(0)  # no page link, no downloads
    earned = page.locator(".earned-card").filter(has_text="Reading aloud")
    expect(earned.get_by_role("link", name="Certificate (PDF)")).to_be_visible()
    expect(earned.get_by_role("link", name="Badge image (PNG)")).to_be_visible()
    expect(earned.get_by_role("link", name=re.compile("JSON"))).to_be_hidden()  # under "More formats"
    earned.get_by_role("button", name=re.compile("Copy link")).click()
    expect(earned.get_by_role("status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()").endswith(f"/c/{cast.earned_uuid}")
    earned.get_by_text("More formats").click()
    expect(earned.get_by_role("link", name=re.compile("Signed credential \\(JSON\\)"))).to_be_visible()
    album.at_both_sizes(page, "dashboard", strict=True)  # the Next step column and its Resubmit button fit
    page.set_viewport_size({"width": 390, "height": 844})
    resubmit = page.get_by_role("button", name=re.compile("Resubmit"))
    resubmit.scroll_into_view_if_needed()
    box = resubmit.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    page.set_viewport_size(VIEWPORT)
    clean(scanner, "teacher dashboard", page)


def test_the_evidence_form_has_a_sticky_save_bar_and_autosaves(teacher, cast, album, scanner, live):
    page = teacher.page
    page.goto(f"/attempts/{cast.draft_id}")
    bar = page.locator(".save-bar")
    expect(bar).to_contain_text("Not saved yet")
    box = bar.bounding_box()
    assert box and box["y"] + box["height"] <= VIEWPORT["height"] + 1, "the save bar is not in view at the top"
    accept = page.get_by_label("Upload three exit tickets.").get_attribute("accept")
    assert ".pdf" in accept.split(",") and "image/png" in accept.split(",")
    context = page.get_by_label(CONTEXT_PROMPT)
    assert context.bounding_box()["width"] > 900  # full width for long answers
    context.press_sequentially("Twenty-two fourth graders, ", delay=10)
    context.press_sequentially("in a fractions unit.", delay=10)
    expect(bar).to_contain_text(re.compile(r"Saved at \d{1,2}:\d\d [AP]M"))
    album.shot(page, "attempt form autosaved")
    page.reload()
    expect(context).to_have_value("Twenty-two fourth graders, in a fractions unit.")
    expect(bar).to_contain_text("Last saved")
    album.at_both_sizes(page, "attempt form", strict=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.mouse.wheel(0, 1200)
    box = bar.bounding_box()
    assert box and box["y"] + box["height"] <= 844 + 1, "the save bar does not stay in view on a phone"
    album.shot(page, "attempt form phone scrolled with the save bar")
    page.set_viewport_size(VIEWPORT)
    clean(scanner, "attempt form", page)


def test_a_save_returns_to_the_section_and_the_missing_list_links_to_fields(teacher, cast, album):
    page = teacher.page
    page.goto(f"/attempts/{cast.draft_id}")
    page.get_by_label(REFLECTION_PROMPT).fill("I regrouped students after reading the tickets.")
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"#prompt-reflection$"))
    assert page.evaluate("window.scrollY") > 300, "the page jumped back to the top"
    expect(page.get_by_label(REFLECTION_PROMPT)).to_be_in_viewport()
    album.shot(page, "back at the reflection after saving")
    missing = page.locator("ul.missing")
    missing.get_by_role("link", name=re.compile("needs at least one file")).click()
    expect(page).to_have_url(re.compile(r"#prompt-tickets$"))
    expect(page.get_by_label("Upload three exit tickets.")).to_be_in_viewport()


def test_autosave_of_a_page_changed_elsewhere_says_so_and_keeps_the_text(teacher, cast, album):
    page = teacher.page
    page.goto(f"/attempts/{cast.draft_id}")
    other = teacher.context.new_page()
    try:
        other.goto(f"/attempts/{cast.draft_id}")
        other.get_by_label(CONTEXT_PROMPT).fill("Changed in another tab.")
        other.get_by_role("button", name="Save draft").click()
        expect(other.locator(".flash").filter(has_text="Draft saved.")).to_have_count(1)
    finally:
        other.close()
    context = page.get_by_label(CONTEXT_PROMPT)
    context.press_sequentially(" More from the first tab.", delay=10)
    status = page.locator("[data-save-status]")
    expect(status).to_contain_text("changed in another tab or window")
    expect(context).to_have_value(re.compile("More from the first tab."))
    album.shot(page, "autosave conflict keeps the text")


def test_a_submitted_attempt_keeps_fingerprints_under_details(teacher, cast, album, scanner):
    page = teacher.page
    page.goto(f"/attempts/{cast.submitted_id}")
    fingerprint = page.locator(".file-details code").first
    expect(fingerprint).to_be_hidden()
    page.locator(".file-details summary").first.click()
    expect(fingerprint).to_be_visible()
    album.at_both_sizes(page, "submitted attempt with details open", strict=True)
    clean(scanner, "submitted attempt", page)
