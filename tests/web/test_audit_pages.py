"""Issuer admins browse, filter and export the audit trail; nobody else can."""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import UTC, datetime
from html import unescape

import pytest

from credentials.domain import audit
from credentials.domain.audit import Actor
from credentials.storage.database import transaction


def record(services, *, actor, action, subject_type="school", subject_id=1, summary=None, now):
    with transaction(services.session_factory) as session:
        return audit.record_event(
            session,
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            summary=summary or {},
            now=now,
        ).seq


def trail(services):
    """Events on three days by two people, after the ones the builders wrote; returns their seqs by name."""
    grace = Actor(id=None, label="grace.kim@riverside.example.org")
    tom = Actor(id=None, label="tom.becker@riverside.example.org")
    return {
        "rename": record(
            services,
            actor=grace,
            action="school.rename",
            summary={"name": "Oak Valley Middle"},
            now=datetime(2026, 9, 2, 8, 0, tzinfo=UTC),
        ),
        "close": record(
            services, actor=grace, action="school.close", subject_id=2, now=datetime(2026, 9, 3, 23, 59, tzinfo=UTC)
        ),
        "password": record(
            services,
            actor=tom,
            action="user.change_password",
            subject_type="user",
            subject_id=44,
            now=datetime(2026, 9, 4, 0, 0, tzinfo=UTC),
        ),
    }


def listed_seqs(response) -> list[int]:
    """The event numbers in the table, in page order."""
    body = response.get_data(as_text=True)
    tbody = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [int(n) for n in re.findall(r"<tr>\s*<td class=\"audit-seq\">(\d+)</td>", tbody)]


def test_admin_sees_the_trail_newest_first(admin, services):
    seqs = trail(services)

    page = admin.get("/admin/audit")

    assert page.status_code == 200
    shown = listed_seqs(page)
    assert shown[:3] == [seqs["password"], seqs["close"], seqs["rename"]]
    assert shown == sorted(shown, reverse=True) and shown[-1] == 1
    html = page.get_data(as_text=True)
    assert f"{len(shown)} events." in html
    assert "grace.kim@riverside.example.org" in html
    assert "September 2, 2026, 3:00 AM CDT" in html  # 08:00 UTC, in the district's zone (Chicago)
    assert "Oak Valley Middle" in html
    # Every recorded action is offered in the filter.
    for action in ("school.rename", "school.close", "user.change_password", "user.create"):
        assert f'<option value="{action}"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=school.close", ["close"]),
        ("actor=grace.kim", ["close", "rename"]),
        ("actor=TOM.BECKER", ["password"]),
        ("subject_type=user&subject_id=44", ["password"]),
        ("since=2026-09-03", ["password", "close"]),
        # Days are the district's (Chicago): "password", at midnight UTC on 4 September, was still 3 September there.
        # The "to" date is included, to its last second; "earlier" are the builders' events of 1 September.
        ("until=2026-09-03", ["password", "close", "rename", "earlier"]),
        ("since=2026-09-02&until=2026-09-03", ["password", "close", "rename"]),
        ("since=2026-09-04", []),
        ("action=school.rename&actor=tom", []),
    ],
)
def test_admin_filters_the_trail(admin, services, query, expected):
    seqs = trail(services)
    earlier = list(range(seqs["rename"] - 1, 0, -1))

    page = admin.get(f"/admin/audit?{query}")

    assert page.status_code == 200
    assert listed_seqs(page) == [seq for name in expected for seq in (earlier if name == "earlier" else [seqs[name]])]
    if not expected:
        assert "No events match these filters." in page.get_data(as_text=True)


def test_the_filter_form_keeps_what_was_asked(admin, services):
    trail(services)
    html = admin.get("/admin/audit?action=school.close&actor=grace&since=2026-09-01").get_data(as_text=True)
    assert '<option value="school.close" selected>' in html
    assert 'name="actor" value="grace"' in html
    assert 'name="since" type="date" value="2026-09-01"' in html
    # The export link carries the same filters.
    assert re.search(r'href="/admin/audit/export\.csv\?[^"]*action=school\.close', html)


def test_a_malformed_date_is_ignored(admin, services):
    trail(services)
    everything = listed_seqs(admin.get("/admin/audit"))
    assert listed_seqs(admin.get("/admin/audit?since=yesterday&until=2026-13-45")) == everything


def test_the_trail_is_paged(admin, services, clock):
    actor = Actor(id=None, label="grace.kim@riverside.example.org")
    for n in range(60):
        record(services, actor=actor, action="test.bulk", subject_id=n, now=clock.now)

    first = admin.get("/admin/audit?action=test.bulk")
    second = admin.get("/admin/audit?action=test.bulk&page=2")

    assert len(listed_seqs(first)) == 50 and len(listed_seqs(second)) == 10
    assert set(listed_seqs(first)).isdisjoint(listed_seqs(second))
    assert "Page 1 of 2" in first.get_data(as_text=True)
    assert "page=2" in first.get_data(as_text=True) and "action=test.bulk" in first.get_data(as_text=True)
    assert "Page 2 of 2" in second.get_data(as_text=True)


