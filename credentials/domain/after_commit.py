"""What follows a commit: steps the domain names inside a transaction, run once that transaction has committed.

Domain code only flushes, so work that must wait until the change is durable (issuing the credential an earned
decision asked for) is registered on the session with ``follow_with``, and whoever commits runs it with
``run_follow_ups``: the web request after its commit, an operator command after its transaction. Queued mail is noted
the same way, for a committer that sends mail at once (development). A transaction that rolls back runs nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from .credentials.status_lists import SigningContext

log = logging.getLogger(__name__)

_STEPS = "microcred.follow_ups"
_MAIL_QUEUED = "microcred.mail_queued"


class Services(Protocol):
    """What a follow-up step runs with (the app's ``Services`` has all of it)."""

    session_factory: sessionmaker[Session]
    signing: SigningContext
    clock: Callable[[], datetime]


class Step(Protocol):
    """Work that follows a commit, done in transactions of its own; returns True when it queued mail."""

    name: str

    def __call__(self, services: Services) -> bool: ...


def follow_with(session: Session, step: Step) -> None:
    """Run ``step`` once the session's transaction has committed (never if it rolls back)."""
    session.info.setdefault(_STEPS, []).append(step)


def note_mail_queued(session: Session) -> None:
    """Note that the session's transaction queued mail, for a committer that sends it at once."""
    session.info[_MAIL_QUEUED] = True


def run_follow_ups(session: Session, services: Services) -> bool:
    """Run, once each and in order, the steps the committed transaction registered; True if mail waits to go out."""
    steps = session.info.pop(_STEPS, [])
    mail_queued = session.info.pop(_MAIL_QUEUED, False)
    for step in steps:
        try:
            mail_queued = step(services) or mail_queued
        except Exception:  # the commit stands whatever a step does; a step leaves durable work for a retry
            log.exception("%s failed after the commit; it is left for a retry", step.name)
    return mail_queued
