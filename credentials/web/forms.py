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
        # A CR or LF cannot go into a Location header (a 500 after signing in); browsers drop tabs and newlines
        # from addresses, so other control characters could smuggle in a "//" too.
        target.isprintable()
        and target.startswith("/")
        and not target.startswith("//")
        and not parts.scheme
        and not parts.netloc
        and "\\" not in target
    ):
        return target
    return default


# Every id, version and list number is an INTEGER column, and PostgreSQL's INTEGER stops here (SQLite's at 2**63 - 1).
LARGEST_INTEGER = 2**31 - 1


def whole_number(raw: str | None) -> int | None:
    """A query or form value as a number from 0 to ``LARGEST_INTEGER``; None when absent, malformed or larger (a
    number no row can have must not reach the database, which would overflow)."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw.lstrip("0")) > len(str(LARGEST_INTEGER)):
        return None
    number = int(raw)
    return number if number <= LARGEST_INTEGER else None


# Far past any real list, yet small enough that the offset it makes fits every database's integers.
MAX_PAGE = 1_000_000


def page_number() -> int:
    """The ``page`` query parameter as a number from 1 to ``MAX_PAGE`` (1 when absent or malformed)."""
    raw = request.args.get("page", "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    # Compared as text first: int() refuses (ValueError) a string of thousands of digits.
    return MAX_PAGE if len(raw.lstrip("0")) > len(str(MAX_PAGE)) else min(MAX_PAGE, max(1, int(raw)))