def test_event_text_is_escaped(admin, services, clock):
    record(
        services,
        actor=Actor(id=None, label="<b>mallory</b>@example.org"),
        action="school.rename",
        summary={"name": "<script>alert(1)</script>"},
        now=clock.now,
    )
    html = admin.get("/admin/audit").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<b>mallory" not in html
    assert "&lt;b&gt;mallory&lt;/b&gt;@example.org" in html


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_admin_exports_the_trail_as_csv(admin, services):
    seqs = trail(services)

    with admin.get("/admin/audit/export.csv") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"] == "attachment; filename=microcred-audit-20260901-140000.csv"
        rows = read_csv(response)

    # The raw columns as before, then the event in words.
    assert tuple(rows[0]) == (*audit.CSV_COLUMNS, "description")
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [int(r["seq"]) for r in body] == list(range(1, seqs["password"] + 1))  # every event, oldest first
    rename = body[seqs["rename"] - 1]
    assert rename["actor_label"] == "grace.kim@riverside.example.org"
    assert rename["action"] == "school.rename"
    assert rename["occurred_at"] == "2026-09-02T08:00:00+00:00"
    assert rename["summary"] == '{"name": "Oak Valley Middle"}'
    assert rename["description"].startswith("grace.kim@riverside.example.org renamed the school ")
    assert body[0]["previous_sha256"] == "0" * 64
    assert all(b["previous_sha256"] == a["sha256"] for a, b in itertools.pairwise(body))


def test_the_export_applies_the_filters(admin, services):
    seqs = trail(services)
    with admin.get("/admin/audit/export.csv?actor=grace&since=2026-09-03") as response:
        rows = read_csv(response)
    assert [row[0] for row in rows[1:]] == [str(seqs["close"])]


def test_the_export_guards_against_formulas(admin, services, clock):
    record(services, actor=Actor(id=None, label="=cmd|'/c calc'!A1"), action="school.rename", now=clock.now)
    with admin.get("/admin/audit/export.csv?action=school.rename") as response:
        [_header, row] = read_csv(response)
    assert row[3] == "'=cmd|'/c calc'!A1"


@pytest.mark.parametrize("url", ["/admin/audit", "/admin/audit/export.csv"])
def test_a_teacher_may_not_see_the_trail(browser, build, url):
    build.user("teacher", email="maria.lopez@riverside.example.org")
    browser.login("maria.lopez@riverside.example.org")
    response = browser.get(url)
    assert response.status_code == 403
    assert "text/csv" not in response.content_type


@pytest.mark.parametrize("url", ["/admin/audit", "/admin/audit/export.csv"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_the_list_page_runs_a_bounded_number_of_queries(admin, services, clock, count_queries):
    actor = Actor(id=None, label="grace.kim@riverside.example.org")

    def queries_for_page() -> int:
        with count_queries() as statements:
            assert admin.get("/admin/audit").status_code == 200
        return len(statements)

    few = queries_for_page()
    for n in range(80):
        record(services, actor=actor, action=f"test.kind{n % 7}", subject_id=n, now=clock.now)
    many = queries_for_page()

    assert many == few
    assert many <= 8  # sign-in (2), count, page, actions, the district, and the names the page mentions (1)


def test_names_cost_one_query_however_many_kinds_of_thing_a_page_names(admin, build, services, clock, count_queries):
    """People, attempts, credentials, micro-credentials and schools: all named in one query, for 1 or 40 of each."""

    def queries_for_page() -> tuple[int, str]:
        with count_queries() as statements:
            response = admin.get("/admin/audit")
        assert response.status_code == 200
        return len(statements), response.get_data(as_text=True)

    build.credential()
    few, _html = queries_for_page()
    for _ in range(4):
        build.credential(build.published(definition_doc()))
    many, html = queries_for_page()

    assert many == few <= 8
    assert html.count('href="/admin/people/') > 10 and html.count('href="/admin/reviews/attempts/') > 10


def definition_doc():
    from tests.builders import definition

    definition_doc.n = getattr(definition_doc, "n", 0) + 1
    return definition(slug=f"exit-tickets-{definition_doc.n}", title=f"Exit tickets {definition_doc.n}")


def test_each_event_reads_as_a_sentence_with_links_and_the_raw_record_under_details(admin, build, services):
    teacher = build.user("teacher", email="maria.lopez@riverside.example.org", name="Maria Lopez")
    credential = build.credential(None, teacher)

    html = admin.get("/admin/audit").get_data(as_text=True)

    title = "Checking for understanding with exit tickets"
    assert (
        f'Automatic issuing issued <a href="/admin/credentials/{credential.uuid}">Maria Lopez&#39;s credential for '
        f'{title}</a> after the review of <a href="/admin/reviews/attempts/{credential.attempt_id}">'
        f"attempt #{credential.attempt_id}</a>" in html
    )
    assert f'<a href="/admin/people/{teacher.id}">Maria Lopez</a> started <a href="/admin/reviews/attempts/' in html
    assert f'<a href="/admin/microcredentials/exit-tickets">{title}</a>' in html
    # The raw record is kept, folded away, whole and wrapped.
    details = re.findall(r'<details class="audit-details">(.*?)</details>', html, re.S)
    assert len(details) == len(listed_seqs(admin.get("/admin/audit")))
    assert "<code>credential.issued</code>" in html
    assert re.search(r'<pre class="audit-raw">\{\n  "attempt": \d+,\n  "key": "ed25519-', unescape(html))
    assert '<code class="summary">' not in html
