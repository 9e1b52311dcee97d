"""How an operator command reaches the app: its services, the operator as the actor, and one transaction at a time.

Every command that touches the database does so in ``with in_transaction() as (session, now):``. The block commits
when it ends and rolls back if it raises; once committed, the follow-up steps the domain named run (the credential an
earned decision asked for is issued); and a domain error becomes the command's error message (exit status 1, no
traceback), one line per field for invalid input.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

import click
from flask import current_app
from sqlalchemy.orm import Session

from ..domain.after_commit import run_follow_ups
from ..domain.audit import Actor
from ..domain.errors import DomainError, InvalidInput

if TYPE_CHECKING:
    from .. import Services

OPERATOR = Actor.system("cli")


class Transaction(NamedTuple):
    """The command's session and its notion of now (one value for the whole transaction)."""

    session: Session
    now: datetime


def services() -> Services:
    """The current app's ``Services`` (commands run inside its app context)."""
    return current_app.extensions["microcred"]


@contextmanager
def in_transaction(*, caller_handles: tuple[type[DomainError], ...] = ()) -> Iterator[Transaction]:
    """One transaction of a command; domain errors of the types in ``caller_handles`` reach the caller unchanged."""
    svc = services()
    try:
        with svc.session_factory() as session:
            with session.begin():
                yield Transaction(session, svc.clock())
            run_follow_ups(session, svc)  # mail waits for `microcred mail deliver`, so whether it was queued is moot
    except caller_handles:
        raise
    except DomainError as exc:
        raise _failure(exc) from exc


def _failure(exc: DomainError) -> click.ClickException:
    if isinstance(exc, InvalidInput):
        details = "".join(f"\n  {field or '(document)'}: {message}" for field, message in exc.errors.items())
        return click.ClickException(f"{exc.message}{details}")
    return click.ClickException(exc.message)
