import re

import pytest
from sqlalchemy import func, select

from credentials.storage.models import AuditEvent, FailedLogin, OutboxMessage, User

from ..builders import PASSWORD
from ..conftest import Browser, csrf_from

GENERIC_FAILURE = b"That e-mail address and password do not match an active account."


def test_sign_in_and_out(browser, build):
    build.user(email="ann@riverside.example.org", name="Ann Lee")
    response = browser.login("ann@riverside.example.org")
    assert response.headers["Location"] == "/"
    assert b"Welcome, Ann Lee" in browser.get("/").data
    response = browser.logout()
    assert response.status_code == 302
    assert browser.get("/account/password").status_code == 302


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(browser, build, client):
    build.user(email="ann@riverside.example.org")
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login?next=%2Faccount%2Fpassword" in response.headers["Location"]
    page = client.get("/login?next=/account/password").get_data(as_text=True)
    ok = client.post(
        "/login?next=/account/password",
        data={"email": "ann@riverside.example.org", "password": "correct horse battery", "csrf_token": csrf_from(page)},
    )
    assert ok.headers["Location"] == "/account/password"
    browser.logout()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        page = client.get("/login").get_data(as_text=True)
        response = client.post(
            f"/login?next={target}",
            data={
                "email": "ann@riverside.example.org",
                "password": "correct horse battery",
                "csrf_token": csrf_from(page),
            },
        )
        assert response.headers["Location"] == "/", target
        browser.logout()


CONTROL_CHARACTERS = ["/account/password%0d%0aSet-Cookie:%20x=1", "/%0a", "/%0d", "/%09/evil.example", "/%00", "/%7f"]


@pytest.mark.parametrize("target", CONTROL_CHARACTERS)
def test_a_next_with_control_characters_is_ignored(client, build, target):
    build.user(email="ann@riverside.example.org")
    page = client.get(f"/login?next={target}")
    assert page.status_code == 200
    form = {"email": "ann@riverside.example.org", "password": PASSWORD, "csrf_token": csrf_from(page.text)}
    response = client.post(f"/login?next={target}", data=form)
    # Signed in, and sent home: a tab would let a browser read "/\t/evil.example" as "//evil.example".
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Set-Cookie: x" not in str(response.headers)
    signed_in = client.get(f"/login?next={target}")
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"


