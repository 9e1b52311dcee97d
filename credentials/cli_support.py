"""What every ``microcred`` command module shares: the app's services and domain errors as click errors."""

from __future__ import annotations

import click
from flask import current_app

from .domain.errors import DomainError, InvalidInput


def cli_services():
    """The current app's ``Services`` (commands run inside its app context)."""
    return current_app.extensions["microcred"]


def cli_failure(exc: DomainError) -> click.ClickException:
    """A domain error as the command's error message, one line per field for invalid input."""
    if isinstance(exc, InvalidInput):
        details = "".join(f"\n  {field or '(document)'}: {message}" for field, message in exc.errors.items())
        return click.ClickException(f"{exc.message}{details}")
    return click.ClickException(exc.message)
