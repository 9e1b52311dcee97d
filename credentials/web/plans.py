"""A teacher's growth plan, its goals and check-ins, and the coach's review of it."""

from __future__ import annotations

from flask import Blueprint, abort

bp = Blueprint("plans", __name__)


# Placeholder routes for the goals-board branch; the plan pages branch defines the real ones.
@bp.get("/goals/<int:goal_id>")
def goal(goal_id: int):
    abort(404)


@bp.get("/my/plan")
def my_plan():
    abort(404)
