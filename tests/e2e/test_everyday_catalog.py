"""Issue 16, admins editing the catalog, tried in the browser: errors named by their labels in page order, an
unfinished draft saved and its missing parts listed at Publish, the address filled from the title, the page coming
back at the row just added, the publish warnings, and the Markdown hint under every text box. Each page at laptop and
phone width, and scanned for accessibility.

The data is set up through domain functions; only the visits go through the browser.
"""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from credentials.domain.audit import Actor
from credentials.domain.catalog import microcredentials
from credentials.storage.database import transaction
from tests.builders import Builders, definition

from .accessibility import Scanner
from .browsing import LAPTOP, PHONE, VIEWPORT, Account, Album, Person

pytestmark = pytest.mark.e2e

PASSWORD = "lakeside catalog passphrase"
ADMIN = Account("Alex Admin", "admin@lakeside.example.org", PASSWORD)
EDITOR = "/admin/microcredentials/new"


@pytest.fixture(scope="module")
def setup(live):
    build = Builders(live.services)
    build.admin(email=ADMIN.email, name=ADMIN.name, password=PASSWORD)
    # A complete draft whose "Overview questions" part no criterion scores, and no reviewer qualified for it.
    with transaction(live.services.session_factory) as session:
        microcredentials.create_microcredential(
            session, definition(slug="family-talk", title="Talking with families"), actor=Actor.system("test"),
            now=live.services.clock(),
        )  # fmt: skip
    return build


@pytest.fixture(scope="module")
def album(artifacts) -> Album:
    shutil.rmtree(artifacts / "everyday-catalog", ignore_errors=True)
    return Album(artifacts / "everyday-catalog")


@pytest.fixture(scope="module")
def scanner(browser, axe_script, artifacts, live) -> Scanner:
    return Scanner(browser, axe_script, artifacts / "everyday-catalog" / "accessibility", base_url=live.url,
                   viewport=VIEWPORT)  # fmt: skip


@pytest.fixture
def admin(browser, live, album, setup):
    someone = Person(browser, live.url, album, "admin", ADMIN)
    someone.sign_in()
    yield someone
    someone.close()


def in_view(page, album: Album, label: str, selector: str | None = None) -> None:
    """What the window shows (not the whole page) at laptop and phone width, scrolled to ``selector``."""
    before = page.viewport_size
    for name, size in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        if selector:
            page.locator(selector).scroll_into_view_if_needed()
        page.screenshot(path=album.next_path(f"{label} {name} window"))
    page.set_viewport_size(before)


def clean(scanner: Scanner, name: str, page, **kwargs) -> None:
    scan = scanner.scan(name, page, **kwargs)
    assert not scan.blocking, scanner.report()


def test_the_address_follows_the_title_until_the_admin_edits_it(admin, album, scanner):
    page = admin.page
    page.goto(EDITOR)
    page.get_by_label("Title", exact=True).fill("Exit tickets for fractions")
    expect(page.get_by_label("Address")).to_have_value("exit-tickets-for-fractions")
    # every text box says Markdown is allowed
    boxes = page.locator("textarea")
    assert boxes.count() > 10
    expect(page.locator(".markdown-hint")).to_have_count(boxes.count())
    expect(page.locator("#f-summary-hint")).to_contain_text("You can use **bold**, *italics* and lists")
    album.at_both_sizes(page, "3 editor address filled from the title")
    in_view(page, album, "3 address filled from the title", "#f-slug")
    in_view(page, album, "6 markdown hint under a text box", "#f-competency")
    page.get_by_label("Address").fill("fractions")
    page.get_by_label("Title", exact=True).fill("Exit tickets for fractions, grades 3-5")
    expect(page.get_by_label("Address")).to_have_value("fractions")
    clean(scanner, "editor", page)


