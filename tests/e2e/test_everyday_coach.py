"""Issue 17, coaches on the People pages in the browser, at laptop and phone width: the invitation form that says
what each role does, the People list filtered to coaches, a coach's page where an admin assigns them to a school and
ends an assignment (and a refused assignment explained at the top), and the coach's start page.

The data is set up through domain builders; the visits go through Chromium. Screenshots go to
``E2E_ARTIFACTS/everyday-coach`` and every changed page is scanned with axe at both widths.
"""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import Page, expect

from tests.builders import Builders

from .browsing import Account, Album, Person, scan_both, scanners_at_both_sizes

pytestmark = pytest.mark.e2e

PASSWORD = "lakeside coaching passphrase"
ADMIN = Account("Dana Whitfield", "dana.whitfield@lakeside.example.org", PASSWORD)
COACH = Account("Denise Carter", "denise.carter@lakeside.example.org", PASSWORD)
SCHOOL = "Oak Valley Middle School"


@pytest.fixture(scope="module")
def cast(live) -> dict:
    build = Builders(live.services)
    build.admin(email=ADMIN.email, name=ADMIN.name, password=ADMIN.password)
    build.school(SCHOOL)
    build.school("Riverside High School")
    coach = build.user("coach", email=COACH.email, name=COACH.name, password=COACH.password)
    build.user("teacher", name="Tess Teacher")
    return {"coach_id": coach.id}


@pytest.fixture(scope="module")
def album(artifacts) -> Album:
    shutil.rmtree(artifacts / "everyday-coach", ignore_errors=True)
    return Album(artifacts / "everyday-coach")


@pytest.fixture(scope="module")
def scanners(browser, axe_script, artifacts, live):
    return scanners_at_both_sizes(browser, axe_script, artifacts / "everyday-coach-accessibility", live.url)


@pytest.fixture
def person(browser, live, album, cast):
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


def test_an_admin_invites_reads_the_roles_and_assigns_a_coach(person, scanners, cast):
    admin = person("admin", ADMIN)
    page = admin.page
    page.goto("/admin/people/invite")
    expect(page.get_by_role("checkbox", name="Coach")).to_be_visible()
    expect(page.get_by_text("Reviews the growth plans of teachers at their schools")).to_be_visible()
    admin.album.at_both_sizes(page, "invite form with role words")
    scan_both(scanners, "invite form", page)

    page.goto("/admin/people?role=coach")
    page.get_by_text("What each role means").click()
    expect(page.get_by_role("link", name=COACH.name)).to_be_visible()
    admin.album.at_both_sizes(page, "people list of coaches with the role words open")
    scan_both(scanners, "people list of coaches", page)

    page.get_by_role("link", name=COACH.name).click()
    coaching = page.get_by_role("region", name=f"Where {COACH.name} coaches")
    expect(coaching).to_contain_text("Not assigned yet")
    coaching.get_by_label("Assign to").select_option(label=SCHOOL)
    coaching.get_by_role("button", name="Assign").click()
    admin.flash(f"{COACH.name} now coaches teachers at {SCHOOL}.")
    coaching.get_by_label("Assign to").select_option(label="The whole district")
    coaching.get_by_role("button", name="Assign").click()
    expect(coaching.get_by_role("button", name=f"End coaching at {SCHOOL}")).to_be_visible()
    admin.album.at_both_sizes(page, "coach page with two assignments")
    scan_both(scanners, "coach page", page)

    coaching.get_by_role("button", name="End coaching at The whole district").click()
    admin.flash(f"{COACH.name} no longer coaches teachers across the whole district.")

    # A school closed since the page was drawn: refused, said at the top with a link to the field.
    person_url = page.url.split("#", 1)[0]

    def refused(on: Page) -> None:
        on.goto(person_url)
        on.evaluate(
            """() => { const o = document.createElement('option'); o.value = '999999'; o.textContent = 'Gone School';
                       document.getElementById('coaching-school').append(o); }"""
        )
        on.get_by_label("Assign to").select_option(label="Gone School")
        on.get_by_role("button", name="Assign").click()
        expect(on.locator(".error-summary")).to_contain_text("Choose one of the district's open schools.")

    refused(page)
    page.locator(".error-summary").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"#coaching-school$"))
    expect(page.get_by_role("heading", name="Roles and school")).to_be_visible()  # the rest of the page is there
    admin.album.at_both_sizes(page, "coach page with a refused assignment")
    scan_both(scanners, "coach page refused assignment", page, replay=refused)


def test_the_coach_sees_where_they_coach(person, scanners, cast):
    coach = person("coach", COACH)
    page = coach.page
    page.goto("/")
    expect(page.get_by_role("heading", name="Your coaching")).to_be_visible()
    expect(page.get_by_text(f"You coach teachers at {SCHOOL}.")).to_be_visible()
    coach.album.at_both_sizes(page, "coach start page")
    scan_both(scanners, "coach start page", page)
    assert page.goto(f"/admin/people/{cast['coach_id']}").status == 403
