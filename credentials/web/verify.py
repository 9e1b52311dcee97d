"""Public verification: the ``/verify`` page (upload or paste, works without JavaScript) and ``POST /api/v1/verify``
(JSON, a JWT as text/plain, a file or image, or a multipart upload), described at ``/api/v1/openapi.json``.

No account is needed. The API is CSRF-exempt (it changes nothing and takes no cookies' word for anything); the HTML
form keeps its CSRF token. When every slot for verifications that wait on other issuers' servers is taken, both answer
503 with ``Retry-After`` rather than queue. The report links only http(s) addresses a credential gives (``web_link``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, jsonify, render_template, request
from markupsafe import Markup, escape

from ..domain.credentials.verification import verification_page, verify_credential
from ..verification import MAX_INPUT_BYTES, InputError, VerifierBusy
from ..verification.openapi import openapi_document
from .errors import error_response
from .transaction import db, now, services

bp = Blueprint("verify", __name__)

# Room for multipart framing and form fields around a file of MAX_INPUT_BYTES.
REQUEST_LIMIT = MAX_INPUT_BYTES + 256 * 1024
RAW_TYPES = frozenset(
    {
        "application/json", "application/ld+json", "application/vc+ld+json", "application/vc", "text/plain",
        "application/jwt", "application/vc+jwt", "image/png", "image/svg+xml", "application/pdf",
        "application/octet-stream",
    }
)  # fmt: skip


def _request_limits() -> None:
    if request.endpoint in ("verify.api_verify", "verify.verify_page_post"):
        request.max_content_length = REQUEST_LIMIT


@bp.record_once
def _set_up(state) -> None:
    app: Flask = state.app
    # First of all before-request hooks: CSRF protection reads the form, which must be allowed its larger size.
    app.before_request_funcs.setdefault(None, []).insert(0, _request_limits)


@bp.errorhandler(InputError)
def _bad_input(exc: InputError):
    return _refusal(exc.status, exc.message, "The credential could not be read")


@bp.errorhandler(VerifierBusy)
def _busy(exc: VerifierBusy):
    return _refusal(503, exc.message, "Please try again in a moment", {"Retry-After": str(exc.retry_after)})


def _refusal(status: int, message: str, title: str, headers: dict | None = None):
    if request.endpoint == "verify.verify_page_post":
        pasted = request.form.get("credential", "")
        page = render_template("verify/form.html", error=message, error_title=title, pasted=pasted)
        return page, status, headers or {}
    return error_response(status, message, headers)


@bp.app_template_filter("web_link")
def web_link(url: str | None) -> Markup:
    """A link to ``url`` when it is an http(s) address; otherwise the text alone (a credential may say anything)."""
    if not url:
        return Markup("")
    if not _is_web_address(url):
        return escape(url)
    return Markup('<a href="{0}" rel="nofollow noopener noreferrer">{0}</a>').format(url)


def _is_web_address(url: str) -> bool:
    # Browsers drop tabs and newlines inside a URL and spaces around it; nothing of the kind may hide the scheme.
    if any(char.isspace() or ord(char) < 0x20 or ord(char) == 0x7F for char in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _verify(data):
    svc = services()
    return verify_credential(db(), svc.verifier, data, public_url=svc.settings.public_url, now=now())


@bp.get("/verify")
def verify_page():
    return render_template("verify/form.html", error=None, pasted="")


@bp.post("/verify")
def verify_page_post():
    upload = request.files.get("file")
    data = upload.read(MAX_INPUT_BYTES + 1) if upload and upload.filename else request.form.get("credential", "")
    svc = services()
    page = verification_page(db(), svc.verifier, data, public_url=svc.settings.public_url, now=now())
    return render_template("verify/report.html", page=page, report=page.report)


@bp.post("/api/v1/verify")
def api_verify():
    return jsonify(_verify(_api_input()).as_dict())


@bp.get("/api/v1/openapi.json")
def openapi():
    # The configured address, never the request's Host header, which anyone can set.
    response = jsonify(openapi_document(f"{services().settings.public_url}/api/v1"))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _api_input() -> bytes | str:
    media_type = request.mimetype
    if media_type == "multipart/form-data":
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            return upload.read(MAX_INPUT_BYTES + 1)
        if "credential" in request.form:
            return request.form["credential"]
        raise InputError("The multipart form has neither a file field 'file' nor a text field 'credential'.")
    if media_type not in RAW_TYPES:
        raise InputError(
            f"Content-Type {media_type or '(none)'} is not accepted: send application/json (the credential), "
            "text/plain (a VC-JWT), an image/png, image/svg+xml or application/pdf file, or multipart/form-data.",
            415,
        )
    return request.get_data(cache=False)
