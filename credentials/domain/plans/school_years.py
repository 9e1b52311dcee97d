"""The district's school years: their names and first and last days, set by an admin. A teacher's plan belongs to
the school year that holds today (in the district's time zone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...storage.models import GrowthPlan, SchoolYear
from ...text.dates import local_day, us_date
from ..audit import Actor, record_event
from ..errors import InvalidInput
from ..people.organizations import district_time_zone


def school_years(session: Session) -> list[SchoolYear]:
    """Every school year, newest first."""
    return list(session.scalars(select(SchoolYear).order_by(SchoolYear.starts_on.desc())))


@dataclass(frozen=True)
class SchoolYearRow:
    """A school year as the admin's list shows it."""

    year: SchoolYear
    plans: int
    is_current: bool


@dataclass(frozen=True)
class SchoolYearsPage:
    rows: tuple[SchoolYearRow, ...]
    suggested: tuple[str, date, date]  # a name and dates for the next year to set up, July 1 to June 30


def school_years_page(session: Session, now: datetime) -> SchoolYearsPage:
    """Every school year with how many plans it holds, and a suggestion for the next one to set up."""
    plans = dict(
        session.execute(select(GrowthPlan.school_year_id, func.count()).group_by(GrowthPlan.school_year_id)).all()
    )
    years = school_years(session)
    local_today = today(session, now)
    rows = tuple(
        SchoolYearRow(year, plans.get(year.id, 0), year.starts_on <= local_today <= year.ends_on) for year in years
    )
    if years:
        start = years[0].ends_on + timedelta(days=1)
    else:
        start = date(local_today.year if local_today.month >= 7 else local_today.year - 1, 7, 1)
    end = date(start.year + 1, start.month, start.day) - timedelta(days=1)
    return SchoolYearsPage(rows, (f"{start.year}–{(start.year + 1) % 100:02d}", start, end))


def school_year_on(session: Session, day: date) -> SchoolYear | None:
    """The school year that holds ``day`` (first and last days included), if the district has set one up."""
    return session.scalar(select(SchoolYear).where(SchoolYear.starts_on <= day, SchoolYear.ends_on >= day))


def today(session: Session, now: datetime) -> date:
    """Today's date in the district's time zone."""
    return local_day(now, district_time_zone(session))


def current_school_year(session: Session, now: datetime) -> SchoolYear | None:
    """The school year that holds today in the district's time zone."""
    return school_year_on(session, today(session, now))


def create_school_year(
    session: Session, *, name: str, starts_on: date | None, ends_on: date | None, actor: Actor, now: datetime
) -> SchoolYear:
    """Set up a school year (an admin's task); refuses a nameless, back-to-front or overlapping year."""
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Give the school year a name, such as 2026–27."
    elif len(name) > 40:
        errors["name"] = "Keep the name to 40 characters."
    elif session.scalar(select(SchoolYear.id).where(SchoolYear.name == name)) is not None:
        errors["name"] = f"There is already a school year called {name}."
    if starts_on is None:
        errors["starts_on"] = "Enter the first day of the school year."
    if ends_on is None:
        errors["ends_on"] = "Enter the last day of the school year."
    if starts_on and ends_on:
        if ends_on <= starts_on:
            errors["ends_on"] = "The last day must come after the first day."
        else:
            overlap = session.scalar(
                select(SchoolYear)
                .where(SchoolYear.starts_on <= ends_on, SchoolYear.ends_on >= starts_on)
                .order_by(SchoolYear.starts_on)
                .limit(1)
            )
            if overlap is not None:
                errors["starts_on"] = (
                    f"These dates overlap the {overlap.name} school year ({us_date(overlap.starts_on)} to "
                    f"{us_date(overlap.ends_on)}); school years may not overlap."
                )
    if errors:
        raise InvalidInput(errors)
    year = SchoolYear(name=name, starts_on=starts_on, ends_on=ends_on, created_at=now)
    session.add(year)
    session.flush()
    record_event(
        session, actor=actor, action="school_year.create", subject_type="school_year", subject_id=year.id,
        summary={"name": name, "starts_on": starts_on, "ends_on": ends_on}, now=now,
    )  # fmt: skip
    return year
