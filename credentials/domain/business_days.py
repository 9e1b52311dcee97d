"""Counting business days: weekends and the district's holidays do not count."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta


def add_business_days(start: date, days: int, holidays: Collection[date] = ()) -> date:
    """The date ``days`` business days after ``start`` (``start`` itself does not count)."""
    current, remaining = start, days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            remaining -= 1
    return current
