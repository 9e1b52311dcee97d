"""One date format, month first, on the district's calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from credentials.text import dates


def test_a_timestamp_is_the_day_it_is_in_the_district():
    # 03:00 UTC on December 2 is still the evening of December 1 in Chicago, and already December 2 in Guam.
    moment = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    assert dates.us_date(moment, "America/Chicago") == "December 1, 2026"
    assert dates.us_date(moment, "Pacific/Guam") == "December 2, 2026"
    assert dates.local_day(moment, "America/Chicago") == date(2026, 12, 1)


def test_a_calendar_day_is_never_shifted():
    assert dates.us_date(date(2026, 12, 16), "Pacific/Honolulu") == "December 16, 2026"


def test_times_are_twelve_hour_with_the_zone_and_daylight_saving():
    assert dates.us_date_time(datetime(2026, 12, 2, 15, 4, tzinfo=UTC), "America/Chicago") == (
        "December 2, 2026, 9:04 AM CST"
    )
    assert dates.us_date_time(datetime(2026, 7, 4, 17, 0, tzinfo=UTC), "America/New_York") == (
        "July 4, 2026, 1:00 PM EDT"
    )
    assert dates.us_time(datetime(2026, 12, 2, 6, 30, tzinfo=UTC), "America/Chicago") == "12:30 AM CST"


def test_a_naive_timestamp_is_utc_and_nothing_is_empty():
    assert dates.us_date(datetime(2026, 12, 2, 3, 0), "America/Chicago") == "December 1, 2026"
    assert dates.us_date(None) == dates.us_date_time(None) == dates.us_time(None) == ""


@pytest.mark.parametrize("name", ["", "Mars/Olympus_Mons", "../../etc/passwd", "America/Chicago\x00"])
def test_an_unknown_zone_falls_back_to_the_default_instead_of_failing(name):
    assert not dates.is_time_zone(name)
    assert dates.us_date(datetime(2026, 12, 2, 3, 0, tzinfo=UTC), name) == "December 1, 2026"


def test_known_zones():
    assert dates.is_time_zone("America/Chicago") and dates.is_time_zone("Pacific/Guam")
