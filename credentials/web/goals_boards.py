"""Goals boards: the goals teachers declared to their school and the district, by focus."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("goals_boards", __name__)
