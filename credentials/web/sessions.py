"""Flask-Login wiring and the role checks that guard views."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, request, session
from flask_login import LoginManager, current_user, login_user, logout_user

from ..domain.people import sign_in
from ..domain.people.accounts import user_for_session
from ..domain.people.roles import ROLE_LABELS
from ..storage.database import transaction
from .transaction import db, now, services

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(session_token: str):
    return user_for_session(db(), session_token)


def init_app(app: Flask) -> None:
    """Attach sign-in; call it before CSRF protection, so a dead session's form token dies with it."""
    login_manager.init_app(app)
    app.before_request(_forget_dead_session)

    @app.context_processor
    def _navigation():
        return {"role_labels": ROLE_LABELS}


def _forget_dead_session() -> None:
    # A cookie whose session token was rotated (sign-out, a password change, deactivation) is dropped whole,
    # its CSRF token too: a page from that session can then post nothing, and the answer no longer carries it.
    if request.endpoint != "static" and "_user_id" in session and not current_user.is_authenticated:
        session.clear()


def start_session(user) -> None:
    """Sign ``user`` in on a fresh session, so nothing from before (above all the CSRF token) carries over."""
    session.clear()
    session.permanent = True
    login_user(user)


def end_session() -> None:
    """Sign out of this browser (the caller has rotated the session token, which ends every other copy)."""
    logout_user()
    session.clear()


def client_address() -> str:
    """The caller's address (made trustworthy behind proxies by ``MICROCRED_TRUSTED_PROXIES``)."""
    return request.remote_addr or "unknown"


def authenticate(email: str, password: str):
    """The user these credentials belong to; ``SignInFailed`` and ``TooManyAttempts`` pass on to the caller.

    A failed try is counted in a transaction of its own, because the request's is rolled back on the error page."""
    try:
        return sign_in.authenticate(
            db(), services().passwords, email=email, password=password, client_address=client_address(), now=now()
        )
    except sign_in.SignInFailed:
        with transaction(services().session_factory) as separate:
            sign_in.note_failed_sign_in(separate, email=email, client_address=client_address(), now=now())
        raise


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
