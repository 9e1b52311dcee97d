"""Coaches on the People pages: invited as coaches, described in plain words, assigned by an admin to schools or
the whole district (and unassigned) from their page, told on their start page where they coach."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from credentials.domain.audit import Actor
from credentials.domain.people import coaching
from credentials.domain.people.organizations import set_school_active
from credentials.storage.models import AuditEvent, CoachAssignment, OutboxMessage, User

COACH_WORDS = b"Reviews the growth plans of teachers at their schools"


@pytest.fixture
def admin(browser, build):
    admin = build.admin(email="admin@riverside.example.org", name="Dana Admin")
    browser.login(admin.email)
    return admin


def assign(services, coach, school=None):
    with services.session_factory() as session, session.begin():
        return coaching.assign_coach(
            session, coach.id, school.id if school else None, actor=Actor.system("test"), now=services.clock()
        ).id


def assignments(session, coach) -> set:
    session.rollback()
    return set(session.scalars(select(CoachAssignment.school_id).where(CoachAssignment.coach_id == coach.id)))


def test_the_invitation_form_describes_the_coach_role_and_a_coach_is_sent_to_choose_where(admin, browser, session):
    form = browser.get("/admin/people/invite").data
    assert b'value="coach"' in form and COACH_WORDS in form
    assert b'aria-describedby="roles-3-hint"' in form  # the words are tied to the Coach box

    office = session.scalar(select(User.school_id))
    response = browser.submit(
        "/admin/people/invite",
        {"email": "denise@riverside.example.org", "name": "Denise Carter", "roles": ["coach"], "school": office},
    )

    assert response.status_code == 302 and response.headers["Location"].endswith("#coaching")
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Now choose where Denise Carter coaches" in page
    assert "Not assigned yet: Denise Carter coaches nobody" in page
    session.rollback()
    mail = session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "denise@riverside.example.org"))
    words = " ".join(mail.body_text.split())
    assert "Your role: coach (you review the growth plans of the teachers at the schools you coach" in words


def test_an_admin_assigns_a_coach_to_schools_and_the_district_and_ends_an_assignment(admin, browser, build, session):
    oak, pine = build.school("Oak Valley Middle School"), build.school("Pine High School")
    coach = build.user("coach", name="Denise Carter")
    page = f"/admin/people/{coach.id}"

    response = browser.submit(f"{page}/coaching", {"school": str(oak.id)}, page=page)
    assert response.status_code == 302
    html = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Denise Carter now coaches teachers at Oak Valley Middle School." in html
    assert browser.submit(f"{page}/coaching", {"school": "district"}, page=page).status_code == 302
    assert "Denise Carter now coaches teachers across the whole district." in browser.get(page).get_data(as_text=True)
    assert assignments(session, coach) == {oak.id, None}

    html = browser.get(page).get_data(as_text=True)
    assert '<dt>Coaches</dt><dd><a href="#coaching">The whole district</a></dd>' in html  # the scope, at the top
    assert "Oak Valley Middle School" in html
    assert '<option value="district"' not in html and f'<option value="{pine.id}"' in html  # only what is left
    oak_row = session.scalar(select(CoachAssignment.id).where(CoachAssignment.school_id == oak.id))
    response = browser.submit(f"{page}/coaching/{oak_row}/end", page=page)
    assert response.status_code == 302
    assert "Denise Carter no longer coaches teachers at Oak Valley Middle School." in browser.get(page).get_data(
        as_text=True
    )
    assert assignments(session, coach) == {None}
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("coach.%")).order_by(AuditEvent.id)
    )
    assert list(actions) == ["coach.assign", "coach.assign", "coach.unassign"]
    trail = " ".join(re.sub(r"<[^>]+>", "", browser.get("/admin/audit").get_data(as_text=True)).split())
    assert "Dana Admin assigned Denise Carter to coach at Oak Valley Middle School" in trail
    assert "Dana Admin assigned Denise Carter to coach the whole district" in trail
    assert "Dana Admin ended Denise Carter&#39;s coaching at Oak Valley Middle School" in trail


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "Choose a school or the whole district."),
        ("", "Choose a school or the whole district."),
        ("99999999999999999999", "Choose a school or the whole district."),
        ("999", "Choose one of the district&#39;s open schools."),
        ("oak", "Denise Carter already coaches Oak Valley Middle School."),
        ("closed", "Choose one of the district&#39;s open schools."),
    ],
)
def test_a_bad_assignment_is_explained_at_the_top_and_saves_nothing(
    admin, browser, build, session, services, value, message
):
    oak, closed = build.school("Oak Valley Middle School"), build.school("Closed School")
    with services.session_factory() as s, s.begin():
        set_school_active(s, closed.id, active=False, actor=Actor.system("test"), now=services.clock())
    coach = build.user("coach", name="Denise Carter")
    assign(services, coach, oak)
    value = {"oak": str(oak.id), "closed": str(closed.id)}.get(value, value)
    page = f"/admin/people/{coach.id}"

    response = browser.submit(f"{page}/coaching", {"school": value}, page=page)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert f'<a href="#coaching-school">Assign to: {message}</a>' in summary
    assert html.index("error-summary") < html.index("Roles and school")  # at the top of the page
    assert 'id="coaching-school"' in html
    assert f'<form method="post" action="{page}" novalidate>' in html  # the roles form still saves to the person
    assert 'name="name" required type="text" value="Denise Carter"' in html  # and still shows the account
    assert assignments(session, coach) == {oak.id}


def test_only_coaches_are_assigned_and_another_coachs_assignment_cannot_be_ended_through_a_person(
    admin, browser, build, session, services
):
    teacher = build.user("teacher", name="Tess Teacher")
    response = browser.submit(f"/admin/people/{teacher.id}/coaching", {"school": "district"}, page="/admin/people")
    assert response.status_code == 422 and "Tess Teacher is not a coach" in response.get_data(as_text=True)

    one, two = build.user("coach", name="Coach One"), build.user("coach", name="Coach Two")
    row = assign(services, two)
    response = browser.submit(f"/admin/people/{one.id}/coaching/{row}/end", page="/admin/people")
    assert response.status_code == 404
    assert assignments(session, two) == {None}
    assert (
        browser.submit("/admin/people/99999/coaching", {"school": "district"}, page="/admin/people").status_code == 404
    )
    assert browser.submit(f"/admin/people/{two.id}/coaching/99999/end", page="/admin/people").status_code == 404


def test_a_former_coach_keeps_their_assignments_on_view_with_a_note(admin, browser, build, services):
    coach = build.user("coach", "teacher", name="Denise Carter")
    assign(services, coach)
    page = f"/admin/people/{coach.id}"
    response = browser.submit(page, {"name": "Denise Carter", "roles": ["teacher"], "school": str(coach.school_id)})
    assert response.status_code == 302
    html = browser.get(page).get_data(as_text=True)
    assert "no longer holds the Coach role, so these assignments have no effect" in html
    assert "The whole district" in html and 'action="/admin/people/' + str(coach.id) + '/coaching"' not in html


def test_giving_someone_the_coach_role_sends_the_admin_to_choose_where(admin, browser, build):
    teacher = build.user("teacher", name="Tess Teacher")
    page = f"/admin/people/{teacher.id}"
    response = browser.submit(
        page, {"name": "Tess Teacher", "roles": ["teacher", "coach"], "school": teacher.school_id}
    )
    assert response.headers["Location"].endswith("#coaching")
    assert "Now choose where Tess Teacher coaches" in browser.get(page).get_data(as_text=True)


def test_the_people_list_filters_coaches_and_says_what_each_role_means(admin, browser, build):
    build.user("coach", name="Denise Carter")
    build.user("teacher", name="Tess Teacher")
    response = browser.get("/admin/people?role=coach")
    assert b"Denise Carter" in response.data and b"Tess Teacher" not in response.data
    assert b'<option value="coach" selected>Coach</option>' in response.data
    assert b"<dt>Coach</dt>" in response.data and COACH_WORDS in response.data


def test_the_start_page_says_where_a_coach_coaches(browser, build, services):
    oak, pine = build.school("Oak Valley Middle School"), build.school("Pine High School")
    coach = build.user("coach", name="Denise Carter", email="denise@riverside.example.org")
    browser.login(coach.email)
    assert "You are not assigned to a school yet" in browser.get("/").get_data(as_text=True)
    assign(services, coach, oak)
    assert "You coach teachers at Oak Valley Middle School." in browser.get("/").get_data(as_text=True)
    assign(services, coach, pine)
    page = browser.get("/").get_data(as_text=True)
    assert "You coach teachers at Oak Valley Middle School and Pine High School." in page
    assign(services, coach)
    assert "You coach teachers across the whole district." in browser.get("/").get_data(as_text=True)


def test_the_admin_start_page_counts_coaches(admin, browser, build):
    build.user("coach")
    page = browser.get("/").get_data(as_text=True)
    assert "<dt>Coaches</dt><dd>1</dd>" in page and "Coachs" not in page


@pytest.mark.parametrize("role", ["teacher", "reviewer", "coach"])
def test_only_admins_change_where_coaches_coach(browser, build, services, session, role):
    coach = build.user("coach", name="Denise Carter")
    row = assign(services, coach)
    someone = build.user(role, email=f"{role}@riverside.example.org")
    browser.login(someone.email)
    for url in (f"/admin/people/{coach.id}/coaching", f"/admin/people/{coach.id}/coaching/{row}/end"):
        assert browser.submit(url, {"school": "district"}, page="/").status_code == 403, url
    assert browser.get(f"/admin/people/{coach.id}").status_code == 403
    assert browser.get("/admin/people").status_code == 403
    assert assignments(session, coach) == {None}


def test_a_visitor_is_sent_to_sign_in(browser, build, services, session):
    coach = build.user("coach")
    row = assign(services, coach)
    for url in (f"/admin/people/{coach.id}/coaching", f"/admin/people/{coach.id}/coaching/{row}/end"):
        response = browser.submit(url, {"school": "district"}, page="/login")
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert session.scalar(select(func.count()).select_from(CoachAssignment)) == 1


def test_a_coach_is_refused_every_admin_page(app, browser, build, services):
    coach = build.user("coach", "teacher", email="coach@riverside.example.org")
    assign(services, coach)
    browser.login(coach.email)
    pages = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin") and "GET" in rule.methods and not rule.arguments
    ]
    assert len(pages) >= 10, pages
    assert [path for path in pages if browser.get(path).status_code != 403] == []
    assert browser.get(f"/admin/people/{coach.id}").status_code == 403
