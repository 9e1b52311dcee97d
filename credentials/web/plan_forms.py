"""Reading the plan pages' forms: a goal as typed, and the fields sent once per goal (comments, end values)."""

from __future__ import annotations

from flask import request

from ..domain.plans.plans import GoalInput
from .forms import whole_number


def goal_input() -> GoalInput:
    """The goal form as the teacher sent it (numbers and the date still as typed)."""
    form = request.form
    return GoalInput(
        statement=form.get("statement", ""),
        focus=form.getlist("focus"),
        measure_what=form.get("measure_what", ""),
        measure_unit=form.get("measure_unit", ""),
        baseline=form.get("baseline", ""),
        target=form.get("target", ""),
        how_measured=form.get("how_measured", ""),
        target_date=form.get("target_date", ""),
        support_requested=form.get("support_requested", ""),
        visibility=form.get("visibility", ""),
        share_progress=form.get("share_progress") == "yes",
    )


def per_goal(prefix: str) -> dict[int, str]:
    """Fields named ``<prefix>-<goal id>``, by goal id (anything else is ignored)."""
    found = {}
    for name, value in request.form.items():
        if name.startswith(prefix + "-") and (goal_id := whole_number(name.removeprefix(prefix + "-"))) is not None:
            found[goal_id] = value
    return found
