"""One database session per request, committed once at the web boundary and rolled back on any error.

Mail queued during the request goes out only after the commit (in development, right after the response).
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..domain.credentials.issuance import issue_for_attempt
from ..domain.errors import DomainError
from ..domain.outbox import deliver_due
from ..storage.database import transaction
from ..storage.models import IssuanceRequest, OutboxMessage

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
    @event.listens_for(app.extensions["microcred"].session_factory, "after_flush")
    def _note_queued_mail(session, _context):
        if any(isinstance(obj, OutboxMessage) for obj in session.new):
            session.info["mail_queued"] = True
        requested = [obj.attempt_id for obj in session.new if isinstance(obj, IssuanceRequest)]
        if requested:
            session.info.setdefault("issuance_requested", []).extend(requested)

    @app.after_request
    def _finish_transaction(response: Response) -> Response:
        session: Session | None = g.get("db_session")
        if session is None:
            return response
        if response.status_code >= 400:
            session.rollback()
            return response
        session.commit()
        issued = _issue_now(session.info.pop("issuance_requested", []))
        if (session.info.pop("mail_queued", False) or issued) and services().settings.deliver_mail_after_request:
            response.call_on_close(_deliver_mail_now(app))
        return response

    @app.teardown_request
    def _close_session(exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


def _issue_now(attempt_ids: list[int]) -> bool:
    """Issue the credentials an earned decision asked for, each in its own transaction, right after the decision
    committed. A failure (no signing key, say) leaves the request pending for `microcred credentials process`."""
    svc = services()
    issued = False
    for attempt_id in attempt_ids:
        try:
            with transaction(svc.session_factory) as session:
                issue_for_attempt(session, svc.signing, attempt_id, now=svc.clock())
            issued = True
        except DomainError as exc:
            log.warning("credential of attempt %s not issued yet: %s", attempt_id, exc.message)
        except Exception:
            log.exception("issuing the credential of attempt %s failed; the request stays pending", attempt_id)
    return issued


def _deliver_mail_now(app: Flask):
    def deliver() -> None:
        svc = app.extensions["microcred"]
        try:
            with transaction(svc.session_factory) as session:
                deliver_due(session, svc.mail, now=svc.clock())
        except Exception:  # the outbox keeps the message; `microcred mail deliver` retries it
            log.exception("delivering mail after the request failed; it stays in the outbox")

    return deliver
