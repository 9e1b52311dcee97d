"""Issue 17, plan templates in the browser, at laptop and phone width: a coach writes a template (a refused form
first, said at the top and beside the field), sees it, and applies it to their school; each teacher there gets a
draft plan started from it and an e-mail.

The data is set up through domain builders; the visits go through Chromium. Screenshots go to
``E2E_ARTIFACTS/plan-templates`` and every page is scanned with axe at both widths.
"""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from credentials.storage.models import GrowthPlan
from tests.builders import Builders
from tests.plans_builders import PlanBuilders

from .browsing import Account, Album, Person, scan_both, scanners_at_both_sizes

pytestmark = pytest.mark.e2e

PASSWORD = "lakeside templates passphrase"
COACH = Account("Grace Kim", "grace.kim@lakeside.example.org", PASSWORD)
SCHOOL = "Oak Valley Middle School"
TITLE = "Checking for understanding"


@pytest.fixture(scope="module")
def cast(live) -> dict:
    build = Builders(live.services)
    grow = PlanBuilders(build)
    grow.school_year()
    grow.catalog()
    school = build.school(SCHOOL)
    grow.coach(school, email=COACH.email, name=COACH.name, password=COACH.password)
    teachers = [build.user("teacher", school=school, name=name) for name in ("Ana Diaz", "Ben Cho")]
    return {"teachers": [t.id for t in teachers]}


@pytest.fixture(scope="module")
def album(artifacts) -> Album:
    shutil.rmtree(artifacts / "plan-templates", ignore_errors=True)
    return Album(artifacts / "plan-templates")


@pytest.fixture(scope="module")
def scanners(browser, axe_script, artifacts, live):
    return scanners_at_both_sizes(browser, axe_script, artifacts / "plan-templates-accessibility", live.url)


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


def test_a_coach_writes_a_template_and_applies_it_to_their_school(person, scanners, cast, live):
    coach = person("coach", COACH)
    page = coach.page
    page.goto("/plan-templates")
    expect(page.get_by_text("There are no templates yet.")).to_be_visible()
    coach.album.at_both_sizes(page, "no templates yet")
    scan_both(scanners, "template list", page)
    page.get_by_role("link", name="Write a template").click()

    goal = page.get_by_role("group", name="Goal 1", exact=True)

    def refused(on: Page) -> None:
        on.goto("/plan-templates/new")
        first = on.get_by_role("group", name="Goal 1", exact=True)
        first.get_by_label("The goal").fill("More students show mastery at the end of each lesson.")
        on.get_by_role("button", name="Save the template").click()
        expect(on.locator(".error-summary")).to_contain_text("Give the template a title")
        expect(on.locator(".error-summary")).to_contain_text("Goal 1: Choose at least one competency or tag")

    refused(page)
    expect(goal.get_by_label("The goal")).to_have_value("More students show mastery at the end of each lesson.")
    coach.album.at_both_sizes(page, "template form refused")
    scan_both(scanners, "template form refused", page, replay=refused)

    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("What the template is for").fill("For teachers starting with exit tickets.")
    goal.get_by_label("formative assessment").check()
    goal.get_by_label("What is measured").fill("Exit-ticket mastery")
    goal.get_by_label("Unit").fill("%")
    first_action = goal.locator(".template-action").first
    first_action.get_by_label("Kind").select_option(label="Earn a micro-credential")
    first_action.get_by_label("Micro-credential").select_option(label="Checking for understanding with exit tickets")
    page.get_by_role("button", name="Save the template").click()
    coach.flash(f"The template “{TITLE}” is saved.")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_role("link", name="Checking for understanding with exit tickets")).to_be_visible()
    coach.album.at_both_sizes(page, "template page")
    scan_both(scanners, "template page", page)

    page.get_by_role("link", name="Apply to a school or teachers").click()
    expect(page.get_by_text("No plan yet: one will be started").first).to_be_visible()
    coach.album.at_both_sizes(page, "apply form")
    scan_both(scanners, "apply form", page)
    page.get_by_label("A whole school").check()
    page.get_by_label("School", exact=True).select_option(label=SCHOOL)
    page.get_by_role("button", name="Apply the template").click()
    coach.flash("Started 2 plans.")
    expect(page.get_by_text("Plans started from it")).to_be_visible()
    coach.album.at_both_sizes(page, "template applied")
    scan_both(scanners, "template applied", page)

    with live.services.session_factory() as session:
        started = session.scalars(select(GrowthPlan).where(GrowthPlan.teacher_id.in_(cast["teachers"]))).all()
        assert sorted((p.status, p.template_id is not None) for p in started) == [("draft", True), ("draft", True)]
