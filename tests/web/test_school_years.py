"""The admin's school-years page: the district sets each year's dates; teachers' plans belong to them."""

from __future__ import annotations

from sqlalchemy import select

from credentials.storage.models import AuditEvent, SchoolYear


def test_the_page_suggests_this_year_and_sets_it_up(admin, session):
    page = admin.get("/admin/school-years").get_data(as_text=True)
    assert "No school year is set up yet" in page
    assert (
        'value="2026–27"' in page and 'value="2026-07-01"' in page and 'value="2027-06-30"' in page
    )  # clock: Sep 2026

    response = admin.submit(
        "/admin/school-years", {"name": "2026–27", "starts_on": "2026-08-10", "ends_on": "2027-06-04"}
    )

    assert response.status_code == 302
    page = admin.get("/admin/school-years").get_data(as_text=True)
    assert "The 2026–27 school year is set up" in page
    assert "August 10, 2026" in page and "June 4, 2027" in page and "this year" in page
    assert 'value="2027–28"' in page and 'value="2027-06-05"' in page  # the next one starts the day after
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "school_year.create"))


def test_overlapping_back_to_front_and_garbled_years_are_refused_with_what_was_typed(admin, session):
    admin.submit("/admin/school-years", {"name": "2026–27", "starts_on": "2026-08-10", "ends_on": "2027-06-04"})

    overlap = admin.submit(
        "/admin/school-years", {"name": "Summer", "starts_on": "2027-06-01", "ends_on": "2027-07-30"}
    )
    backwards = admin.submit(
        "/admin/school-years", {"name": "2028–29", "starts_on": "2029-06-01", "ends_on": "2028-08-01"}
    )
    garbled = admin.submit("/admin/school-years", {"name": "x" * 500, "starts_on": "soon", "ends_on": "9999-99-99"})

    assert overlap.status_code == 422
    assert "overlap the 2026–27 school year" in overlap.get_data(as_text=True)
    assert 'value="Summer"' in overlap.get_data(as_text=True)
    assert backwards.status_code == 422 and "must come after the first day" in backwards.get_data(as_text=True)
    assert garbled.status_code == 422 and "Not a valid date value" in garbled.get_data(as_text=True)
    assert [y.name for y in session.scalars(select(SchoolYear))] == ["2026–27"]


def test_only_admins_set_school_years(browser, build):
    assert browser.get("/admin/school-years").status_code == 302  # a visitor signs in first
    teacher = build.user("teacher")
    browser.login(teacher.email)
    assert browser.get("/admin/school-years").status_code == 403
    assert browser.submit("/admin/school-years", {"name": "2030–31"}, page="/").status_code == 403
