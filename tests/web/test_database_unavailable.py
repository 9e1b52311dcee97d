"""A database that cannot be reached gives a 503 with a sentence (HTML or JSON), never the 500 page or its internals.

The app's sessions are pointed at a PostgreSQL port where nothing listens, as when the server is down or restarting
(``tests/faults/test_database_restart.py`` restarts a real one under load).
"""

from __future__ import annotations

from credentials.storage.database import create_database_engine
from tests.smtp import closed_port

SENTENCE = b"could not reach its database"


def database_goes_away(app, services) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    unreachable = create_database_engine(f"postgresql://127.0.0.1:{closed_port()}/microcred")
    services.session_factory.configure(bind=unreachable)


def test_a_signed_in_teacher_gets_503_with_a_sentence(app, services, browser, build, caplog):
    teacher = build.user("teacher")
    browser.login(teacher.email)
    browser.get("/")  # the welcome note is shown
    database_goes_away(app, services)

    response = browser.get("/my/microcredentials")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    page = response.data
    assert SENTENCE in page and b"Please try again shortly" in page
    assert b"OperationalError" not in page and b"psycopg" not in page and b"Traceback" not in page
    # The page cannot read the account, so it is drawn as for a visitor; the teacher is not signed out.
    assert teacher.name.encode() not in page and b"Sign in" in page
    assert "OperationalError" in caplog.text  # logged for the operator

    services.session_factory.configure(bind=services.engine)  # the database is back
    response = browser.get("/my/microcredentials")
    assert response.status_code == 200 and teacher.name.encode() in response.data


def test_api_callers_and_form_posts_get_json_and_503(app, services, client):
    database_goes_away(app, services)

    response = client.get("/microcredentials", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.json["error"]["status"] == 503
    assert "could not reach its database" in response.json["error"]["message"]

    assert client.get("/microcredentials").status_code == 503


def test_a_database_lost_while_the_page_is_drawn_is_a_503_not_half_a_page(app, services, client):
    # /verify's form asks the database for nothing but the district in its header: losing the database there is the
    # same 503, never a page drawn on a broken transaction (which then fails as a 500 on its next query).
    database_goes_away(app, services)
    response = client.get("/verify")
    assert response.status_code == 503 and SENTENCE in response.data


def test_an_error_page_is_drawn_with_the_defaults_when_the_database_is_gone(app, services, client):
    database_goes_away(app, services)
    response = client.get("/no-such-page")
    assert response.status_code == 404 and b"Page not found" in response.data and b"microcred" in response.data
