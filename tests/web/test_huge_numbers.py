"""No number in an address or a ``?page=`` can make the database overflow: such requests get a 404 or a page."""

import re

import pytest
from werkzeug.routing import IntegerConverter, UUIDConverter

from ..conftest import Browser, csrf_from

# The largest INTEGER PostgreSQL holds, one past it, and SQLite's and Python's usual overflow points.
HUGE = (2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, 10**30)
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def int_rules(app):
    """Every URL rule with at least one integer argument."""
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(converter, IntegerConverter) for converter in rule._converters.values())
    ]


def url_for_rule(rule, number: int, *, slug: str, credential_uuid: str) -> str:
    """The rule's path with every integer argument set to ``number`` and other arguments to existing values."""

    def value(match: re.Match) -> str:
        converter = rule._converters[match.group(1)]
        if isinstance(converter, IntegerConverter):
            return str(number)
        if isinstance(converter, UUIDConverter):
            return credential_uuid
        if match.group(1) == "change":
            return "close"
        return slug

    return ARGUMENT.sub(value, rule.rule)


@pytest.fixture
def everyone(app, build, slug):
    """A browser signed in as someone holding every role, so each guarded view is reached."""
    build.user("issuer_admin", "teacher", "reviewer", email="all.roles@riverside.example.org")
    browser = Browser(app.test_client())
    browser.login("all.roles@riverside.example.org")
    return browser


def test_every_integer_argument_of_every_route_is_bounded(app, client, everyone, build, slug):
    credential_uuid = str(build.credential(slug, share=True).uuid)
    token = csrf_from(everyone.get("/account/password").get_data(as_text=True))
    rules = int_rules(app)
    assert len(rules) >= 20  # the walk really covers the routes (a renamed converter would empty it)
    failures = []
    for rule in rules:
        for number in HUGE:
            url = url_for_rule(rule, number, slug=slug, credential_uuid=credential_uuid)
            answers = []
            if "GET" in rule.methods:
                answers += [("GET anonymous", client.get(url)), ("GET signed in", everyone.get(url))]
            if "POST" in rule.methods:
                answers.append(("POST signed in", everyone.client.post(url, data={"csrf_token": token})))
            failures += [f"{how} {url}: {r.status_code}" for how, r in answers if r.status_code >= 500]
            if number > 2**31 - 1:
                # Refused by routing, before any view runs. Werkzeug checks the method before the converter, so a
                # path that another method's rule would have matched answers 405 (as /attempts/<id> does).
                failures += [f"{how} {url}: {r.status_code}" for how, r in answers if r.status_code not in (404, 405)]
    assert failures == []


def test_an_address_number_past_the_bound_is_a_404_on_public_routes(client):
    for url in (f"/status/{2**63}", f"/status/{2**64}", f"/status/{2**31}"):
        response = client.get(url)
        assert response.status_code == 404 and b"Page not found" in response.data, url


@pytest.mark.parametrize("page", [str(2**31), str(2**63), str(2**64), "9" * 40, "-5", "two", "1e9", ""])
def test_a_huge_or_malformed_page_number_never_fails(everyone, page):
    for rule in ("/admin/people", "/admin/audit", "/admin/outbox", "/admin/credentials", "/microcredentials"):
        response = everyone.get(f"{rule}?page={page}")
        assert response.status_code == 200, (rule, page)


def test_page_number_is_clamped(app):
    from credentials.web.forms import MAX_PAGE, page_number

    for raw, expected in (("3", 3), ("0", 1), ("-2", 1), ("x", 1), (str(2**63), MAX_PAGE), ("9" * 5000, MAX_PAGE)):
        with app.test_request_context(f"/admin/people?page={raw}"):
            assert page_number() == expected, raw


@pytest.mark.parametrize("number", [str(2**31), str(2**63), str(2**64), "9" * 40, "-1", "x"])
def test_numbers_in_query_and_form_values_never_reach_the_database_unbounded(everyone, slug, number):
    """Integer query and form values outside the route converters: the school filter, a version comparison and an
    attempt's revision."""
    assert everyone.get(f"/admin/people?school={number}").status_code == 200
    compare = everyone.get(f"/admin/microcredentials/{slug}/compare?from={number}&to=1")
    assert compare.status_code in (400, 404), compare.status_code
    attempt = everyone.submit(f"/microcredentials/{slug}/start", page=f"/microcredentials/{slug}")
    page = everyone.get(attempt.headers["Location"]).get_data(as_text=True)
    saved = everyone.client.post(
        attempt.headers["Location"], data={"csrf_token": csrf_from(page), "revision": number, "action": "save"}
    )
    assert saved.status_code < 500, saved.status_code


def test_whole_number_reads_only_what_fits_an_integer_column():
    from credentials.web.forms import LARGEST_INTEGER, whole_number

    for raw, expected in (("7", 7), (" 12 ", 12), ("0", 0), (str(LARGEST_INTEGER), LARGEST_INTEGER)):
        assert whole_number(raw) == expected, raw
    for raw in (None, "", "-1", "1.5", "٣", str(LARGEST_INTEGER + 1), str(2**64), "9" * 5000):
        assert whole_number(raw) is None, raw
