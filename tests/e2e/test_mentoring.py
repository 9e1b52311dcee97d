"""Issue 18, mentors in the browser at laptop and phone width: a holder volunteers, a colleague at her school finds
her on the micro-credential's page and asks for help, and she accepts on "My mentoring". Each page is scanned with
axe at both widths; screenshots go to ``E2E_ARTIFACTS/mentoring``."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.builders import Builders

from .browsing import Account, Album, Person, scan_both, scanners_at_both_sizes

pytestmark = pytest.mark.e2e

PASSWORD = "lakeside mentoring passphrase"
MENTOR = Account("Mia Moreno", "mia.moreno@lakeside.example.org", PASSWORD)
ASKER = Account("Tom Tran", "tom.tran@lakeside.example.org", PASSWORD)


@pytest.fixture(scope="module")
def cast(live) -> dict:
    build = Builders(live.services)
    school = build.school("Oak Valley Middle School")
    slug = build.published()
    mia = build.user("teacher", school=school, email=MENTOR.email, name=MENTOR.name, password=PASSWORD)
    build.user("teacher", school=school, email=ASKER.email, name=ASKER.name, password=PASSWORD)
    build.credential(slug, mia)
    return {"slug": slug}


@pytest.fixture(scope="module")
def album(artifacts) -> Album:
    shutil.rmtree(artifacts / "mentoring", ignore_errors=True)
    return Album(artifacts / "mentoring")


@pytest.fixture(scope="module")
def scanners(browser, axe_script, artifacts, live):
    return scanners_at_both_sizes(browser, axe_script, artifacts / "mentoring-accessibility", live.url)


def person(browser, live, album, label, account) -> Person:
    someone = Person(browser, live.url, album, label, account)
    someone.sign_in()
    return someone


def test_a_holder_volunteers_a_colleague_asks_and_she_accepts(browser, live, album, scanners, cast):
    mia = person(browser, live, album, "mentor", MENTOR)
    page = mia.page
    page.goto(f"/microcredentials/{cast['slug']}")
    page.get_by_role("link", name="Volunteer as a mentor").click()
    page.get_by_label("What you can help with (optional)").fill("Planning the evidence and the reflection.")
    mia.album.at_both_sizes(page, "volunteer")
    scan_both(scanners, "volunteer", page)
    page.get_by_role("button", name="Volunteer").click()
    mia.flash("Thank you: colleagues can now ask you for help with this micro-credential.")
    expect(page.get_by_role("button", name="Stop mentoring")).to_be_visible()
    mia.sign_out()

    tom = person(browser, live, album, "asker", ASKER)
    page = tom.page
    page.goto(f"/microcredentials/{cast['slug']}")
    expect(page.get_by_role("heading", name="Mentors")).to_be_visible()
    expect(page.get_by_text("(your school)")).to_be_visible()
    tom.album.at_both_sizes(page, "mentors section")
    scan_both(scanners, "micro-credential page with mentors", page)
    page.get_by_role("link", name="Ask Mia Moreno for help").click()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Say what you would like help with.").first).to_be_visible()
    scan_both(scanners, "ask a mentor (refused)", page)
    page.get_by_label("What would you like help with?").fill("Could you look at my exit tickets before I submit?")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="My mentoring", level=1)).to_be_visible()
    expect(page.get_by_text("mia.moreno@lakeside.example.org")).to_have_count(0)
    tom.sign_out()
    tom.close()

    page = mia.page
    mia.sign_in()
    page.goto("/my/mentoring")
    expect(page.get_by_text("tom.tran@lakeside.example.org")).to_have_count(0)
    mia.album.at_both_sizes(page, "my mentoring")
    scan_both(scanners, "my mentoring", page)
    page.get_by_role("button", name="Accept and share e-mail addresses").click()
    expect(page.get_by_role("link", name="tom.tran@lakeside.example.org")).to_be_visible()
    scan_both(scanners, "my mentoring (accepted)", page)
    assert not mia.problems, mia.problems
    mia.close()
