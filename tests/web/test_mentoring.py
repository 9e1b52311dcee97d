"""Mentoring pages: the "Mentors" section of a micro-credential's page, volunteering and stopping, asking a mentor,
and "My mentoring" with accept/decline; who may open what, bad input kept with a sentence, addresses shown only
after acceptance, and the same queries however many mentors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from credentials.storage.models import HelpRequest, OutboxMessage
from tests.mentoring_builders import World, mentoring_world


def volunteered(browser, who, slug, note=""):
    browser.login(who.email)
    response = browser.submit(f"/microcredentials/{slug}/mentor", {"note": note})
    assert response.status_code == 302, response.get_data(as_text=True)
    browser.logout()


@pytest.fixture
def world(build) -> World:
    return mentoring_world(build)


@pytest.fixture
def mentors(browser, world: World) -> World:
    """Mia and Ben mentor on the micro-credential; Tom is signed in."""
    volunteered(browser, world.ben, world.slug)
    volunteered(browser, world.mia, world.slug, note="Planning the evidence")
    browser.login(world.tom.email)
    return world


def test_a_visitor_is_sent_to_sign_in_everywhere(client, world):
    gets = [f"/microcredentials/{world.slug}/mentor", f"/microcredentials/{world.slug}/mentors/1/ask", "/my/mentoring"]
    posts = [*gets[:2], f"/microcredentials/{world.slug}/mentor/stop", "/my/mentoring/requests/1/accept"]
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for url in posts:  # refused before anything is read: no CSRF token (400) or no session (to sign in)
        response = client.post(url)
        assert response.status_code == 400 or "/login" in response.headers["Location"], url


def test_visitors_and_admins_see_no_mentors_section(client, admin, world):
    assert "Mentors" not in admin.get(f"/microcredentials/{world.slug}").get_data(as_text=True)
    admin.logout()
    assert 'id="mentors"' not in client.get(f"/microcredentials/{world.slug}").get_data(as_text=True)


def test_a_teacher_sees_mentors_of_their_school_first_and_asks_one(browser, mentors, services):
    html = browser.get(f"/microcredentials/{mentors.slug}").get_data(as_text=True)
    assert 'id="mentors"' in html and "Volunteer as a mentor" not in html
    assert html.index("Mia Moreno") < html.index("Ben Baker") and "(your school)" in html
    assert "Planning the evidence" in html and "mia@riverside" not in html
    ask_url = f"/microcredentials/{mentors.slug}/mentors/{mentors.mia.id}/ask"
    assert f'href="{ask_url}"' in html
    sent = browser.submit(ask_url, {"message": "Could you look at my exit tickets?"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/my/mentoring")
    with services.session_factory() as session:
        letter = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "mentoring")).one()
    assert letter.recipient == "mia@riverside.example.org" and "tom@riverside" not in letter.body_text
    html = browser.get(f"/microcredentials/{mentors.slug}").get_data(as_text=True)
    assert "waiting for an answer" in html
    again = browser.get(ask_url).get_data(as_text=True)
    assert "You already asked Mia Moreno" in again


def test_a_bad_message_is_refused_and_kept(browser, mentors):
    url = f"/microcredentials/{mentors.slug}/mentors/{mentors.mia.id}/ask"
    empty = browser.submit(url, {"message": "  "})
    assert empty.status_code == 422 and "Say what you would like help with." in empty.get_data(as_text=True)
    long = browser.submit(url, {"message": "é" * 2001})
    assert long.status_code == 422 and "é" * 2001 in long.get_data(as_text=True)
    assert "2,000 characters or fewer" in long.get_data(as_text=True)


@pytest.mark.parametrize("mentor", ["tom", "ben_stopped", "nobody", "huge"])
def test_asking_someone_who_does_not_mentor_is_not_found(browser, mentors, mentor):
    if mentor == "ben_stopped":
        browser.logout()
        browser.login(mentors.ben.email)
        browser.submit(f"/microcredentials/{mentors.slug}/mentor/stop", page=f"/microcredentials/{mentors.slug}")
        browser.logout()
        browser.login(mentors.tom.email)
    mentor_id = {"tom": mentors.tom.id, "ben_stopped": mentors.ben.id, "nobody": 999_999, "huge": 10**30}[mentor]
    assert browser.get(f"/microcredentials/{mentors.slug}/mentors/{mentor_id}/ask").status_code == 404
    assert browser.get(f"/microcredentials/nothing-here/mentors/{mentors.mia.id}/ask").status_code == 404


def test_only_holders_may_volunteer(browser, admin, world):
    assert admin.get(f"/microcredentials/{world.slug}/mentor").status_code == 403
    admin.logout()
    browser.login(world.tom.email)
    assert browser.get(f"/microcredentials/{world.slug}/mentor").status_code == 403
    assert (
        browser.submit(
            f"/microcredentials/{world.slug}/mentor", {"note": "x"}, page=f"/microcredentials/{world.slug}"
        ).status_code
        == 403
    )
    assert browser.get("/microcredentials/nothing-here/mentor").status_code == 404


def test_a_holder_volunteers_changes_the_note_and_stops(browser, world):
    browser.login(world.mia.email)
    page = f"/microcredentials/{world.slug}"
    assert "Volunteer as a mentor" in browser.get(page).get_data(as_text=True)
    too_long = browser.submit(f"{page}/mentor", {"note": "y" * 301})
    assert too_long.status_code == 422 and "300 characters or fewer" in too_long.get_data(as_text=True)
    assert browser.submit(f"{page}/mentor", {"note": "Reflections"}).status_code == 302
    html = browser.get(page).get_data(as_text=True)
    assert "You mentor on this micro-credential: “Reflections”" in html and "Stop mentoring" in html
    assert browser.submit(f"{page}/mentor/stop", page=page).status_code == 302
    assert "Volunteer as a mentor" in browser.get(page).get_data(as_text=True)


def test_the_mentor_accepts_and_both_pages_show_the_addresses(browser, mentors, services):
    browser.submit(f"/microcredentials/{mentors.slug}/mentors/{mentors.mia.id}/ask", {"message": "Help, please."})
    assert "mia@riverside" not in browser.get("/my/mentoring").get_data(as_text=True)
    browser.logout()
    browser.login(mentors.mia.email)
    html = browser.get("/my/mentoring").get_data(as_text=True)
    assert "Tom Tran asks for help" in html and "Help, please." in html and "tom@riverside" not in html
    with services.session_factory() as session:
        request_id = session.scalar(select(HelpRequest.id))
    done = browser.submit(f"/my/mentoring/requests/{request_id}/accept", page="/my/mentoring")
    assert done.status_code == 302
    assert "tom@riverside.example.org" in browser.get("/my/mentoring").get_data(as_text=True)
    browser.logout()
    browser.login(mentors.tom.email)
    assert "mia@riverside.example.org" in browser.get("/my/mentoring").get_data(as_text=True)


def test_nobody_else_answers_a_request(browser, mentors, services):
    browser.submit(f"/microcredentials/{mentors.slug}/mentors/{mentors.mia.id}/ask", {"message": "Help, please."})
    with services.session_factory() as session:
        request_id = session.scalar(select(HelpRequest.id))
    # The asker, another teacher: not found, as for a request that does not exist.
    for url in (f"/my/mentoring/requests/{request_id}/accept", "/my/mentoring/requests/999999/decline"):
        assert browser.submit(url, page="/my/mentoring").status_code == 404
    assert browser.submit(f"/my/mentoring/requests/{request_id}/maybe", page="/my/mentoring").status_code == 404


def test_the_mentors_section_runs_the_same_queries_however_many_mentors(browser, world, build, count_queries):
    browser.login(world.tom.email)
    url = f"/microcredentials/{world.slug}"
    browser.get(url)
    with count_queries() as few:
        browser.get(url)
    browser.logout()
    for n in range(4):
        mentor = build.user("teacher", school=world.elm, name=f"Mentor {n}")
        build.credential(world.slug, mentor)
        volunteered(browser, mentor, world.slug)
    browser.login(world.tom.email)
    with count_queries() as many:
        html = browser.get(url).get_data(as_text=True)
    assert "Mentor 3" in html
    assert len(many) == len(few)
