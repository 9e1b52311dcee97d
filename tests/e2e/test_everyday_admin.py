"""Issue 16, the admin's everyday pages in the browser, at laptop and phone width: the grouped main navigation (one
line on a laptop, one Menu on a phone, the district's name and logo beside it), "Verify a credential" for everyone
and a word for employers on the home page, the admin home's figures, and revoking with a confirmation step and the
error summary at the top.

The data is set up through domain builders; the visits go through Chromium. Screenshots go to
``E2E_ARTIFACTS/everyday-admin`` and every changed page is scanned with axe at both widths.
"""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import Page, expect

from credentials.domain.audit import Actor
from credentials.domain.people import organizations
from credentials.storage.database import transaction
from tests.builders import Builders, definition, png_bytes

from .browsing import LAPTOP, PHONE, Account, Album, Person, assert_fits_width, scan_both, scanners_at_both_sizes

pytestmark = pytest.mark.e2e

PASSWORD = "lakeside everyday passphrase"
DISTRICT = "Lakeside Unified School District"
# The widest navigation: an admin who also teaches and reviews.
ADMIN = Account("Dana Whitfield", "dana.whitfield@lakeside.example.org", PASSWORD)
TEACHER_NAME = "Maya Okonkwo"
ADMIN_MENUS = ("Catalog", "Reviews", "Credentials", "People", "Plans", "District")


@pytest.fixture(scope="module")
def credential_uuid(live) -> str:
    """The district (named, with a logo), the admin, one issued credential and one submission nobody can review."""
    build = Builders(live.services)
    build.user("issuer_admin", "teacher", "reviewer", email=ADMIN.email, name=ADMIN.name, password=ADMIN.password)
    with transaction(live.services.session_factory) as session:
        issuer = organizations.require_issuer(session)
        details = organizations.clean_issuer_details(DISTRICT, issuer.url, issuer.email, issuer.time_zone)
        organizations.update_issuer(
            session, details, logo=png_bytes(size=(64, 64), color=(17, 120, 90)), remove_logo=False,
            actor=Actor.system("test"), now=live.services.clock(),
        )  # fmt: skip
    teacher = build.user("teacher", school=build.school("Cedar Elementary School"), name=TEACHER_NAME)
    credential = build.credential(build.published(definition(slug="exit-tickets")), teacher)
    build.published(definition(slug="family-talk", title="Talking with families"))
    build.submitted("family-talk")  # no reviewer is qualified: it waits
    return credential.uuid


@pytest.fixture(scope="module")
def album(artifacts) -> Album:
    shutil.rmtree(artifacts / "everyday-admin", ignore_errors=True)
    return Album(artifacts / "everyday-admin")


@pytest.fixture(scope="module")
def scanners(browser, axe_script, artifacts, live):
    """axe at laptop and at phone width; every test checks its scans are clean."""
    return scanners_at_both_sizes(browser, axe_script, artifacts / "everyday-admin-accessibility", live.url)


@pytest.fixture
def person(browser, live, album, credential_uuid):
    opened: list[Person] = []

    def open_for(label: str, account: Account | None = None) -> Person:
        someone = Person(browser, live.url, album, label, account)
        opened.append(someone)
        if account:
            someone.sign_in()
        return someone

    yield open_for
    for someone in opened:
        assert not someone.problems, someone.problems
        someone.close()


def nav_items(page: Page):
    return page.get_by_role("navigation", name="Main").locator(".nav > li")


def assert_one_line(page: Page, what: str) -> None:
    tops = {round(box["y"]) for box in (item.bounding_box() for item in nav_items(page).all()) if box}
    assert len(tops) == 1, f"{what}: the navigation runs over {len(tops)} lines"


# ---- Visitors: "Verify a credential" and the word for employers --------------------------------------------------