def test_wrong_password_and_unknown_account_get_the_same_answer(browser, build, session):
    build.user(email="ann@riverside.example.org")
    wrong = browser.submit("/login", {"email": "ann@riverside.example.org", "password": "nope nope nope"})
    unknown = browser.submit("/login", {"email": "who@riverside.example.org", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert GENERIC_FAILURE in wrong.data and GENERIC_FAILURE in unknown.data
    # The request rolled back, but the failures were counted in a transaction of their own.
    assert session.scalar(select(func.count()).select_from(FailedLogin)) == 2


def test_throttled_after_ten_failures_with_a_clear_message(browser, build):
    build.user(email="ann@riverside.example.org")
    for _ in range(10):
        assert browser.submit("/login", {"email": "ann@riverside.example.org", "password": "x" * 12}).status_code == 401
    response = browser.submit("/login", {"email": "ann@riverside.example.org", "password": "correct horse battery"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert b"Too many failed sign-in attempts" in response.data
    assert b"try again in 15 minutes" in response.data


def test_form_without_csrf_token_is_refused_and_changes_nothing(client, build, session):
    build.user(email="ann@riverside.example.org")
    response = client.post("/login", data={"email": "ann@riverside.example.org", "password": "correct horse battery"})
    assert response.status_code == 400
    assert b"did not come from this site" in response.data
    assert session.scalar(select(User.last_login_at).where(User.email == "ann@riverside.example.org")) is None


def test_logout_needs_a_post(browser, build):
    build.user(email="ann@riverside.example.org")
    browser.login("ann@riverside.example.org")
    assert browser.get("/logout").status_code == 405
    assert browser.get("/account/password").status_code == 200


def test_missing_fields_are_reported_beside_the_fields(browser):
    response = browser.submit("/login", {"email": "", "password": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert "Enter your e-mail address." in html and "Enter your password." in html


def test_changing_the_password_signs_out_other_devices(app, build):
    build.user(email="ann@riverside.example.org")
    laptop, phone = Browser(app.test_client()), Browser(app.test_client())
    laptop.login("ann@riverside.example.org")
    phone.login("ann@riverside.example.org")
    response = laptop.submit(
        "/account/password",
        {
            "current_password": "correct horse battery",
            "new_password": "a different passphrase",
            "confirm": "a different passphrase",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/account/password").status_code == 200
    assert phone.get("/account/password").status_code == 302


def test_change_password_errors(browser, build):
    build.user(email="ann@riverside.example.org")
    browser.login("ann@riverside.example.org")
    response = browser.submit(
        "/account/password",
        {
            "current_password": "wrong wrong wrong",
            "new_password": "a different passphrase",
            "confirm": "a different passphrase",
        },
    )
    assert response.status_code == 422 and b"That is not your current password." in response.data
    response = browser.submit(
        "/account/password",
        {"current_password": "correct horse battery", "new_password": "a different passphrase", "confirm": "typo"},
    )
    assert response.status_code == 422 and b"The two passwords differ." in response.data


def reset_link(session) -> str:
    body = session.scalars(select(OutboxMessage.body_text).order_by(OutboxMessage.id.desc())).first()
    return re.search(r"https://microcred\.test(/reset-password/\S+)", body).group(1)


def test_forgot_password_answers_the_same_for_any_address(browser, build, session):
    build.user(email="ann@riverside.example.org")
    known = browser.submit("/forgot-password", {"email": "ann@riverside.example.org"}, follow_redirects=True)
    unknown = browser.submit("/forgot-password", {"email": "who@riverside.example.org"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    strip = re.compile(rb'name="csrf_token"[^>]*>')
    assert strip.sub(b"", known.data) == strip.sub(b"", unknown.data)
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_reset_password_through_the_emailed_link(browser, build, session, clock):
    build.user(email="ann@riverside.example.org")
    browser.submit("/forgot-password", {"email": "ann@riverside.example.org"})
    link = reset_link(session)
    page = browser.get(link)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    response = browser.submit(link, {"password": "a whole new passphrase", "confirm": "a whole new passphrase"})
    assert response.status_code == 302
    assert b"Your new password is set" in browser.get("/").data
    browser.logout()
    reused = browser.get(link)
    assert reused.status_code == 400 and b"already been used" in reused.data
    browser.login("ann@riverside.example.org", "a whole new passphrase")


def test_a_reset_link_sent_before_a_password_change_no_longer_works(browser, build, session):
    build.user(email="ann@riverside.example.org")
    browser.submit("/forgot-password", {"email": "ann@riverside.example.org"})
    link = reset_link(session)
    session.rollback()
    browser.login("ann@riverside.example.org")
    changed = browser.submit(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a newer passphrase", "confirm": "a newer passphrase"},
    )
    assert changed.status_code == 302
    browser.logout()
    response = browser.submit(
        link, {"password": "the intruder's choice", "confirm": "the intruder's choice"}, page="/login"
    )
    assert response.status_code == 400 and b"the password was changed since it was sent" in response.data
    browser.login("ann@riverside.example.org", "a newer passphrase")


def test_an_expired_reset_link_says_so(browser, build, session, clock):
    build.user(email="ann@riverside.example.org")
    browser.submit("/forgot-password", {"email": "ann@riverside.example.org"})
    link = reset_link(session)
    clock.advance(hours=2)
    response = browser.get(link)
    assert response.status_code == 400 and b"has expired. Request a new one." in response.data


def test_accepting_an_invitation_in_the_browser(app, build, session):
    admin = build.admin(email="admin@riverside.example.org")
    admin_browser = Browser(app.test_client())
    admin_browser.login(admin.email)
    school = build.school("Lake School")
    response = admin_browser.submit(
        "/admin/people/invite",
        {
            "email": "newbie@riverside.example.org",
            "name": "Nina Newbie",
            "roles": ["teacher"],
            "school": str(school.id),
        },
    )
    assert response.status_code == 302
    body = session.scalars(select(OutboxMessage.body_text)).one()
    link = re.search(r"https://microcred\.test(/invitation/\S+)", body).group(1)
    newbie = Browser(app.test_client())
    assert b"Welcome, Nina Newbie" in newbie.get(link).data
    response = newbie.submit(link, {"password": "nina's classroom 2026", "confirm": "nina's classroom 2026"})
    assert response.status_code == 302
    assert b"Lake School" in newbie.get("/").data
    session.rollback()  # end the snapshot the first read opened (SQLite keeps one per transaction)
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert "user.invite" in actions and actions[-1] == "user.accept_invitation"


def test_a_deactivated_person_is_signed_out_at_once(app, build):
    admin = build.admin(email="admin@riverside.example.org")
    teacher = build.user(email="ann@riverside.example.org")
    ann, admin_browser = Browser(app.test_client()), Browser(app.test_client())
    ann.login(teacher.email)
    admin_browser.login(admin.email)
    response = admin_browser.submit(f"/admin/people/{teacher.id}/deactivate", page=f"/admin/people/{teacher.id}")
    assert response.status_code == 302
    assert ann.get("/account/password").status_code == 302
    response = ann.submit("/login", {"email": teacher.email, "password": "correct horse battery"})
    assert response.status_code == 401


def test_anonymous_visitors_reach_no_signed_in_page(client, build):
    user = build.user()
    for url in (
        "/account/password",
        "/admin/people",
        "/admin/people/invite",
        f"/admin/people/{user.id}",
        "/admin/schools",
        "/admin/district",
        "/admin/audit",
        "/admin/audit/export.csv",
        "/admin/outbox",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url


def test_teachers_and_reviewers_cannot_reach_admin_pages(browser, build):
    build.user("teacher", "reviewer", email="ann@riverside.example.org")
    browser.login("ann@riverside.example.org")
    for url in (
        "/admin/people",
        "/admin/people/invite",
        "/admin/schools",
        "/admin/district",
        "/admin/audit",
        "/admin/outbox",
    ):
        response = browser.get(url)
        assert response.status_code == 403, url
        assert b"does not have access" in response.data
