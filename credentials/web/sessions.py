"""Flask-Login wiring and the role checks that guard views."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, request
from flask_login import LoginManager, current_user

from ..domain.people.accounts import user_for_session
from ..domain.people.roles import ROLE_LABELS
from .transaction import db

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(session_token: str):
    return user_for_session(db(), session_token)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)

    @app.context_processor
    def _navigation():
        return {"role_labels": ROLE_LABELS}


def client_address() -> str:
    """The caller's address (made trustworthy behind proxies by ``MICROCRED_TRUSTED_PROXIES``)."""
    return request.remote_addr or "unknown"


def role_required(*roles: str):
    """Allow the view only to signed-in users holding at least one of ``roles``; 403 for others."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.roles & set(roles):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate
