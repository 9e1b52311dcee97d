"""Issue 17, goals boards in the browser at laptop and phone width: a teacher says what they teach, opens their
school's goals board from the district's, and filters it by focus.

The data is set up through domain builders (colleagues' plans approved, their goals declared to the school); the
visits go through Chromium. Screenshots go to ``E2E_ARTIFACTS/goals-boards`` and each page is scanned with axe at
both widths.
"""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from credentials.storage.database import transaction
from credentials.storage.models import Goal, User
from tests.builders import Builders
from tests.plans_builders import PlanBuilders

from .browsing import Account, Album, Person, scan_both, scanners_at_both_sizes

pytestmark = pytest.mark.e2e

PASSWORD = "lakeside goals passphrase"
TEACHER = Account("Tess Alvarez", "tess.alvarez@lakeside.example.org", PASSWORD)
SCHOOL = "Cedar Elementary"
DISCOURSE = "tag:student discourse"


@pytest.fixture(scope="module")
def cast(live) -> dict:
    build = Builders(live.services)
    grow = PlanBuilders(build)
    school = build.school(SCHOOL)
    build.user("teacher", school=school, email=TEACHER.email, name=TEACHER.name, password=TEACHER.password)
    coach = grow.coach(school, name="Grace Kim")
    colleagues = (
        ("Maria Lopez", ["tag:formative assessment"], True),
        ("Sam Okafor", ["tag:formative assessment", DISCOURSE], False),
        ("Ana Reyes", [DISCOURSE], False),
    )
    for name, focus, share in colleagues:
        colleague = build.user("teacher", school=school, name=name)
        plan = grow.plan(colleague, status="active", coach=coach)
        with transaction(live.services.session_factory) as session:
            session.execute(
                update(Goal)
                .where(Goal.plan_id == plan.id)
                .values(focus=focus, share_progress=share, visibility="school")
            )
            session.execute(update(User).where(User.id == colleague.id).values(grade_band="3-5", subject="math"))
    return {"school_id": school.id}


@pytest.fixture(scope="module")
def album(artifacts) -> Album:
    shutil.rmtree(artifacts / "goals-boards", ignore_errors=True)
    return Album(artifacts / "goals-boards")


@pytest.fixture(scope="module")
def scanners(browser, axe_script, artifacts, live):
    return scanners_at_both_sizes(browser, axe_script, artifacts / "goals-boards-accessibility", live.url)


@pytest.fixture
def teacher(browser, live, album, cast):
    someone = Person(browser, live.url, album, "teacher", TEACHER)
    someone.sign_in()
    yield someone
    assert not someone.problems, someone.problems
    someone.close()


def test_a_teacher_says_what_they_teach(teacher, scanners):
    page = teacher.page
    page.goto("/my/teaching")
    page.get_by_label("Grade band").select_option(label="Grades 3 to 5")
    page.get_by_label("Subject").select_option(label="Mathematics")
    page.get_by_role("button", name="Save").click()
    teacher.flash("Saved. Colleagues can now find your goals by what you teach.")
    expect(page.get_by_label("Grade band")).to_have_value("3-5")
    teacher.album.at_both_sizes(page, "what you teach")
    scan_both(scanners, "what you teach", page)


def test_a_teacher_opens_the_school_board_and_filters_by_focus(teacher, scanners, cast):
    page = teacher.page
    page.goto("/goals")
    expect(page.get_by_role("heading", name="District goals board", level=1)).to_be_visible()
    page.get_by_role("link", name="Your school's board").click()
    expect(page.get_by_role("heading", name=f"{SCHOOL} goals board", level=1)).to_be_visible()
    for name in ("Maria Lopez", "Sam Okafor", "Ana Reyes"):
        expect(page.get_by_text(name).first).to_be_visible()
    expect(page.get_by_text("Latest check-in")).to_have_count(1)  # only Maria shares her numbers
    expect(page.get_by_text("Grades 3 to 5, Mathematics").first).to_be_visible()
    teacher.album.at_both_sizes(page, "school goals board")
    scan_both(scanners, "school goals board", page)

    page.get_by_label("Focus", exact=True).select_option(label="student discourse (2)")
    page.get_by_role("button", name="Show goals").click()
    expect(page.get_by_text("2 goals with this focus")).to_be_visible()
    expect(page.get_by_text("Maria Lopez")).to_have_count(0)
    expect(page.get_by_text("Ana Reyes")).to_be_visible()
    assert f"/schools/{cast['school_id']}/goals?focus=" in page.url
    teacher.album.at_both_sizes(page, "school goals board filtered by focus")
    scan_both(scanners, "school goals board filtered", page)
