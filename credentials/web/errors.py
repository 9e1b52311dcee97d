"""Error pages (HTML, or JSON for API callers). Nothing here ever shows a stack trace or exception text."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..domain.errors import DomainError, TooManyAttempts
from .formatting import drawing_error_page, use_default_district
from .sessions import login_manager

TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "That upload is too large",
    422: "Please check your input",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Please try again shortly",
    507: "Storage is full",
}
MESSAGES = {
    400: "The request could not be understood. Go back and try again.",
    403: "Your account does not have access to this page. If you think it should, ask your district administrator.",
    404: "There is nothing at this address. Check the link, or start again from the home page.",
    405: "This address does not accept that kind of request.",
    413: "The file or form you sent is larger than we accept. Nothing was saved; go back and send a smaller one.",
    429: "Too many attempts in a short time. Wait a few minutes and try again.",
    500: "An unexpected error stopped your request. Nothing was saved. The problem has been logged; please "
    "try again, and tell your district administrator if it keeps happening.",
    # A commit can be lost with its connection after the database applied it, so this cannot promise "nothing".
    503: "The service could not reach its database, so your request may not have gone through. Wait a minute, "
    "reload the page to see what was saved, and try again.",
}
DATABASE_RETRY_AFTER_SECONDS = 60


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message: str | None = None, headers: dict | None = None):
    message = message or MESSAGES.get(status) or TITLES.get(status, "Error")
    title = TITLES.get(status, "Error")
    if wants_json():
        response = jsonify({"error": {"status": status, "title": title, "message": message}})
    else:
        drawing_error_page()
        response = render_template("errors/error.html", status=status, title=title, message=message)
    return response, status, headers or {}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_exc):
        return error_response(
            400,
            "This form has expired or did not come from this site, so nothing was saved. Go back, reload "
            "the page and submit it again.",
        )

    @app.errorhandler(TooManyAttempts)
    def _throttled(exc: TooManyAttempts):
        return error_response(429, exc.message, {"Retry-After": str(exc.retry_after)})

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        return error_response(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        # The exception's own headers (a 405's Allow, a 429's Retry-After) belong to the page built for it;
        # only the content type is ours.
        headers = {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}
        return error_response(exc.code, headers=headers)

    @app.errorhandler(InternalServerError)
    def _internal(exc: InternalServerError):
        # Flask has already logged the original exception with its traceback.
        if isinstance(exc.original_exception, OperationalError | InterfaceError):
            # The database is down or restarting (pool_pre_ping reconnects once it is back). Who is signed in
            # cannot be read either, so the page is drawn as for a visitor; the sign-in itself is kept.
            login_manager._update_request_context_with_user()  # Flask-Login's own way to set the request's user
            use_default_district()
            return error_response(503, headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)})
        return error_response(500)
