"""Pieces shared by the forms of every blueprint."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request
from flask_wtf import FlaskForm

from ..domain.errors import InvalidInput


def show_domain_errors(form: FlaskForm, exc: InvalidInput) -> None:
    """Put the domain's field errors beside the matching fields (or at the top of the form)."""
    for name, message in exc.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
        else:
            form.form_errors.append(message)


def safe_next(default: str) -> str:
    """The ``next`` parameter when it points inside this site, otherwise ``default``."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if (
        target.startswith("/")
        and not target.startswith("//")
        and not parts.scheme
        and not parts.netloc
        and "\\" not in target
    ):
        return target
    return default


def page_number() -> int:
    """The ``page`` query parameter as a positive integer (1 when absent or malformed)."""
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1
