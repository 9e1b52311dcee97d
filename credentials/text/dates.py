"""One way to write a date: "December 2, 2026", in the district's time zone.

US districts read month-first dates. Timestamps are stored in UTC and shown in the district's zone (a district
setting, ``issuers.time_zone``); a plain ``date`` (a due date, a holiday) is a calendar day and is never shifted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_TIME_ZONE = "America/Chicago"


@lru_cache(maxsize=64)
def zone(name: str | None) -> ZoneInfo:
    """The zone called ``name``; the default zone for an empty or unknown name (a page must never fail on it)."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def is_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone this machine knows (``America/Chicago``)."""
    return name in time_zone_names()


@lru_cache(maxsize=1)
def time_zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def local(moment: datetime, zone_name: str | None) -> datetime:
    """``moment`` in the zone; a naive value is taken to be UTC, as the database stores it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(zone_name))


def local_day(value: date | datetime, zone_name: str | None) -> date:
    """The calendar day ``value`` falls on in the zone (a ``date`` is already one)."""
    return local(value, zone_name).date() if isinstance(value, datetime) else value


def us_date(value: date | datetime | None, zone_name: str | None = DEFAULT_TIME_ZONE) -> str:
    """December 2, 2026 (empty for no value)."""
    if value is None:
        return ""
    day = local_day(value, zone_name)
    return f"{day:%B} {day.day}, {day.year}"


def us_date_time(value: datetime | None, zone_name: str | None = DEFAULT_TIME_ZONE) -> str:
    """December 2, 2026, 3:04 PM CST (empty for no value)."""
    if value is None:
        return ""
    moment = local(value, zone_name)
    hour = moment.hour % 12 or 12
    return f"{us_date(moment.date())}, {hour}:{moment:%M} {moment:%p} {moment.tzname()}"


def us_time(value: datetime | None, zone_name: str | None = DEFAULT_TIME_ZONE) -> str:
    """3:04 PM CST (empty for no value)."""
    if value is None:
        return ""
    moment = local(value, zone_name)
    return f"{moment.hour % 12 or 12}:{moment:%M} {moment:%p} {moment.tzname()}"
