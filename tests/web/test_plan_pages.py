"""The plan pages through the browser's eyes: the teacher drafts goals and asks for a review, the coach reviews, the
teacher checks in; every refusal a sentence with nothing lost."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from credentials import create_app
from credentials.storage.models import CheckIn, Goal, GoalAction, GoalComment, GrowthPlan
from tests.builders import pdf_bytes
from tests.conftest import Browser
from tests.plans_builders import PlanBuilders

GOAL_FORM = {
    "statement": "More of my fourth graders show mastery of fractions at the end of each lesson.",
    "focus": "tag:formative assessment",
    "measure_what": "Exit-ticket mastery on fractions",
    "measure_unit": "%",
    "baseline": "48",
    "target": "75",
    "how_measured": "Weekly exit tickets",
    "target_date": "2027-05-28",
    "support_requested": "Observe a lesson in October.",
    "visibility": "school",
}


@pytest.fixture
def grow(build) -> PlanBuilders:
    return PlanBuilders(build)


@pytest.fixture
def people(build, grow):
    """A teacher and their coach at one school; another teacher there; a coach of another school; an admin."""
    teacher, coach = grow.teacher_and_coach()
    with build.services.session_factory() as session:
        from credentials.storage.models import User

        school = session.get(User, teacher.id).school
    colleague = build.user("teacher", school=school)
    stranger_coach = grow.coach(build.school())
    admin = build.admin()
    return {"teacher": teacher, "coach": coach, "colleague": colleague, "other_coach": stranger_coach, "admin": admin}


def as_(browser, person):
    """Sign in as ``person`` (whoever was signed in before is forgotten, as in a new browser)."""
    browser.client.delete_cookie("microcred")
    browser.login(person.email)
    return browser


def test_a_teacher_starts_a_plan_adds_a_goal_and_asks_for_a_review(browser, grow, people, session):
    grow.school_year()
    grow.catalog()
    as_(browser, people["teacher"])
    page = browser.get("/my/plan").get_data(as_text=True)
    assert "Start your plan for 2026–27" in page and "August 1, 2026" in page
    response = browser.submit("/my/plan/start", page="/my/plan")
    assert response.status_code == 302
    plan_id = session.scalar(select(GrowthPlan.id))
    assert browser.get("/my/plan").headers["Location"].endswith(f"/plans/{plan_id}")
    form_page = f"/plans/{plan_id}/goals/new"
    response = browser.submit(form_page, GOAL_FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    html = browser.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "Exit-ticket mastery on fractions: from 48% to 75% by May 28, 2027" in html
    assert "Ask your coach to review" in html
    response = browser.submit(
        f"/plans/{plan_id}/request-review", {"note": "Look at goal 1 first."}, page=f"/plans/{plan_id}"
    )
    assert response.status_code == 302
    session.rollback()
    assert session.get(GrowthPlan, plan_id).status == "waiting_for_review"
    html = browser.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "Take back the request for a review" in html and "Add a goal" not in html


@pytest.mark.parametrize(
    ("change", "field", "sentence"),
    [
        ({"target": "48"}, "target", "target"),
        ({"measure_unit": ""}, "measure_unit", "unit"),
        ({"target_date": "2027-08-15"}, "target_date", "within the 2026–27 school year"),
        ({"baseline": "x" * 5000}, "baseline", "as a number"),
        ({"target": "1e400"}, "target", "number"),
    ],
)
def test_a_bad_goal_is_refused_with_a_sentence_and_nothing_lost(browser, grow, people, change, field, sentence):
    plan = grow.plan(people["teacher"], goals=0)
    as_(browser, people["teacher"])
    response = browser.submit(f"/plans/{plan.id}/goals/new", {**GOAL_FORM, **change})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert sentence.lower() in html.lower()
    assert "More of my fourth graders show mastery of fractions" in html  # what was typed is still there
    assert 'aria-invalid="true"' in html


def test_a_fourth_goal_is_refused(browser, grow, people):
    plan = grow.plan(people["teacher"], goals=3)
    as_(browser, people["teacher"])
    html = browser.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "Add a goal" not in html
    response = browser.submit(f"/plans/{plan.id}/goals/new", GOAL_FORM, page=f"/plans/{plan.id}")
    assert response.status_code == 422
    assert "at most 3 goals" in response.get_data(as_text=True)


def test_a_teacher_cannot_change_a_plan_in_review(browser, grow, people, session):
    plan = grow.plan(people["teacher"], goals=1, status="in_review", coach=people["coach"])
    goal_id = session.scalar(select(Goal.id))
    as_(browser, people["teacher"])
    response = browser.submit(
        f"/goals/{goal_id}/edit", {**GOAL_FORM, "statement": "Changed."}, page=f"/plans/{plan.id}"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "with your coach for review" in html
    assert browser.get(f"/goals/{goal_id}/edit").status_code == 409
    session.rollback()
    assert session.get(Goal, goal_id).statement == "Goal number 1."


def test_the_coach_sends_back_with_a_comment_and_then_approves(browser, grow, people, session):
    plan = grow.plan(people["teacher"], goals=2, status="waiting_for_review", coach=people["coach"])
    goals = session.scalars(select(Goal.id).order_by(Goal.position)).all()
    as_(browser, people["coach"])
    page = f"/plans/{plan.id}"
    html = browser.get(page).get_data(as_text=True)
    assert "Start the review" in html and "Send back with comments" in html
    revision = re.search(r'name="revision" value="(\d+)"', html).group(1)
    response = browser.submit(f"{page}/send-back", {"revision": revision}, page=page)
    assert response.status_code == 422
    assert "at least one comment" in response.get_data(as_text=True)
    typed = {"revision": revision, f"comment-{goals[1]}": "Make the target date earlier."}
    response = browser.submit(f"{page}/send-back", typed, page=page)
    assert response.status_code == 302
    session.rollback()
    assert session.get(GrowthPlan, plan.id).status == "draft"
    # The teacher sees the comment by the goal, changes it and asks again; the coach approves.
    as_(browser, people["teacher"])
    assert "Make the target date earlier." in browser.get(page).get_data(as_text=True)
    browser.submit(f"{page}/request-review", {}, page=page)
    as_(browser, people["coach"])
    assert browser.submit(f"{page}/approve", {}, page=page).status_code == 302
    session.rollback()
    assert session.get(GrowthPlan, plan.id).status == "active"


def test_two_coaches_approving_at_once_one_wins_and_the_other_is_told(browser, client, grow, people, build, session):
    plan = grow.plan(people["teacher"], goals=1, status="waiting_for_review", coach=people["coach"])
    second = grow.coach(None)  # coaches the whole district
    goal_id = session.scalar(select(Goal.id))
    page = f"/plans/{plan.id}"
    as_(browser, second)
    seen = re.search(r'name="revision" value="(\d+)"', browser.get(page).get_data(as_text=True)).group(1)
    as_(browser, people["coach"])
    assert browser.submit(f"{page}/approve", {"revision": seen}, page=page).status_code == 302
    as_(browser, second)
    typed = {"revision": seen, f"comment-{goal_id}": "Lovely plan."}
    response = browser.submit(f"{page}/approve", typed, page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this plan" in html and "Lovely plan." in html  # told, and nothing typed is lost
    session.rollback()
    assert session.get(GrowthPlan, plan.id).approved_by_id == people["coach"].id


def test_a_coach_who_does_not_coach_the_teacher_is_refused(browser, grow, people):
    plan = grow.plan(people["teacher"], goals=1, status="waiting_for_review", coach=people["coach"])
    as_(browser, people["other_coach"])
    assert browser.get(f"/plans/{plan.id}").status_code == 403
    response = browser.submit(f"/plans/{plan.id}/approve", {}, page="/coaching/plans")
    assert response.status_code == 403


def test_who_may_open_a_plan(browser, client, grow, people):
    plan = grow.plan(people["teacher"], goals=1)
    url = f"/plans/{plan.id}"
    assert client.get(url).status_code == 302  # a visitor: to sign in
    for who, status in (("teacher", 200), ("coach", 200), ("colleague", 403), ("other_coach", 403), ("admin", 403)):
        as_(browser, people[who])
        assert browser.get(url).status_code == status, who
    assert browser.get("/plans/999999").status_code == 404
    assert browser.get("/plans/99999999999999999999").status_code == 404


def test_check_ins_wait_for_approval_then_draw_the_chart(browser, grow, people, session, clock):
    plan = grow.plan(people["teacher"], goals=1, status="waiting_for_review", coach=people["coach"])
    goal_id = session.scalar(select(Goal.id))
    as_(browser, people["teacher"])
    url = f"/goals/{goal_id}/check-ins/new"
    response = browser.submit(url, {"checked_on": "2026-08-30", "value": "55", "reflection": "Going well."})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "once your coach has approved the plan" in html and "Going well." in html
    as_(browser, people["coach"])
    browser.submit(f"/plans/{plan.id}/approve", {}, page=f"/plans/{plan.id}")
    as_(browser, people["teacher"])
    response = browser.submit(url, {"checked_on": "2026-08-30", "value": "not a number", "reflection": "Going well."})
    assert response.status_code == 422 and "Going well." in response.get_data(as_text=True)
    response = browser.submit(url, {"checked_on": "2026-08-30", "value": "55%", "reflection": "Going well."})
    assert response.status_code == 302
    html = browser.get(f"/goals/{goal_id}").get_data(as_text=True)
    assert f'src="/goals/{goal_id}/chart.svg"' in html and "55%" in html and "Going well." in html
    chart = browser.get(f"/goals/{goal_id}/chart.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml" and b"<svg" in chart.data


def test_a_check_in_with_a_file_and_who_may_download_it(browser, client, grow, people, session):
    from tests.builders import pdf_bytes

    grow.plan(people["teacher"], goals=1, status="active", coach=people["coach"])
    goal_id = session.scalar(select(Goal.id))
    as_(browser, people["teacher"])
    url = f"/goals/{goal_id}/check-ins/new"
    response = browser.upload(url, {"checked_on": "2026-08-30", "value": "60"}, {"files": ("tickets.pdf", pdf_bytes())})
    assert response.status_code == 302, response.get_data(as_text=True)
    session.rollback()
    check_in = session.scalar(select(CheckIn))
    assert [f.filename for f in check_in.files] == ["tickets.pdf"]
    download = f"/goals/{goal_id}/check-ins/{check_in.id}/files/{check_in.files[0].id}"
    assert browser.get(download).data.startswith(b"%PDF")
    as_(browser, people["coach"])
    assert browser.get(download).status_code == 200
    as_(browser, people["colleague"])  # the goal is shared with the school, its numbers are not
    assert browser.get(download).status_code == 404
    assert browser.get(f"/goals/{goal_id}").status_code == 200
    assert browser.get(f"/goals/{goal_id}/chart.svg").status_code == 404
    browser.logout()
    assert client.get(download).status_code == 302


def test_a_file_that_is_not_evidence_is_refused_and_the_check_in_is_not_saved(browser, grow, people, session):
    grow.plan(people["teacher"], goals=1, status="active", coach=people["coach"])
    goal_id = session.scalar(select(Goal.id))
    as_(browser, people["teacher"])
    url = f"/goals/{goal_id}/check-ins/new"
    response = browser.upload(
        url, {"checked_on": "2026-08-30", "value": "60", "reflection": "Kept?"}, {"files": ("run.exe", b"MZ" * 100)}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "run.exe" in html and "Kept?" in html
    session.rollback()
    assert session.scalar(select(CheckIn)) is None


def test_the_goal_page_shows_each_viewer_what_the_teacher_shares(browser, client, grow, people, session):
    grow.plan(people["teacher"], goals=1, status="active", coach=people["coach"])
    goal = session.scalar(select(Goal))
    url = f"/goals/{goal.id}"
    as_(browser, people["colleague"])
    html = browser.get(url).get_data(as_text=True)
    assert "Goal number 1." in html and "chart.svg" not in html and "Comments and steps" not in html
    as_(browser, people["other_coach"])  # at another school: a school goal does not reach them
    assert browser.get(url).status_code == 404
    as_(browser, people["coach"])
    html = browser.get(url).get_data(as_text=True)
    assert "chart.svg" in html and "Comments and steps" in html and "Approved" in html
    browser.logout()
    assert client.get(url).status_code == 302


def test_a_comment_on_the_thread(browser, grow, people, session):
    grow.plan(people["teacher"], goals=1, status="active", coach=people["coach"])
    goal_id = session.scalar(select(Goal.id))
    as_(browser, people["coach"])
    response = browser.submit(f"/goals/{goal_id}/comments", {"body": ""}, page=f"/goals/{goal_id}")
    assert response.status_code == 422 and "Write the comment first." in response.get_data(as_text=True)
    response = browser.submit(f"/goals/{goal_id}/comments", {"body": "Try *cold calls*."}, page=f"/goals/{goal_id}")
    assert response.status_code == 302
    session.rollback()
    assert session.scalar(select(GoalComment.body).where(GoalComment.kind == "comment")) == "Try *cold calls*."
    as_(browser, people["colleague"])
    response = browser.submit(f"/goals/{goal_id}/comments", {"body": "Me too"}, page=f"/goals/{goal_id}")
    assert response.status_code == 403


def test_actions_are_added_with_their_live_state_and_removed(browser, grow, people, session):
    plan = grow.plan(people["teacher"], goals=1)
    slug = grow.catalog()
    goal_id = session.scalar(select(Goal.id))
    as_(browser, people["teacher"])
    page = f"/plans/{plan.id}"
    response = browser.submit(f"/goals/{goal_id}/actions", {"kind": "activity", "description": ""}, page=page)
    assert response.status_code == 422 and "Say what the activity" in response.get_data(as_text=True)
    assert (
        browser.submit(f"/goals/{goal_id}/actions", {"kind": "microcredential", "slug": slug}, page=page).status_code
        == 302
    )
    html = browser.get(page).get_data(as_text=True)
    assert "Checking for understanding with exit tickets" in html and "Not started" in html
    session.rollback()
    action_id = session.scalar(select(GoalAction.id))
    assert browser.submit(f"/goals/{goal_id}/actions/{action_id}/remove", {}, page=page).status_code == 302
    session.rollback()
    assert session.scalar(select(GoalAction.id)) is None


def test_sharing_can_change_whatever_the_status(browser, grow, people, session):
    plan = grow.plan(people["teacher"], goals=1, status="in_review", coach=people["coach"])
    goal_id = session.scalar(select(Goal.id))
    as_(browser, people["teacher"])
    data = {"visibility": "public", "share_progress": "yes"}
    assert browser.submit(f"/goals/{goal_id}/sharing", data, page=f"/plans/{plan.id}").status_code == 302
    session.rollback()
    goal = session.get(Goal, goal_id)
    assert (goal.visibility, goal.share_progress) == ("public", True)
    response = browser.submit(f"/goals/{goal_id}/sharing", {"visibility": "nobody"}, page=f"/plans/{plan.id}")
    assert response.status_code == 422


def test_completing_needs_an_end_value_and_reflection_per_goal(browser, grow, people, session):
    plan = grow.plan(people["teacher"], goals=1, status="active", coach=people["coach"])
    goal_id = session.scalar(select(Goal.id))
    as_(browser, people["teacher"])
    url = f"/plans/{plan.id}/complete"
    response = browser.submit(url, {f"end_value-{goal_id}": "70", f"reflection-{goal_id}": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "final reflection" in html and 'value="70"' in html
    response = browser.submit(url, {f"end_value-{goal_id}": "70", f"reflection-{goal_id}": "It worked."})
    assert response.status_code == 302
    session.rollback()
    assert session.get(GrowthPlan, plan.id).status == "complete"
    assert browser.get(url).status_code == 409


def test_the_coach_queue_lists_waiting_plans_first(browser, grow, people, build):
    grow.plan(people["teacher"], goals=1, status="active", coach=people["coach"])
    grow.plan(people["colleague"], goals=1, status="waiting_for_review", coach=people["coach"])
    as_(browser, people["coach"])
    html = browser.get("/coaching/plans").get_data(as_text=True)
    assert html.index("Waiting for a review (1)") < html.index("Under way (1)")
    as_(browser, people["other_coach"])
    assert "None of the teachers you coach" in browser.get("/coaching/plans").get_data(as_text=True)
    as_(browser, people["teacher"])
    assert browser.get("/coaching/plans").status_code == 403


def test_odd_ids_and_values_never_give_a_500(browser, grow, people):
    plan = grow.plan(people["teacher"], goals=1)
    as_(browser, people["teacher"])
    for url in ("/goals/0", "/goals/99999999999", "/goals/abc", "/goals/1/chart.svg", "/goals/999/check-ins/new",
                "/goals/999/check-ins/1/files/1", f"/plans/{plan.id}/goals/new?idea=999999999999999"):  # fmt: skip
        assert browser.get(url).status_code < 500, url
    page = f"/plans/{plan.id}"
    for data in ({"revision": "9" * 40}, {"comment-99999999999999": "x"}, {"note": "x" * 100_000}):
        assert browser.submit(f"{page}/request-review", data, page=page).status_code < 500


def test_the_plan_and_goal_pages_take_as_many_queries_with_three_goals_and_many_check_ins(
    browser, grow, people, session, count_queries
):
    from credentials.domain.plans import checkins
    from credentials.storage.database import transaction
    from credentials.storage.models import User

    def counted(url):
        with count_queries() as statements:
            assert browser.get(url).status_code == 200
        return len(statements)

    small = grow.plan(people["colleague"], goals=1, status="active", coach=people["coach"])
    big = grow.plan(people["teacher"], goals=3, status="active", coach=people["coach"])
    services = grow.services
    with transaction(services.session_factory) as s:
        teacher, colleague = s.get(User, people["teacher"].id), s.get(User, people["colleague"].id)
        goal = s.get(GrowthPlan, small.id).goals[0]
        checkins.add_check_in(s, goal.id, colleague, checked_on="2026-08-02", value=50, now=services.clock())
        for goal in s.get(GrowthPlan, big.id).goals:
            for day in range(1, 15):
                checkins.add_check_in(s, goal.id, teacher, checked_on=f"2026-08-{day:02d}", value=50 + day,
                                      now=services.clock())  # fmt: skip
    small_goal = session.scalar(select(Goal.id).where(Goal.plan_id == small.id))
    big_goal = session.scalar(select(Goal.id).where(Goal.plan_id == big.id))
    as_(browser, people["coach"])
    assert counted(f"/plans/{small.id}") == counted(f"/plans/{big.id}")
    assert counted(f"/goals/{small_goal}") == counted(f"/goals/{big_goal}")


def test_every_plan_page_for_every_role(browser, client, grow, people, session):
    """The teacher, a colleague, their coach, a coach of another school, an admin and a visitor, on each GET page."""
    from tests.builders import pdf_bytes

    plan = grow.plan(people["teacher"], goals=1, status="active", coach=people["coach"])
    goal_id = session.scalar(select(Goal.id))
    as_(browser, people["teacher"])
    browser.upload(f"/goals/{goal_id}/check-ins/new", {"checked_on": "2026-08-30", "value": "60"},
                   {"files": ("t.pdf", pdf_bytes())})  # fmt: skip
    session.rollback()
    check_in = session.scalar(select(CheckIn))
    file_url = f"/goals/{goal_id}/check-ins/{check_in.id}/files/{check_in.files[0].id}"
    expected = {
        # url: teacher, colleague (school goal, numbers private), coach, other coach, admin
        "/my/plan": (302, 200, 403, 403, 403),  # the colleague has no plan yet: the page to start one
        f"/plans/{plan.id}": (200, 403, 200, 403, 403),
        f"/plans/{plan.id}/goals/new": (200, 403, 403, 403, 403),
        f"/goals/{goal_id}/edit": (200, 403, 403, 403, 403),
        f"/plans/{plan.id}/complete": (200, 403, 200, 403, 403),
        f"/goals/{goal_id}": (200, 200, 200, 404, 404),
        f"/goals/{goal_id}/chart.svg": (200, 404, 200, 404, 404),
        f"/goals/{goal_id}/check-ins/new": (200, 403, 403, 404, 404),
        file_url: (200, 404, 200, 404, 404),
        "/coaching/plans": (403, 403, 200, 200, 403),
    }
    for n, who in enumerate(("teacher", "colleague", "coach", "other_coach", "admin")):
        as_(browser, people[who])
        got = {url: browser.get(url).status_code for url in expected}
        assert got == {url: statuses[n] for url, statuses in expected.items()}, who
    browser.client.delete_cookie("microcred")
    for url in expected:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_the_coach_queue_takes_as_many_queries_with_one_plan_as_with_many(browser, build, grow, people, count_queries):
    grow.plan(people["teacher"], goals=1, status="waiting_for_review", coach=people["coach"])
    as_(browser, people["coach"])
    with count_queries() as few:
        assert browser.get("/coaching/plans").status_code == 200
    with build.services.session_factory() as s:
        from credentials.storage.models import User

        school = s.get(User, people["teacher"].id).school
    for n in range(4):
        teacher = build.user("teacher", school=school, name=f"Teacher {n}")
        grow.plan(teacher, goals=2, status=("active", "in_review")[n % 2], coach=people["coach"])
    with count_queries() as many:
        html = browser.get("/coaching/plans").get_data(as_text=True)
    assert "Teacher 3" in html and len(many) == len(few)


def test_a_public_goal_is_open_to_visitors_and_its_numbers_only_when_shared(browser, client, grow, people, session):
    grow.plan(people["teacher"], goals=1, status="active", coach=people["coach"])
    goal_id = session.scalar(select(Goal.id))
    as_(browser, people["teacher"])
    browser.submit(f"/goals/{goal_id}/sharing", {"visibility": "public"}, page=f"/goals/{goal_id}")
    browser.client.delete_cookie("microcred")
    html = client.get(f"/goals/{goal_id}").get_data(as_text=True)
    assert "Goal number 1." in html and "chart.svg" not in html and "Comments and steps" not in html
    assert client.get(f"/goals/{goal_id}/chart.svg").status_code == 302
    as_(browser, people["teacher"])
    browser.submit(
        f"/goals/{goal_id}/sharing", {"visibility": "public", "share_progress": "yes"}, page=f"/goals/{goal_id}"
    )
    browser.client.delete_cookie("microcred")
    assert "chart.svg" in client.get(f"/goals/{goal_id}").get_data(as_text=True)
    assert client.get(f"/goals/{goal_id}/chart.svg").status_code == 200


def test_a_check_in_file_larger_than_the_sites_2_mb_form_limit_is_kept(browser, grow, people, session):
    grow.plan(people["teacher"], goals=1, status="active", coach=people["coach"])
    goal_id = session.scalar(select(Goal.id))
    as_(browser, people["teacher"])
    scan = pdf_bytes("A scanned page. " * 200_000)  # over 3 MB: more than an ordinary form may carry
    response = browser.upload(f"/goals/{goal_id}/check-ins/new", {"checked_on": "2026-08-30", "value": "60"},
                              {"files": ("scan.pdf", scan)})  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    session.rollback()
    assert [f.size for f in session.scalars(select(CheckIn)).one().files] == [len(scan)]


def test_a_check_in_larger_than_its_files_may_be_is_refused_with_a_sentence(settings, clock, database, build, grow):
    small = settings.with_overrides(max_upload_bytes=1024 * 1024)
    application = create_app(small)
    application.extensions["microcred"].clock = clock
    browser = Browser(application.test_client())
    teacher, coach = grow.teacher_and_coach()
    grow.plan(teacher, goals=1, status="active", coach=coach)
    with application.extensions["microcred"].session_factory() as session:
        goal_id = session.scalar(select(Goal.id))
    browser.login(teacher.email)
    big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024)  # more than three 1 MB files and the text
    response = browser.upload(f"/goals/{goal_id}/check-ins/new", {"checked_on": "2026-08-30", "value": "60"},
                              {"files": ("big.pdf", big)})  # fmt: skip
    assert response.status_code == 413
    assert "the check-in was not saved" in response.get_data(as_text=True)
    application.extensions["microcred"].engine.dispose()
