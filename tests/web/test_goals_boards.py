"""The goals boards and "what you teach" pages: who may open them, what they show, filters and paging from the address
(garbled values never fail), the same queries however many goals, and an admin saying what a person teaches."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from credentials.storage.database import transaction
from credentials.storage.models import AuditEvent, Goal, User
from tests.plans_builders import PlanBuilders

PASSWORD = "correct horse battery"


@pytest.fixture
def grow(build) -> PlanBuilders:
    return PlanBuilders(build)


@pytest.fixture
def school(build):
    return build.school("Cedar Elementary")


@pytest.fixture
def colleague(build, browser, school):
    """A teacher at Cedar Elementary, signed in."""
    build.user("teacher", school=school, email="vera@riverside.example.org", name="Vera Viewer")
    browser.login("vera@riverside.example.org")
    return browser


def declare(services, grow, build, school, name, *, visibility="school", share=False, statement=None):
    teacher = build.user("teacher", school=school, name=name)
    coach = grow.coach(school)
    plan = grow.plan(teacher, status="active", coach=coach)
    values = {"visibility": visibility, "share_progress": share}
    if statement:
        values["statement"] = statement
    with transaction(services.session_factory) as session:
        session.execute(update(Goal).where(Goal.plan_id == plan.id).values(**values))
        return session.scalar(select(Goal.id).where(Goal.plan_id == plan.id))


def test_a_visitor_is_sent_to_sign_in(client, build, school):
    for url in ("/goals", f"/schools/{school.id}/goals", "/my/teaching"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_the_school_board_lists_declared_goals_with_links_and_hides_the_private(
    services, grow, build, school, colleague
):
    goal_id = declare(services, grow, build, school, "Ana Ortiz", statement="Ana's goal: **fractions** mastery.")
    declare(services, grow, build, school, "Pat Private", visibility="private")
    page = colleague.get(f"/schools/{school.id}/goals")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Cedar Elementary goals board" in html
    assert "Ana Ortiz" in html and f'href="/goals/{goal_id}"' in html
    assert "Ana&#39;s goal: fractions mastery." in html  # Markdown as plain words on the board
    assert "Pat Private" not in html
    assert "formative assessment" in html and "2026–27" in html
    assert "Measure" not in html  # numbers private unless shared


def test_shared_numbers_show_baseline_and_target(services, grow, build, school, colleague):
    declare(services, grow, build, school, "Sue Sharer", share=True)
    html = colleague.get("/goals").get_data(as_text=True)
    assert "From 48% to 75%" in html and "None yet" in html
    assert "Goals under 1 focus. A goal with more than one focus is listed under each." in html


def test_an_empty_board_invites_the_teacher_to_declare_a_goal(grow, colleague, school):
    grow.school_year()
    html = colleague.get("/goals").get_data(as_text=True)
    assert "No goals have been declared here yet" in html and 'href="/my/plan"' in html


def test_without_a_school_year_the_board_says_so(colleague):
    html = colleague.get("/goals").get_data(as_text=True)
    assert "has not set up this school year" in html


@pytest.mark.parametrize(
    "query",
    [
        "focus=tag%3Anothing",
        "grade_band=99-100",
        "subject=%00%ff",
        "school=abc",
        f"school={2**64}",
        "school=-3",
        "page=-1",
        f"page={2**63}",
        "focus=" + "x" * 5000,
        "focus=%27%3B+drop+table+goals%3B--",
    ],
)
def test_garbled_filters_are_never_a_failure(services, grow, build, school, colleague, query):
    declare(services, grow, build, school, "Ana Ortiz")
    for url in (f"/goals?{query}", f"/schools/{school.id}/goals?{query}"):
        response = colleague.get(url)
        assert response.status_code == 200, url
        assert "Ana Ortiz" in response.get_data(as_text=True), url


def test_a_left_out_filter_is_said(services, grow, build, school, colleague):
    declare(services, grow, build, school, "Ana Ortiz")
    html = colleague.get("/goals?grade_band=99-100&school=abc").get_data(as_text=True)
    assert "That grade band is not one of the list" in html
    assert "That school is not one of the district" in html


def test_filters_from_the_address_and_a_match_nobody(services, grow, build, school, colleague):
    declare(services, grow, build, school, "Ana Ortiz")
    html = colleague.get("/goals?focus=tag%3Aformative+assessment").get_data(as_text=True)
    assert "Ana Ortiz" in html and "1 goal with this focus" in html
    html = colleague.get("/goals?subject=math").get_data(as_text=True)
    assert "No declared goals match these filters" in html


def test_an_unknown_school_board_is_not_found(colleague):
    assert colleague.get("/schools/987654/goals").status_code == 404


def test_paging_keeps_the_filters(services, grow, build, school, colleague, monkeypatch):
    from credentials.domain.plans import goals_board

    monkeypatch.setattr(goals_board, "PER_PAGE", 2)
    for n in range(3):
        declare(services, grow, build, school, f"Teacher {n}")
    html = colleague.get("/goals?focus=tag%3Aformative+assessment").get_data(as_text=True)
    assert "page 1 of 2" in html
    assert 'href="/goals?focus=tag:formative+assessment&amp;page=2" rel="next"' in html
    second = colleague.get("/goals?focus=tag%3Aformative+assessment&page=2").get_data(as_text=True)
    assert "Teacher 2" in second and "(continued)" in second


def test_the_board_runs_the_same_queries_for_few_or_many_goals(services, grow, build, school, colleague, count_queries):
    declare(services, grow, build, school, "First Teacher", share=True)
    colleague.get("/goals")
    with count_queries() as few:
        assert colleague.get("/goals").status_code == 200
    other = build.school("Oak Middle")
    for n in range(6):
        declare(services, grow, build, school if n % 2 else other, f"Teacher {n}", visibility="district", share=True)
    with count_queries() as many:
        html = colleague.get("/goals").get_data(as_text=True)
    assert "Teacher 5" in html
    assert len(many) == len(few)


def test_a_teacher_says_what_they_teach(services, colleague):
    page = colleague.get("/my/teaching")
    assert page.status_code == 200 and "Grade band" in page.get_data(as_text=True)
    saved = colleague.submit("/my/teaching", {"grade_band": "3-5", "subject": "math"})
    assert saved.status_code == 302
    with services.session_factory() as session:
        vera = session.scalar(select(User).where(User.email == "vera@riverside.example.org"))
        assert (vera.grade_band, vera.subject) == ("3-5", "math")
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.set_teaching"))
        assert event.summary["words"] == "Grades 3 to 5, Mathematics"
    html = colleague.get("/my/teaching").get_data(as_text=True)
    assert '<option selected value="3-5">' in html or 'value="3-5" selected' in html


def test_a_forged_value_is_refused_with_a_sentence_and_nothing_saved(services, colleague):
    refused = colleague.submit("/my/teaching", {"grade_band": "kindergarten", "subject": "math"})
    assert refused.status_code == 422
    assert "Choose one of the grade bands listed" in refused.get_data(as_text=True)
    with services.session_factory() as session:
        vera = session.scalar(select(User).where(User.email == "vera@riverside.example.org"))
        assert (vera.grade_band, vera.subject) == (None, None)


def test_an_admin_says_what_a_person_teaches_on_their_page(services, admin, build, school):
    person = build.user("teacher", school=school, name="Tom Teacher")
    page = admin.get(f"/admin/people/{person.id}")
    assert "What they teach" in page.get_data(as_text=True)
    saved = admin.submit(
        f"/admin/people/{person.id}/teaching",
        {"grade_band": "9-12", "subject": "science"},
        page=f"/admin/people/{person.id}",
    )
    assert saved.status_code == 302
    with services.session_factory() as session:
        tom = session.get(User, person.id)
        assert (tom.grade_band, tom.subject) == ("9-12", "science")
    events = admin.get(f"/admin/audit?subject_type=user&subject_id={person.id}").get_data(as_text=True)
    assert "said what" in events and "Tom Teacher" in events and "Grades 9 to 12, Science" in events
    refused = admin.submit(
        f"/admin/people/{person.id}/teaching", {"subject": "potions"}, page=f"/admin/people/{person.id}"
    )
    assert refused.status_code == 422 and "Choose one of the subjects listed" in refused.get_data(as_text=True)


def test_a_teacher_may_not_set_what_someone_else_teaches(services, build, school, colleague):
    person = build.user("teacher", school=school)
    response = colleague.submit(f"/admin/people/{person.id}/teaching", {"grade_band": "3-5"}, page="/my/teaching")
    assert response.status_code == 403
    with services.session_factory() as session:
        assert session.get(User, person.id).grade_band is None
