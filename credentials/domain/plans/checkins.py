"""Progress check-ins: dated entries on a goal of an active plan with the measure's value that day, a reflection and
optional links. (Evidence files through the evidence store come later; links only for now.)"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from ...storage.models import CheckIn, User
from ...text.dates import us_date
from ..errors import Conflict, InvalidInput, PermissionDenied
from .plans import audit_plan, find_goal
from .school_years import today
from .vocabulary import ACTIVE

MAX_LINKS = 5
MAX_REFLECTION = 5000


def add_check_in(
    session: Session,
    goal_id: int,
    teacher: User,
    *,
    checked_on: date | str | None,
    value: float | str | None,
    reflection: str = "",
    links: Sequence[str] = (),
    now: datetime,
) -> CheckIn:
    """Add a check-in to a goal of the teacher's active plan."""
    goal = find_goal(session, goal_id)
    plan = goal.plan
    if plan.teacher_id != teacher.id:
        raise PermissionDenied("Only the plan's teacher may add check-ins.")
    if plan.status != ACTIVE:
        raise Conflict(
            "Check-ins can be added once your coach has approved the plan and while it is active."
            if plan.status != "complete"
            else "This plan is complete, so it is kept as it was: no more check-ins."
        )
    errors: dict[str, str] = {}
    day = checked_on if isinstance(checked_on, date) else _iso_day(checked_on)
    year, local_today = plan.school_year, today(session, now)
    if day is None:
        errors["checked_on"] = "Enter the date of the check-in."
    elif day > local_today:
        errors["checked_on"] = "The check-in's date cannot be in the future."
    elif not year.starts_on <= day <= year.ends_on:
        errors["checked_on"] = (
            f"Choose a date within the {year.name} school year: {us_date(year.starts_on)} to {us_date(year.ends_on)}."
        )
    number = measure_number(value)
    if number is None:
        errors["value"] = f"Enter the measure's value that day, in {goal.measure_unit}, as a number."
    reflection = (reflection or "").strip()
    if len(reflection) > MAX_REFLECTION:
        errors["reflection"] = "Keep the reflection to 5,000 characters."
    kept = [link.strip() for link in links if link and link.strip()]
    if len(kept) > MAX_LINKS:
        errors["links"] = f"Add at most {MAX_LINKS} links."
    elif bad := [link for link in kept if not _is_web_address(link)]:
        errors["links"] = f"“{bad[0][:80]}” is not a web address (it should start with https://)."
    if errors:
        raise InvalidInput(errors)
    check_in = CheckIn(
        goal_id=goal.id,
        checked_on=day,
        value=number,
        reflection=reflection,
        links=kept,
        author_id=teacher.id,
        created_at=now,
    )
    session.add(check_in)
    session.flush()
    summary = {"goal": goal.id, "check_in": check_in.id, "checked_on": day, "value": number}
    audit_plan(session, teacher, plan, now, action="plan.check_in", summary=summary)
    return check_in


def _iso_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _is_web_address(link: str) -> bool:
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(link) <= 500 and " " not in link


def measure_number(value: float | str | None) -> float | None:
    """A measure's value as teachers type it ("48", "48%", "1,200") as a number; None when it is not an ordinary one."""
    if value is None:
        return None
    try:
        number = float(str(value).strip().replace(",", "").removesuffix("%").strip())
    except ValueError:
        return None
    return number if abs(number) < 1e9 else None
