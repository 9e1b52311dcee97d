"""The issuer admin's start page: the work waiting in review, this month's decisions and credentials (the month in
the district's time zone), each a link to the page that lists them, in a fixed number of queries."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from credentials.domain.people.start_page import month_bounds
from tests.builders import definition


def figures(page: str) -> dict[str, tuple[str, str]]:
    """Each figure of the start page: its label -> (number, link)."""
    found = re.findall(
        r'<a href="([^"]+)">\s*<span class="admin-figure-number">(\d+)</span>\s*'
        r'<span class="admin-figure-label">([^<]+)</span>',
        page,
    )
    return {label: (number, html.unescape(link)) for link, number, label in found}


def district(build, clock) -> None:
    """Three credentials (one in August, one at 11 pm on August 31 in Chicago, one in September), a submission no
    reviewer is qualified for, and one assignment past its due date; the clock then stands on September 30."""
    slug = build.published()
    clock.now = datetime(2026, 8, 20, 15, 0, tzinfo=UTC)
    build.credential(slug)
    clock.now = datetime(2026, 9, 1, 4, 0, tzinfo=UTC)  # 11 pm on August 31 in Chicago: still August there
    build.credential(slug)
    clock.now = datetime(2026, 9, 2, 15, 0, tzinfo=UTC)
    build.credential(slug)
    build.published(definition(slug="slow", title="Slow reading"))
    build.submitted("slow")  # nobody is qualified: it waits for a reviewer
    build.published(definition(slug="quick", title="Quick checks", review_turnaround_days=2))
    build.reviewer(slug="quick")
    build.submitted("quick")  # due in two business days
    clock.now = datetime(2026, 9, 30, 15, 0, tzinfo=UTC)


def test_the_admin_start_page_shows_the_work_and_the_months_figures_with_links(admin, build, clock):
    district(build, clock)
    response = admin.get("/")
    page = response.get_data(as_text=True)

    assert response.status_code == 200 and "<h1>Welcome, " in page
    shown = figures(page)
    assert shown["submission waiting for a reviewer"] == ("1", "/admin/reviews#waiting")
    assert shown["overdue review"] == ("1", "/admin/reviews#open")
    assert shown["decision in September 2026"] == ("1", "/admin/audit?action=attempt.decide&since=2026-09-01")
    assert shown["credential issued in September 2026"] == ("1", "/admin/credentials?since=2026-09-01")
    assert shown["credentials issued in all"] == ("3", "/admin/credentials")
    assert ">1 earned<" in page
    assert "Your district" in page  # the people counts stay

    # The links lead to lists that agree: the month starts at midnight in Chicago, not in UTC.
    listed = admin.get("/admin/credentials?since=2026-09-01").get_data(as_text=True)
    assert "1 credential." in listed and 'value="2026-09-01"' in listed
    assert "3 credentials." in admin.get("/admin/credentials").get_data(as_text=True)
    overview = admin.get("/admin/reviews").get_data(as_text=True)
    assert "<dt>Waiting for reviewers</dt><dd>1</dd>" in overview and "<dt>Overdue</dt><dd>1</dd>" in overview


def test_the_credential_list_ignores_a_day_it_cannot_read(admin, build, clock):
    district(build, clock)
    for since in ("yesterday", "2026-13-01", "0001-01-01", "9999-12-31", "2026-09-01T00:00"):
        page = admin.get(f"/admin/credentials?since={since}")
        assert page.status_code == 200 and "3 credentials." in page.get_data(as_text=True), since


def test_a_new_district_shows_zeros(admin):
    shown = figures(admin.get("/").get_data(as_text=True))
    assert shown["submissions waiting for a reviewer"][0] == "0"
    assert shown["overdue reviews"][0] == "0"
    assert shown["credentials issued in all"][0] == "0"


def test_the_start_page_runs_the_same_queries_whatever_the_data(admin, build, clock, count_queries):
    with count_queries() as empty:
        assert admin.get("/").status_code == 200
    district(build, clock)
    for _ in range(3):
        build.submitted("slow")
    with count_queries() as busy:
        assert admin.get("/").status_code == 200
    assert len(busy) == len(empty), busy


def test_months_follow_the_district_time_zone():
    start, end = month_bounds(datetime(2026, 11, 1, 3, 0, tzinfo=UTC), "America/Chicago")  # 10 pm on October 31
    assert start == datetime(2026, 10, 1, 5, 0, tzinfo=UTC)  # daylight saving time: UTC-5
    assert end == datetime(2026, 11, 1, 5, 0, tzinfo=UTC)
    start, end = month_bounds(datetime(2026, 12, 15, tzinfo=UTC), "America/Chicago")
    assert start == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # standard time: UTC-6
    assert end == datetime(2027, 1, 1, 6, 0, tzinfo=UTC)
