"""The public catalog: browse and search published micro-credentials, and read one in full."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("catalog", __name__)
