"""The landing page, and each signed-in person's start page by role."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..domain.people.start_page import start_page
from .transaction import db, now

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    return render_template("home/start.html", start=start_page(db(), current_user, now=now()))
