"""Plan templates: written by admins and coaches, applied to a school or a group of teachers."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("plan_templates", __name__)