def test_adding_a_criterion_comes_back_at_the_new_row(admin, album):
    page = admin.page
    page.goto(EDITOR)
    page.get_by_label("Title", exact=True).fill("Rows that stay in view")
    page.get_by_role("button", name="Add a criterion").click()
    expect(page).to_have_url(f"{page.url.split('#')[0].split('/admin')[0]}{EDITOR}#f-rubric-criteria-1")
    card = page.locator("#f-rubric-criteria-1")
    expect(card).to_be_in_viewport()
    expect(card.get_by_label("Name", exact=True)).to_be_focused()
    expect(page.get_by_label("Title", exact=True)).to_have_value("Rows that stay in view")
    page.screenshot(path=album.next_path("4 back at the criterion just added laptop window"))
    album.at_both_sizes(page, "4 back at the criterion just added")
    card.get_by_role("button", name="Add a level").click()
    expect(page.locator("#f-rubric-criteria-1-levels-3")).to_be_in_viewport()
    page.screenshot(path=album.next_path("4 back at the level just added laptop window"))
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Add a criterion").click()
    expect(page.locator("#f-rubric-criteria-2")).to_be_in_viewport()
    page.screenshot(path=album.next_path("4 back at the criterion just added phone window"))
    page.set_viewport_size(VIEWPORT)


def fill_wrong_values(page) -> None:
    page.goto(EDITOR)
    page.get_by_label("Title", exact=True).fill("Exit tickets " + "and more " * 14)
    page.get_by_label("Credit hours").fill("ten")
    page.locator("#f-rubric-criteria-0-levels-1-points").fill("two")
    page.get_by_role("button", name="Save draft").click()


def test_errors_are_named_by_their_labels_in_page_order(admin, album, scanner):
    page = admin.page
    fill_wrong_values(page)
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    items = summary.get_by_role("listitem")
    expect(items).to_have_text(
        [
            "Title — Too long: use at most 120 characters.",
            "Credit hours — Enter a number.",
            "Criterion 1, level 2: points — Enter a number.",
        ]
    )
    expect(page.locator("#f-credit-hours-error")).to_have_text("Enter a number.")
    album.at_both_sizes(page, "1 errors by label in page order")
    in_view(page, album, "1 errors by label in page order", ".error-summary")
    summary.get_by_role("link", name="Criterion 1, level 2: points").click()
    expect(page.locator("#f-rubric-criteria-0-levels-1-points")).to_be_focused()
    clean(scanner, "editor with errors", page, replay=fill_wrong_values)


def test_an_unfinished_draft_is_saved_and_publish_lists_what_is_missing(admin, album, scanner):
    page = admin.page
    page.goto(EDITOR)
    page.get_by_label("Title", exact=True).fill("Number talks")
    page.get_by_role("button", name="Save draft").click()
    admin.flash("Saved “Number talks” as a draft")
    page.get_by_role("link", name="Publish version 1").click()
    expect(page.get_by_role("heading", name="Publish version 1 of Number talks?")).to_be_visible()
    missing = page.locator(".error-summary")
    expect(missing).to_contain_text("Summary — Write one or two sentences for the catalog.")
    expect(missing).to_contain_text("Criterion 1, level 1: description — Describe what this level looks like.")
    expect(page.get_by_role("button", name="Publish version 1")).to_have_count(0)
    album.at_both_sizes(page, "2 publish lists what is missing")
    clean(scanner, "publish with missing parts", page)
    page.get_by_role("link", name="Preview the draft").click()
    expect(page.locator(".preview-banner")).to_contain_text("This draft is not finished")
    album.at_both_sizes(page, "2 preview of an unfinished draft")
    clean(scanner, "preview of an unfinished draft", page)
    page.go_back()
    missing.get_by_role("link", name="Grade bands").click()
    expect(page).to_have_url(f"{page.url.split('/admin')[0]}/admin/microcredentials/number-talks/draft#f-grade-bands")
    expect(page.locator("#f-grade-bands")).to_be_in_viewport()
    page.screenshot(path=album.next_path("2 link opens the draft at the field laptop window"))


def test_publishing_warns_and_the_admin_may_publish_anyway(admin, album, scanner):
    page = admin.page
    page.goto("/admin/microcredentials/family-talk")
    page.get_by_role("link", name="Publish version 1").click()
    warnings = page.locator(".publish-warnings")
    expect(warnings).to_contain_text("No rubric criterion scores “Overview questions”")
    expect(warnings).to_contain_text("No reviewer is qualified for this micro-credential")
    album.at_both_sizes(page, "5 publish warnings")
    clean(scanner, "publish with warnings", page)
    page.get_by_role("button", name="Publish version 1 anyway").click()
    admin.flash("Version 1 is published")
