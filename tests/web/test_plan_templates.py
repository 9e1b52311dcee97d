"""The plan-template pages: who may open them (admins and coaches; teachers and reviewers 403; visitors sign in),
writing a template with the form (bad input drawn again with a sentence per field and everything as typed, never a
500 for garbled input), changing and archiving it, applying it to a school or to chosen teachers, and a list page
whose queries do not grow with the number of templates."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from credentials.storage.models import GrowthPlan, OutboxMessage, PlanTemplate
from tests.plan_templates_builders import TemplateBuilders
from tests.plans_builders import FOCUS, PlanBuilders

PAGES = ["/plan-templates", "/plan-templates/new", "/plan-templates/{id}", "/plan-templates/{id}/edit",
         "/plan-templates/{id}/apply"]  # fmt: skip


@pytest.fixture
def grow(build) -> PlanBuilders:
    return PlanBuilders(build)


@pytest.fixture
def shape(grow) -> TemplateBuilders:
    return TemplateBuilders(grow)


@pytest.fixture
def lakeside(build):
    return build.school("Lakeside Elementary")


@pytest.fixture
def coach(grow, lakeside, browser):
    """A coach of Lakeside Elementary, signed in."""
    coach = grow.coach(lakeside, name="Grace Kim", email="grace.kim@riverside.example.org")
    browser.login(coach.email)
    return coach


def typed(**overrides) -> dict:
    """The template form filled in as a coach would: one goal with a micro-credential and an activity."""
    values = {
        "title": "Checking for understanding",
        "description": "For **every** grade.",
        "goals-1-statement": "More students show mastery at the end of each lesson.",
        "goals-1-focus": [FOCUS],
        "goals-1-measure_what": "Exit-ticket mastery",
        "goals-1-measure_unit": "%",
        "goals-1-how_measured": "Weekly exit tickets",
        "goals-1-actions-1-kind": "microcredential",
        "goals-1-actions-1-slug": "exit-tickets",
        "goals-1-actions-2-kind": "activity",
        "goals-1-actions-2-description": "Watch a colleague's exit-ticket routine.",
    }
    return {**values, **overrides}


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_visitors_sign_in_and_teachers_and_reviewers_are_refused(grow, shape, build, client, browser):
    coach = grow.coach()
    template = shape.template(coach)
    for page in PAGES:
        response = client.get(page.format(id=template.id))
        assert response.status_code == 302 and "/login" in response.headers["Location"], page
    for role in ("teacher", "reviewer"):
        person = build.user(role, school=build.school())
        browser.login(person.email)
        for page in PAGES:
            assert browser.get(page.format(id=template.id)).status_code == 403, (role, page)
        assert client.post(f"/plan-templates/{template.id}/archive").status_code in (400, 403)
        browser.logout()


def test_admins_and_coaches_open_every_page(grow, shape, build, browser):
    coach = grow.coach(name="Grace Kim")
    template = shape.template(coach)
    for person in (coach, build.admin()):
        browser.login(person.email)
        for page in PAGES:
            assert browser.get(page.format(id=template.id)).status_code == 200, page
            if "{id}" in page:
                assert browser.get(page.format(id=999_999)).status_code == 404, page
        browser.logout()
    assert browser.get("/plan-templates/999999").status_code == 302  # signed out: sign in first


def test_a_coach_writes_a_template_and_sees_it(grow, coach, browser, session):
    grow.catalog()
    form = text_of(browser.get("/plan-templates/new"))
    assert 'name="goals-3-statement"' in form and 'name="goals-1-actions-3-kind"' in form
    assert "formative assessment" in form and "Checking for understanding with exit tickets" in form
    response = browser.submit("/plan-templates/new", typed())
    assert response.status_code == 302
    page = text_of(browser.get(response.headers["Location"]))
    assert "The template “Checking for understanding” is saved" in page
    assert "<strong>every</strong>" in page  # the description is Markdown
    assert "Goal 1" in page and "formative assessment" in page
    assert "Checking for understanding with exit tickets" in page and "Watch a colleague's exit-ticket routine." in page
    assert "Written by" in page and "Grace Kim" in page
    listing = text_of(browser.get("/plan-templates"))
    assert "Checking for understanding" in listing and "Grace Kim" in listing


def test_bad_input_is_drawn_again_with_a_sentence_per_field_and_nothing_lost(grow, coach, browser, session):
    grow.catalog()
    response = browser.submit(
        "/plan-templates/new",
        typed(**{
            "title": "",
            "goals-1-focus": ["tag:knitting"],
            "goals-1-actions-1-slug": "no-such-thing",
            "goals-2-statement": "A second goal without a focus",
            "goals-2-actions-1-kind": "collaboration",
        }),
    )  # fmt: skip
    assert response.status_code == 422
    page = text_of(response)
    assert "Give the template a title" in page
    assert "Goal 1: Choose the focus from the catalog; “knitting” is not in it." in page
    assert "Goal 1, action 1: Choose a micro-credential from the catalog." in page
    assert "Goal 2: Choose at least one competency or tag" in page
    assert "Goal 2, action 1: Say what the activity or collaboration is." in page
    assert "A second goal without a focus" in page and "Watch a colleague's exit-ticket routine." in page
    assert 'id="goals-1-actions-1-slug" name="goals-1-actions-1-slug" aria-describedby' in page
    session.rollback()
    assert session.scalar(select(func.count()).select_from(PlanTemplate)) == 0


@pytest.mark.parametrize(
    "garbled",
    [
        {"goals-1-focus": ["\x00", "x" * 10_000]},
        {"title": "T\x00itle", "goals-1-statement": "\x00" * 3},
        {"goals-1-actions-1-kind": "microcredential", "goals-1-actions-1-slug": ["a", "b"]},
        {"goals-1-actions-10-kind": "activity", "goals-1-actions-10-description": "far row", "goals-9-statement": "x"},
        {"goals-1-actions-1-kind": "💥" * 500, "description": "y" * 100_000},
    ],
)
def test_garbled_input_never_makes_a_500(grow, coach, browser, garbled):
    grow.catalog()
    response = browser.submit("/plan-templates/new", typed(**garbled))
    assert response.status_code in (302, 422)


def test_only_an_admin_or_the_author_changes_or_archives_it(grow, shape, coach, build, browser, session):
    other = grow.coach(name="Omar Reyes")
    theirs = shape.template(other, title="Omar's template")
    assert browser.get(f"/plan-templates/{theirs.id}/edit").status_code == 403
    assert (
        browser.submit(f"/plan-templates/{theirs.id}/archive", page=f"/plan-templates/{theirs.id}").status_code == 403
    )
    page = text_of(browser.get(f"/plan-templates/{theirs.id}"))
    assert "Apply to a school or teachers" in page and "Change the template" not in page

    mine = shape.template(coach)
    form = text_of(browser.get(f"/plan-templates/{mine.id}/edit"))
    assert "Template goal 1." in form and 'value="exit-tickets" selected' in form
    response = browser.submit(f"/plan-templates/{mine.id}/edit", typed(title="Fractions first"))
    assert response.status_code == 302
    response = browser.submit(f"/plan-templates/{mine.id}/archive", page=f"/plan-templates/{mine.id}")
    assert response.status_code == 302
    listing = text_of(browser.get("/plan-templates"))
    assert "“Fractions first” is archived" in listing and "Archived" in listing
    session.rollback()
    assert session.get(PlanTemplate, mine.id).archived_at is not None
    assert "archived" in text_of(browser.get(f"/plan-templates/{mine.id}/apply"))
    response = browser.submit(f"/plan-templates/{mine.id}/apply", {"target": "school", "school": "1"},
                              page=f"/plan-templates/{theirs.id}/apply")  # fmt: skip
    assert response.status_code == 409


def test_a_coach_applies_a_template_to_their_school(grow, shape, coach, lakeside, build, browser, session):
    grow.school_year()
    ana = build.user("teacher", school=lakeside, name="Ana Diaz")
    ben = build.user("teacher", school=lakeside, name="Ben Cho")
    grow.plan(ben)
    elsewhere = build.user("teacher", school=build.school(), name="Cy Elsewhere")
    template = shape.template(coach)
    form = text_of(browser.get(f"/plan-templates/{template.id}/apply"))
    assert "Ana Diaz" in form and "No plan yet: one will be started" in form
    assert "Draft plan: the template's goals will show as ideas" in form
    assert "Cy Elsewhere" not in form
    response = browser.submit(f"/plan-templates/{template.id}/apply", {"target": "school", "school": lakeside.id})
    assert response.status_code == 302
    page = text_of(browser.get(response.headers["Location"]))
    assert "Started 1 plan; added the template's goal ideas to 1 plan teachers had started." in page
    session.rollback()
    plans = {p.teacher_id: p.template_id for p in session.scalars(select(GrowthPlan))}
    assert plans == {ana.id: template.id, ben.id: template.id}
    assert elsewhere.id not in plans
    sent = set(session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.kind == "growth_plan")))
    assert sent == {ana.email, ben.email}


def test_a_coach_applies_to_chosen_teachers_and_is_refused_for_others(grow, shape, coach, lakeside, build, browser):
    grow.school_year()
    ana = build.user("teacher", school=lakeside, name="Ana Diaz")
    elsewhere = build.user("teacher", school=build.school(), name="Cy Elsewhere")
    template = shape.template(coach)
    url = f"/plan-templates/{template.id}/apply"
    assert browser.submit(url, {"target": "teachers", "teachers": [ana.id, elsewhere.id]}).status_code == 403
    assert browser.submit(url, {"target": "school", "school": elsewhere.school_id}).status_code == 403
    for garbled in ({"target": "teachers", "teachers": ["x", "99999999999999999999"]}, {"target": "school",
                    "school": "🏫"}, {"target": "nonsense"}, {}):  # fmt: skip
        response = browser.submit(url, garbled)
        assert response.status_code == 422, garbled
        assert "Choose" in text_of(response)
    response = browser.submit(url, {"target": "teachers", "teachers": [ana.id]})
    assert response.status_code == 302
    assert "Started 1 plan." in text_of(browser.get(response.headers["Location"]))


def test_the_list_page_queries_do_not_grow_with_the_templates(grow, shape, coach, browser, count_queries):
    shape.template(coach)

    def queries() -> int:
        with count_queries() as statements:
            assert browser.get("/plan-templates").status_code == 200
        return len(statements)

    one = queries()
    for n in range(5):
        shape.template(grow.coach(), title=f"Template {n}", goals=2)
    assert queries() == one


def test_the_apply_page_queries_do_not_grow_with_the_teachers(grow, shape, coach, lakeside, build, browser,
                                                               count_queries):  # fmt: skip
    grow.school_year()
    template = shape.template(coach)
    build.user("teacher", school=lakeside)

    def queries() -> int:
        with count_queries() as statements:
            assert browser.get(f"/plan-templates/{template.id}/apply").status_code == 200
        return len(statements)

    one = queries()
    for _ in range(4):
        grow.plan(build.user("teacher", school=lakeside))
    assert queries() == one
