"""Issue 17, growth plans in the browser at laptop and phone width: a teacher drafts a plan and asks for a review,
the coach sends it back with a comment, the teacher revises it and asks again, the coach approves it, and the teacher
adds a check-in and sees the chart (the <img> loads an SVG).

The people, the school year and the catalog are set up through domain builders; every step goes through Chromium.
Screenshots go to ``E2E_ARTIFACTS/plans``; the plan and goal pages are scanned with axe at both widths.
"""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.builders import Builders
from tests.plans_builders import PlanBuilders

from .browsing import Account, Album, Person, scan_both, scanners_at_both_sizes

pytestmark = pytest.mark.e2e

PASSWORD = "lakeside growth passphrase"
TEACHER = Account("Tomás Rivera", "tomas.rivera@lakeside.example.org", PASSWORD)
COACH = Account("Denise Carter", "denise.carter@lakeside.example.org", PASSWORD)
SCHOOL = "Oak Valley Middle School"
STATEMENT = "More of my fourth graders show mastery of fractions at the end of each lesson."


@pytest.fixture(scope="module")
def cast(live) -> dict:
    build = Builders(live.services)
    grow = PlanBuilders(build)
    school = build.school(SCHOOL)
    build.user("teacher", school=school, email=TEACHER.email, name=TEACHER.name, password=PASSWORD)
    coach = build.user("coach", school=school, email=COACH.email, name=COACH.name, password=PASSWORD)
    with live.services.session_factory.begin() as session:
        from credentials.domain.audit import Actor
        from credentials.domain.people import coaching

        coaching.assign_coach(session, coach.id, school.id, actor=Actor.system("test"), now=live.services.clock())
    grow.school_year()
    grow.catalog()
    return {}


@pytest.fixture(scope="module")
def album(artifacts) -> Album:
    shutil.rmtree(artifacts / "plans", ignore_errors=True)
    return Album(artifacts / "plans")


@pytest.fixture(scope="module")
def scanners(browser, axe_script, artifacts, live):
    return scanners_at_both_sizes(browser, axe_script, artifacts / "plans-accessibility", live.url)


@pytest.fixture
def person(browser, live, album, cast):
    opened: list[Person] = []

    def open_for(label: str, account: Account) -> Person:
        someone = Person(browser, live.url, album, label, account)
        opened.append(someone)
        someone.sign_in()
        return someone

    yield open_for
    for someone in opened:
        assert not someone.problems, someone.problems
        someone.close()


def test_a_plan_from_draft_to_a_check_in_on_its_chart(person, scanners):
    teacher = person("teacher", TEACHER)
    page = teacher.page
    page.goto("/my/plan")
    page.get_by_role("button", name="Start your plan for 2026–27").click()
    teacher.flash("Your plan for 2026–27 is started.")
    plan_url = page.url.split("#", 1)[0]
    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("Your goal").fill(STATEMENT)
    page.get_by_label("formative assessment").check()
    page.get_by_label("What you will measure").fill("Exit-ticket mastery on fractions")
    page.get_by_label("Where it is now (baseline)").fill("48")
    page.get_by_label("Where you want it to be (target)").fill("75")
    page.get_by_label("Unit").fill("%")
    page.get_by_label("How it is measured").fill("Weekly exit tickets, scored with the team's rubric")
    page.get_by_label("Target date").fill("2027-06-15")
    teacher.album.at_both_sizes(page, "goal form filled in")
    scan_both(scanners, "goal form", page)
    page.get_by_role("button", name="Add the goal").click()
    teacher.flash("Goal 1 is added.")
    expect(page.get_by_text("Exit-ticket mastery on fractions: from 48% to 75% by June 15, 2027")).to_be_visible()
    page.get_by_label("A note for your coach (optional)").fill("Goal 1 matters most to me.")
    page.get_by_role("button", name="Ask your coach to review").click()
    teacher.flash("Your coaches are asked to review your plan.")

    coach = person("coach", COACH)
    cpage = coach.page
    cpage.goto("/")
    cpage.get_by_role("link", name="1 growth plan waiting for your review").click()
    cpage.get_by_role("link", name=TEACHER.name).click()
    cpage.get_by_role("button", name="Start the review").click()
    coach.flash("You are reviewing this plan.")
    cpage.get_by_label("Comment on goal 1").fill("Aim for the end of May, before the state tests.")
    coach.album.at_both_sizes(cpage, "the coach's review of the plan")
    scan_both(scanners, "plan page, coach reviewing", cpage)
    cpage.get_by_role("button", name="Send back with comments").click()
    coach.flash("The plan is sent back with your comments.")

    page.goto(plan_url)
    expect(page.get_by_text("Aim for the end of May, before the state tests.")).to_be_visible()
    page.get_by_role("link", name="Change goal 1").click()
    page.get_by_label("Target date").fill("2027-05-28")
    page.get_by_role("button", name="Save the goal").click()
    teacher.flash("Goal 1 is saved.")
    page.get_by_role("button", name="Ask your coach to review").click()
    teacher.flash("Your coaches are asked to review your plan.")

    cpage.goto(plan_url)
    cpage.get_by_label("Comment on goal 1").fill("Good: go ahead.")
    cpage.get_by_role("button", name="Approve the plan").click()
    coach.flash("The plan is approved and under way.")

    page.goto(plan_url)
    expect(page.get_by_text("Active", exact=True)).to_be_visible()
    teacher.album.at_both_sizes(page, "the active plan")
    scan_both(scanners, "plan page, active", page)
    page.get_by_role("link", name=STATEMENT).click()
    page.get_by_role("link", name="Add a check-in").click()
    page.get_by_label("Exit-ticket mastery on fractions that day, in %").fill("61")
    page.get_by_label("Reflection (optional)").fill("Small groups on Tuesdays helped.")
    page.get_by_role("button", name="Add the check-in").click()
    teacher.flash("Your check-in is added.")
    chart = page.locator("img[src$='chart.svg']")
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0"), "the chart did not load"
    assert "61%" in chart.get_attribute("alt")
    response = page.request.get(chart.get_attribute("src"))
    assert response.ok and response.headers["content-type"].startswith("image/svg+xml")
    expect(page.get_by_role("table", name="The chart's figures")).to_contain_text("61%")
    expect(page.get_by_text("Small groups on Tuesdays helped.")).to_be_visible()
    teacher.album.at_both_sizes(page, "the goal page with its chart")
    scan_both(scanners, "goal page", page)
