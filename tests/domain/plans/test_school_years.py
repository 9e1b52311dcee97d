"""School years: set up by the district, never overlapping or back to front; today's year found in its time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from credentials.domain.audit import Actor
from credentials.domain.errors import InvalidInput
from credentials.domain.plans import school_years
from credentials.storage.models import AuditEvent, SchoolYear

ADMIN = Actor.system("test")


def create(session, clock, name="2026–27", starts_on=date(2026, 8, 1), ends_on=date(2027, 6, 30)):
    with session.begin():
        return school_years.create_school_year(
            session, name=name, starts_on=starts_on, ends_on=ends_on, actor=ADMIN, now=clock()
        )


def test_a_school_year_is_set_up_and_audited(build, session, clock):
    build.issuer()
    year = create(session, clock)
    assert (year.name, year.starts_on, year.ends_on) == ("2026–27", date(2026, 8, 1), date(2027, 6, 30))
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "school_year.create")).one()
    assert event.summary["name"] == "2026–27"
    assert school_years.current_school_year(session, clock()).id == year.id


@pytest.mark.parametrize(
    ("name", "starts_on", "ends_on", "field", "words"),
    [
        ("2027–28", date(2027, 6, 1), date(2028, 6, 1), "starts_on", "overlap the 2026–27 school year"),
        ("2025–26", date(2025, 8, 1), date(2026, 8, 1), "starts_on", "may not overlap"),
        ("2028–29", date(2029, 6, 1), date(2028, 8, 1), "ends_on", "must come after the first day"),
        ("2028–29", date(2028, 8, 1), date(2028, 8, 1), "ends_on", "must come after the first day"),
        ("2026–27", date(2030, 8, 1), date(2031, 6, 1), "name", "already a school year called 2026–27"),
        ("  ", date(2030, 8, 1), date(2031, 6, 1), "name", "Give the school year a name"),
        ("2030–31", None, date(2031, 6, 1), "starts_on", "first day"),
    ],
)
def test_bad_years_are_refused_with_a_sentence_and_nothing_saved(
    build, session, clock, name, starts_on, ends_on, field, words
):
    build.issuer()
    create(session, clock)
    with pytest.raises(InvalidInput) as refused:
        create(session, clock, name=name, starts_on=starts_on, ends_on=ends_on)
    assert words in refused.value.errors[field]
    assert session.scalar(select(func.count()).select_from(SchoolYear)) == 1


def test_the_current_year_is_the_one_holding_today_in_the_districts_time_zone(build, session, clock):
    build.issuer()
    create(session, clock, name="2025–26", starts_on=date(2025, 8, 1), ends_on=date(2026, 6, 30))
    create(session, clock, name="2026–27", starts_on=date(2026, 7, 1), ends_on=date(2027, 6, 30))
    # 3 AM UTC on July 1 is still June 30 in Chicago.
    assert school_years.current_school_year(session, datetime(2026, 7, 1, 3, tzinfo=UTC)).name == "2025–26"
    assert school_years.current_school_year(session, datetime(2026, 7, 1, 12, tzinfo=UTC)).name == "2026–27"
    assert school_years.current_school_year(session, datetime(2030, 1, 1, tzinfo=UTC)) is None
    assert [y.name for y in school_years.school_years(session)] == ["2026–27", "2025–26"]
