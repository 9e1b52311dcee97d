"""Signing out ends the session on the server: every copy of the cookie dies with it, on every device."""

from sqlalchemy import select

from credentials.storage.models import AuditEvent, User

from ..builders import PASSWORD
from ..conftest import Browser, csrf_from

COOKIE = "microcred"
NEW_PASSWORD = "a stolen cookie's password"


def copy_of_cookie(app, browser: Browser):
    """A second client holding the very cookie ``browser`` holds now (as a thief who copied it would)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, browser.client.get_cookie(COOKIE).value)
    return thief


def session_in(app, client) -> dict:
    """What the client's session cookie holds (empty when it has none)."""
    cookie = client.get_cookie(COOKIE)
    return app.session_interface.get_signing_serializer(app).loads(cookie.value) if cookie else {}


def change_password_with(client, token: str):
    return client.post(
        "/account/password",
        data={"csrf_token": token, "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )


def test_a_cookie_copied_before_signing_out_is_dead_afterwards(app, build):
    user = build.user(email="ann@riverside.example.org")
    ann = Browser(app.test_client())
    ann.login(user.email)
    thief = copy_of_cookie(app, ann)
    assert thief.get("/account/password").status_code == 200  # the copy works while Ann is signed in

    assert ann.logout().status_code == 302

    response = thief.get("/account/password")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    # The dead cookie is not refreshed: the answer replaces it with one that carries no sign-in.
    assert "_user_id" not in session_in(app, thief)


def test_the_copied_cookie_cannot_change_data_after_sign_out(app, build, session):
    user = build.user(email="ann@riverside.example.org")
    ann = Browser(app.test_client())
    ann.login(user.email)
    token = csrf_from(ann.get("/account/password").get_data(as_text=True))
    thief = copy_of_cookie(app, ann)
    ann.logout()

    response = change_password_with(thief, token)

    assert response.status_code in (302, 400)
    session.rollback()
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "user.change_password" not in actions
    ann.login(user.email, PASSWORD)


def test_signing_out_signs_out_every_device(app, build):
    build.user(email="ann@riverside.example.org")
    laptop, phone = Browser(app.test_client()), Browser(app.test_client())
    laptop.login("ann@riverside.example.org")
    phone.login("ann@riverside.example.org")

    phone.logout()

    assert laptop.get("/account/password").status_code == 302
    laptop.login("ann@riverside.example.org")  # signing in again starts a new session
    assert laptop.get("/account/password").status_code == 200


def test_sign_out_is_audited_and_needs_a_signed_in_user(app, build, session):
    user = build.user(email="ann@riverside.example.org")
    ann = Browser(app.test_client())
    ann.login(user.email)
    before = session.scalar(select(User.session_token).where(User.id == user.id))
    ann.logout()
    session.rollback()
    assert session.scalar(select(User.session_token).where(User.id == user.id)) != before
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.subject_id) == ("user.sign_out", str(user.id))
    events = len(session.scalars(select(AuditEvent)).all())
    session.rollback()
    # Signing out when already signed out changes nothing and records nothing.
    assert ann.submit("/logout", page="/login").status_code == 302
    assert len(session.scalars(select(AuditEvent)).all()) == events


def test_a_cookie_copied_before_deactivation_stays_dead_after_reactivation(app, build):
    admin = build.admin(email="admin@riverside.example.org")
    teacher = build.user(email="ann@riverside.example.org")
    ann, admin_browser = Browser(app.test_client()), Browser(app.test_client())
    ann.login(teacher.email)
    thief = copy_of_cookie(app, ann)
    admin_browser.login(admin.email)
    page = f"/admin/people/{teacher.id}"
    assert admin_browser.submit(f"{page}/deactivate", page=page).status_code == 302
    assert admin_browser.submit(f"{page}/reactivate", page=page).status_code == 302

    assert thief.get("/account/password").status_code == 302
    assert ann.get("/account/password").status_code == 302
    ann.login(teacher.email)


def test_a_page_left_open_on_another_device_keeps_its_typed_text(app, build, slug, session):
    build.user("teacher", email="maria@riverside.example.org")
    laptop, phone = Browser(app.test_client()), Browser(app.test_client())
    laptop.login("maria@riverside.example.org")
    phone.login("maria@riverside.example.org")
    url = laptop.submit(f"/microcredentials/{slug}/start", page=f"/microcredentials/{slug}").headers["Location"]
    token = csrf_from(laptop.get(url).get_data(as_text=True))

    phone.logout()
    response = laptop.client.post(url, data={"csrf_token": token, "answer-context": "Typed on the laptop."})

    # Not a bare redirect to the sign-in page, which would lose the text: the page that saves it after signing in.
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "You were signed out while you were working" in html and 'value="Typed on the laptop."' in html
