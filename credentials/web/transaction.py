"""One database session per request, committed once at the web boundary and rolled back on any error.

After the commit, the follow-up steps the domain named run (the credential an earned decision asked for is issued).
Mail queued during the request goes out only after the commit (in development, right after the response).
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g
from sqlalchemy.orm import Session

from ..domain.after_commit import run_follow_ups
from ..domain.outbox import deliver_due
from ..storage.database import transaction

log = logging.getLogger(__name__)


def services():
    """The app's ``Services`` (settings, session factory, password policy, mail transport, clock)."""
    return current_app.extensions["microcred"]


def db() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = services().session_factory()
    return g.db_session


def now():
    """The request's notion of the current time (one value for the whole request)."""
    if "now" not in g:
        g.now = services().clock()
    return g.now


def init_app(app: Flask) -> None:
    @app.after_request
    def _finish_transaction(response: Response) -> Response:
        session: Session | None = g.get("db_session")
        if session is None:
            return response
        if response.status_code >= 400:
            session.rollback()
            return response
        session.commit()
        mail_queued = run_follow_ups(session, services())
        if mail_queued and services().settings.deliver_mail_after_request:
            response.call_on_close(_deliver_mail_now(app))
        return response

    @app.teardown_request
    def _close_session(exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


def _deliver_mail_now(app: Flask):
    def deliver() -> None:
        svc = app.extensions["microcred"]
        try:
            with transaction(svc.session_factory) as session:
                deliver_due(session, svc.mail, now=svc.clock())
        except Exception:  # the outbox keeps the message; `microcred mail deliver` retries it
            log.exception("delivering mail after the request failed; it stays in the outbox")

    return deliver
