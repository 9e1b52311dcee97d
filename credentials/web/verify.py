"""Public verification: the ``/verify`` page (upload or paste, works without JavaScript) and ``POST /api/v1/verify``
(JSON, a JWT as text/plain, a file or image, or a multipart upload), described at ``/api/v1/openapi.json``.

No account is needed. The API is CSRF-exempt (it changes nothing and takes no cookies' word for anything); the HTML
form keeps its CSRF token.
"""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, render_template, request, url_for

from ..domain.credentials.verification import verify_credential
from ..verification import MAX_INPUT_BYTES, InputError
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
    if request.endpoint == "verify.verify_page_post":
        return render_template("verify/form.html", error=exc.message, pasted=request.form.get("credential", "")), (
            exc.status
        )
    return error_response(exc.status, exc.message)


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
    return render_template("verify/report.html", report=_verify(data))


@bp.post("/api/v1/verify")
def api_verify():
    return jsonify(_verify(_api_input()).as_dict())


@bp.get("/api/v1/openapi.json")
def openapi():
    response = jsonify(openapi_document(url_for("verify.api_verify", _external=True).rsplit("/verify", 1)[0]))
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