def test_visitors_find_verify_a_credential_in_the_navigation_and_on_the_home_page(person, scanners):
    visitor = person("visitor")
    page = visitor.page
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Verify a credential")).to_be_visible()
    employers = page.get_by_role("region", name="Hiring? Check a teacher's credential")
    expect(employers).to_contain_text("Upload it")
    visitor.album.at_both_sizes(page, "visitor home")
    scan_both(scanners, "visitor home", page)

    page.set_viewport_size(PHONE)
    expect(nav.get_by_role("link", name="Verify a credential")).to_be_hidden()  # inside the closed Menu
    nav.get_by_text("Menu", exact=True).click()
    expect(nav.get_by_role("link", name="Verify a credential")).to_be_visible()
    visitor.shot("home phone menu open")
    page.set_viewport_size(LAPTOP)

    employers.get_by_role("link", name="Check a credential").click()
    expect(page.get_by_role("heading", name="Verify a credential", level=1)).to_be_visible()
    expect(nav.get_by_role("link", name="Verify a credential")).to_have_attribute("aria-current", "page")


# ---- The admin's navigation ---------------------------------------------------------------------------------------


def test_the_admin_navigation_is_one_line_on_a_laptop_with_menus(person, scanners):
    admin = person("admin", ADMIN)
    page = admin.page
    nav = page.get_by_role("navigation", name="Main")
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name=re.compile(DISTRICT))).to_be_visible()
    expect(header.locator("img.brand-logo")).to_be_visible()
    for size in ({"width": 1280, "height": 720}, LAPTOP):
        page.set_viewport_size(size)
        assert_one_line(page, f"at {size['width']} px")
    page.set_viewport_size({"width": 800, "height": 900})  # a tablet: the navigation may wrap, never overflow
    assert_fits_width(page, "admin navigation at 800 px")
    admin.shot("navigation at 800 px")
    page.set_viewport_size(LAPTOP)
    for menu in ADMIN_MENUS:
        expect(nav.locator("summary", has_text=menu)).to_be_visible()
    expect(nav.get_by_role("link", name="Audit trail")).to_be_hidden()

    nav.locator("summary", has_text="District").click()
    expect(nav.get_by_role("link", name="Audit trail")).to_be_visible()
    admin.shot("navigation District menu open")
    nav.locator("summary", has_text="People").click()  # opening one menu closes the other
    expect(nav.get_by_role("link", name="Schools")).to_be_visible()
    expect(nav.get_by_role("link", name="Audit trail")).to_be_hidden()

    admin.go_to("Audit trail")
    expect(page).to_have_url(re.compile(r"/admin/audit$"))
    expect(nav.locator("details.nav-group-current > summary")).to_contain_text("District")
    nav.locator("summary", has_text="District").click()
    expect(nav.get_by_role("link", name="Audit trail")).to_have_attribute("aria-current", "page")
    admin.album.at_both_sizes(page, "admin navigation District menu open on the audit trail")


def test_the_admin_navigation_is_one_menu_on_a_phone(person, scanners):
    admin = person("admin", ADMIN)
    page = admin.page
    page.set_viewport_size(PHONE)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.locator("summary", has_text="Menu")).to_be_visible()
    expect(nav.get_by_role("link", name="Home")).to_be_hidden()
    admin.shot("phone header menu closed")
    nav.locator("summary", has_text="Menu").click()
    nav.locator("summary", has_text="People").click()
    expect(nav.get_by_role("link", name="Schools")).to_be_visible()
    admin.shot("phone menu open with People")

    def open_menu(on: Page) -> None:
        on.goto("/")
        menu = on.get_by_role("navigation", name="Main")
        menu.locator("summary", has_text="Menu").click()
        menu.locator("summary", has_text="District").click()

    scanners["phone"].scan("admin phone menu open", page, replay=open_menu)
    assert not scanners["phone"].report(), scanners["phone"].report()

    page.goto("/")
    admin.go_to("Credentials")  # opens the Menu, then the Credentials menu
    expect(page.get_by_role("heading", name="Issued credentials")).to_be_visible()


# ---- The admin home -----------------------------------------------------------------------------------------------


