"""A teacher's growth plan, its goals and check-ins, and the coach's review of it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("plans", __name__)
