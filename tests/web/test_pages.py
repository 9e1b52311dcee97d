"""Error pages, security headers, the health check and the accessibility basics of every form page."""

from html.parser import HTMLParser

import pytest
from sqlalchemy import text


def test_404_page_is_friendly_html(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert b"Page not found" in response.data and b"Traceback" not in response.data


def test_api_callers_get_json_errors(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.json == {
        "error": {"status": 404, "title": "Page not found", "message": response.json["error"]["message"]}
    }
    response = client.get("/nothing", headers={"Accept": "application/json"})
    assert response.is_json


def test_405(client):
    response = client.delete("/login")
    assert response.status_code == 405 and b"does not accept that kind of request" in response.data
    assert {"GET", "POST"} <= set(response.headers["Allow"].split(", "))


def test_405_says_which_methods_are_allowed_in_json_too(client):
    response = client.get("/api/v1/verify")
    assert response.status_code == 405 and response.is_json
    assert "POST" in response.headers["Allow"].split(", ")
    assert response.headers["Content-Type"] == "application/json"
    response = client.get("/logout")
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert "GET" not in response.headers["Allow"] and "POST" in response.headers["Allow"]


def test_500_never_shows_the_exception(app, client, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    response = client.get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data
    assert b"hunter2" not in response.data and b"RuntimeError" not in response.data
    assert "hunter2" in caplog.text  # but it is logged for the operator


def test_a_failing_request_rolls_back_everything(app, client, build, session):
    from credentials.domain.audit import Actor
    from credentials.domain.people.organizations import create_school
    from credentials.web.transaction import db, now

    app.config["PROPAGATE_EXCEPTIONS"] = False
    build.issuer()

    @app.get("/half-done")
    def half_done():
        create_school(db(), name="Half Done School", actor=Actor.system("test"), now=now())
        raise RuntimeError("fails after the flush")

    assert client.get("/half-done").status_code == 500
    count = session.execute(text("SELECT count(*) FROM schools WHERE name = 'Half Done School'")).scalar()
    assert count == 0


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers  # only in production
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_static_files_are_served_from_the_project(client):
    response = client.get("/static/css/microcred.css")
    assert response.status_code == 200 and b"--brand" in response.data
    response.close()


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(app, client):
    from sqlalchemy import create_engine

    unreachable = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2})
    app.extensions["microcred"].session_factory.configure(bind=unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable"}


def test_welcome_page_and_start_pages(browser, build):
    assert b"Professional learning that shows what teachers can do" in browser.get("/").data
    admin = build.admin(email="admin@riverside.example.org")
    build.user("teacher")
    build.user("teacher", password=None)
    browser.login(admin.email)
    page = browser.get("/").get_data(as_text=True)
    assert "Your district" in page and "Invite someone" in page
    assert "Invited, not yet joined</dt><dd>1</dd>" in page
    browser.logout()
    build.user("teacher", email="t@riverside.example.org")
    browser.login("t@riverside.example.org")
    page = browser.get("/").get_data(as_text=True)
    assert "Your district" not in page and "People" not in page


def _main_navigation(page: str) -> str:
    start = page.index('<nav aria-label="Main"')
    return page[start : page.index("</nav>", start)]


def test_everyone_finds_verify_a_credential_and_employers_are_spoken_to(browser, build):
    home = browser.get("/").get_data(as_text=True)
    assert 'href="/verify">Verify a credential</a>' in _main_navigation(home)
    assert "Hiring? Check a teacher's credential" in home
    assert '<a class="button button-secondary" href="/verify">Check a credential</a>' in home
    verify = browser.get("/verify").get_data(as_text=True)
    assert 'href="/verify" aria-current="page">Verify a credential</a>' in verify
    build.user("teacher", email="t@riverside.example.org")
    browser.login("t@riverside.example.org")
    start = browser.get("/").get_data(as_text=True)
    assert 'href="/verify">Verify a credential</a>' in _main_navigation(start)
    assert "<summary>Menu</summary>" in start and "admin-menu" not in start  # no admin menus for a teacher


ADMIN_LINKS = {
    "Catalog": ["Manage catalog", "New micro-credential"],
    "Reviews": ["Review admin", "Conflicts of interest", "Holidays", "Inter-rater agreement"],
    "Credentials": ["Credentials", "Issue a credential"],
    "People": ["People", "Invite someone", "Schools"],
    "Plans": ["Goals boards", "Plan templates", "School years"],
    "District": ["District details", "Certificate design", "Audit trail", "Outbox"],
}


def test_the_admin_navigation_groups_every_admin_page_in_menus(browser, build):
    import re

    admin = build.admin(email="admin@riverside.example.org")
    browser.login(admin.email)
    nav = _main_navigation(browser.get("/").get_data(as_text=True))
    menus = re.findall(r'<details name="admin-menu"[^>]*>\s*<summary>([^<]+)</summary>(.*?)</details>', nav, re.S)
    assert [(name, re.findall(r">([^<]+)</a>", links)) for name, links in menus] == list(ADMIN_LINKS.items())
    assert 'href="/" aria-current="page">Home</a>' in nav
    for path, menu, link in [
        ("/admin/audit", "District", "Audit trail"),
        ("/admin/certificate", "District", "Certificate design"),
        ("/admin/schools", "People", "Schools"),
        ("/admin/school-years", "Plans", "School years"),
        ("/plan-templates", "Plans", "Plan templates"),
        ("/admin/credentials/issue", "Credentials", "Issue a credential"),
    ]:
        nav = _main_navigation(browser.get(path).get_data(as_text=True))
        current = re.findall(r'class="nav-group-current">\s*<summary>([^<]+)<', nav)
        assert current == [menu], path
        assert re.search(rf'aria-current="page">{link}</a>', nav), path
        assert nav.count('aria-current="page"') == 1, path


class FormAudit(HTMLParser):
    """Collects form controls and labels, to check that every control has an accessible name."""

    def __init__(self):
        super().__init__()
        self.controls, self.labels, self.title_h1 = [], set(), 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if (
            tag in ("input", "select", "textarea")
            and attrs.get("type") not in ("hidden", "submit")
            and "hidden" not in attrs
        ):
            self.controls.append(attrs)
        if tag == "h1":
            self.title_h1 += 1


@pytest.mark.parametrize(
    "url",
    [
        "/login",
        "/forgot-password",
        "/account/password",
        "/admin/people",
        "/admin/people/invite",
        "/admin/schools",
        "/admin/district",
        "/admin/certificate",
        "/admin/credentials",
        "/admin/credentials/issue",
        "/admin/audit",
        "/admin/outbox",
        "/",
    ],
)
def test_every_control_has_a_label_and_every_page_one_h1(browser, build, url):
    if url != "/login" and url != "/forgot-password":
        build.admin(email="admin@riverside.example.org")
        browser.login("admin@riverside.example.org")
    audit = FormAudit()
    html = browser.get(url).get_data(as_text=True)
    audit.feed(html)
    assert audit.title_h1 == 1
    assert 'lang="en"' in html and "Skip to main content" in html
    for control in audit.controls:
        assert control.get("id") in audit.labels or control.get("aria-label"), (url, control)


def test_a_missing_template_variable_is_an_error_but_a_missing_optional_key_is_empty(app):
    import jinja2
    from flask import render_template_string

    with app.test_request_context("/"):
        assert render_template_string("[{{ d.summary }}]{% if d.url %}x{% endif %}", d={}) == "[]"
        with pytest.raises(jinja2.UndefinedError):
            render_template_string("{{ misspelt_name }}")


def test_optional_attributes_are_left_out_not_printed_as_none(client):
    html = client.get("/login").get_data(as_text=True)
    assert '"None"' not in html and "=None" not in html
    assert html.count("autofocus") == 1


def test_ones_own_work_is_a_line_of_links_for_one_role_and_a_my_work_menu_for_several(browser, build):
    import re

    teacher = build.user("teacher", email="t@riverside.example.org")
    browser.login(teacher.email)
    nav = _main_navigation(browser.get("/my/plan", follow_redirects=True).get_data(as_text=True))
    assert "My work" not in nav
    assert re.findall(r">([^<]+)</a>", nav)[:6] == [
        "Home", "Micro-credentials", "My micro-credentials", "My growth plan", "My mentoring", "Goals boards",
    ]  # fmt: skip
    browser.logout()

    busy = build.user("issuer_admin", "teacher", "reviewer", email="busy@riverside.example.org")
    browser.login(busy.email)
    nav = _main_navigation(browser.get("/reviews").get_data(as_text=True))
    menu = r'<details name="admin-menu"[^>]*>\s*<summary>([^<]+?)(?:<span[^>]*>[^<]*</span>)?</summary>(.*?)</details>'
    menus = dict(re.findall(menu, nav, re.S))
    assert re.findall(r">([^<]+)</a>", menus["My work"]) == [
        "My micro-credentials",
        "My growth plan",
        "My mentoring",
        "My reviews",
    ]
    assert 'class="nav-group-current">\n                    <summary>My work' in nav  # the reviewer's queue is here