def test_the_admin_home_shows_the_work_waiting_and_this_months_figures(person, scanners):
    admin = person("admin", ADMIN)
    page = admin.page
    expect(page.get_by_role("heading", name=f"Welcome, {ADMIN.name}")).to_be_visible()
    figures = page.locator(".admin-figures")
    expect(figures.get_by_role("link", name=re.compile(r"^1 submission waiting for a reviewer"))).to_be_visible()
    expect(figures.get_by_role("link", name=re.compile(r"^1 credential issued in all"))).to_be_visible()
    admin.album.at_both_sizes(page, "admin home")
    scan_both(scanners, "admin home", page)
    figures.get_by_role("link", name=re.compile("waiting for a reviewer")).click()
    expect(page).to_have_url(re.compile(r"/admin/reviews#waiting$"))
    expect(page.get_by_role("heading", name="Waiting for reviewers")).to_be_visible()


# ---- Revoking: a confirmation step and the errors at the top -----------------------------------------------------


def test_revoking_shows_errors_at_the_top_then_asks_before_revoking(person, scanners, credential_uuid):
    admin = person("admin", ADMIN)
    page = admin.page
    detail = f"/admin/credentials/{credential_uuid}"
    page.set_viewport_size(LAPTOP)
    page.goto(detail)
    revoke = page.get_by_role("region", name="Revoke")

    def submit_empty(on: Page) -> None:
        on.goto(detail)
        on.get_by_role("region", name="Revoke").get_by_role("button", name="Revoke permanently").click()

    submit_empty(page)
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_in_viewport()  # no longer below the fold
    admin.album.at_both_sizes(page, "revoke errors at the top")
    scan_both(scanners, "revoke errors", page, replay=submit_empty)
    summary.get_by_role("link", name=re.compile("Why it is revoked")).click()
    expect(page.locator("#category")).to_be_in_viewport()

    def ask(on: Page) -> None:
        on.goto(detail)
        form = on.get_by_role("region", name="Revoke")
        form.get_by_label("Why it is revoked").select_option(label="Issued in error")
        form.get_by_label("Details").fill("Issued to the wrong teacher.\nThe right one has been told.")
        form.get_by_role("button", name="Revoke permanently").click()

    ask(page)
    expect(page.get_by_role("heading", name="Revoke this credential?")).to_be_visible()
    consequences = page.locator(".confirm-consequences")
    expect(consequences).to_contain_text("will say Revoked")
    expect(consequences).to_contain_text("Everyone who checks it")
    expect(consequences).to_contain_text("gets an e-mail")
    admin.album.at_both_sizes(page, "revoke confirmation")
    scan_both(scanners, "revoke confirmation", page, replay=ask)

    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(re.escape(detail) + "$"))
    expect(page.locator(".facts")).to_contain_text("Valid")  # nothing happened

    ask(page)
    page.get_by_role("button", name="Revoke", exact=True).click()
    admin.flash("Revoked.")
    expect(page.locator(".facts")).to_contain_text("Revoked")
    expect(revoke).to_have_count(0)
    admin.album.at_both_sizes(page, "revoked")


def test_suspending_asks_first_too(person, scanners, live):
    build = Builders(live.services)
    credential = build.credential("exit-tickets")
    admin = person("admin", ADMIN)
    page = admin.page
    detail = f"/admin/credentials/{credential.uuid}"

    def ask(on: Page) -> None:
        on.goto(detail)
        form = on.get_by_role("region", name="Suspend")
        form.get_by_label("Reason for the suspension").fill("A parent's complaint is being looked into.")
        form.get_by_role("button", name="Suspend").click()

    ask(page)
    expect(page.get_by_role("heading", name="Suspend this credential?")).to_be_visible()
    expect(page.locator(".confirm-consequences")).to_contain_text("Verifiers elsewhere look only for revocation")
    admin.album.at_both_sizes(page, "suspend confirmation")
    scan_both(scanners, "suspend confirmation", page, replay=ask)
    page.get_by_role("button", name="Suspend", exact=True).click()
    admin.flash("Suspended.")
