"""The web layer: blueprints, sign-in, CSRF, security headers, error pages and the per-request transaction."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_wtf.csrf import CSRFProtect
from jinja2 import Undefined
from jinja2.utils import missing
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from ..domain.plans import checkins
from . import errors, formatting, security, sessions, transaction
from .forms import LARGEST_INTEGER

csrf = CSRFProtect()


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` in every rule: a number no row can have is a 404 instead of an overflow in the database."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        bound = LARGEST_INTEGER if max is None or max > LARGEST_INTEGER else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bound, signed=signed)


class MissingNameUndefined(Undefined):
    """A template variable nobody passed is an error (a misspelt name must not render an empty page); a missing
    key of a passed dict stays empty, because definitions have optional fields."""

    __slots__ = ()

    def _check(self) -> None:
        if self._undefined_obj is missing and self._undefined_name is not None:
            self._fail_with_undefined_error()

    def __str__(self) -> str:
        self._check()
        return ""

    def __bool__(self) -> bool:
        self._check()
        return False

    def __iter__(self):
        self._check()
        return iter(())

    def __len__(self) -> int:
        self._check()
        return 0


CHECK_IN_FILES = checkins.MAX_FILES


def _request_limits() -> None:
    settings = current_app.extensions["microcred"].settings
    if request.endpoint == "attempts.save":
        request.max_content_length = settings.max_attempt_bytes + 1024 * 1024
    elif request.endpoint == "plans.new_check_in":  # up to MAX_FILES files of the largest size, and the text
        request.max_content_length = CHECK_IN_FILES * settings.max_upload_bytes + 1024 * 1024


def init_web(app: Flask) -> None:
    """Attach extensions, hooks and blueprints to ``app``."""
    settings = app.extensions["microcred"].settings
    app.jinja_env.undefined = MissingNameUndefined
    # Before any blueprint adds its rules: a rule takes its converter when it is added.
    app.url_map.converters["int"] = BoundedIntegerConverter
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    # Before CSRF protection reads the form: the evidence page may carry files up to an attempt's total.
    app.before_request(_request_limits)
    sessions.init_app(app)
    csrf.init_app(app)
    transaction.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)

    from . import (
        accounts,
        attempts,
        audit,
        auth,
        catalog,
        catalog_admin,
        certificate_settings,
        certificates,
        credential_admin,
        credential_pages,
        goals_boards,
        health,
        home,
        mentoring,
        organizations,
        outbox,
        plan_templates,
        plans,
        review_admin,
        reviews,
        shared_evidence,
        verify,
    )

    for module in (
        home,
        auth,
        accounts,
        organizations,
        audit,
        outbox,
        catalog,
        catalog_admin,
        attempts,
        reviews,
        review_admin,
        credential_pages,
        credential_admin,
        certificates,
        certificate_settings,
        plans,
        goals_boards,
        plan_templates,
        mentoring,
        shared_evidence,
        verify,
        health,
    ):
        app.register_blueprint(module.bp)
    csrf.exempt(health.bp)
    # A public JSON API that changes nothing; the /verify HTML form keeps its CSRF token.
    csrf.exempt(verify.api_verify)
