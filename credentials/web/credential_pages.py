"""Public credential routes: the DID document, status lists, each credential's page and its downloads.

Everything here is public and needs no account: verifiers, employers and other services read it.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, request
from flask_login import current_user
from markupsafe import Markup

from ..domain.credentials import downloads, issuer_keys, status_lists
from ..domain.credentials.credential_page import credential_page
from ..openbadges.did_web import did_document_path
from .transaction import db, now, services

bp = Blueprint("credential_pages", __name__)

JSON_LD = "application/ld+json"
VC_LD = "application/vc+ld+json"


def _public(response: Response, max_age: int) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    # Browser-based verifiers on other sites read these documents.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _download(download: downloads.Download, *, attachment: bool = True) -> Response:
    response = Response(download.data, mimetype=download.media_type)
    if attachment:
        response.headers["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return _public(response, 3600)


@bp.get("/.well-known/did.json")
def did_document():
    settings = services().settings
    if did_document_path(settings.public_url) != "/.well-known/did.json":
        abort(404)
    response = jsonify(issuer_keys.issuer_did_document(db(), settings.public_url))
    response.mimetype = "application/did+json"
    return _public(response, 300)


@bp.get("/status/<int:list_id>")
def status_list(list_id: int):
    document = status_lists.status_list_document(db(), list_id)
    if document is None:
        abort(404)
    # Short cache: a revocation must reach verifiers quickly.
    return _public(Response(document, mimetype=VC_LD), 60)


@bp.get("/c/<uuid:credential_uuid>")
def show(credential_uuid):
    uuid = str(credential_uuid)
    best = request.accept_mimetypes.best_match(["text/html", JSON_LD, VC_LD, "application/json"])
    if best in (JSON_LD, VC_LD) and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]:
        download = downloads.signed_json(db(), uuid)
        response = _public(Response(download.data, mimetype=best), 300)
        response.vary.add("Accept")
        return response
    svc = services()
    page = credential_page(
        db(), uuid, verifier=svc.verifier, cache=svc.proof_cache, public_url=svc.settings.public_url, now=now()
    )
    body = svc.credential_bodies.get(page.cache_key)
    if body is None:
        # The output of an autoescaped template, so already safe HTML.
        html = render_template("credential_pages/_credential_body.html", view=page.view, qr_code=page.qr_code)
        body = Markup(html)  # noqa: S704
        svc.credential_bodies.put(page.cache_key, body)
    owner = current_user.is_authenticated and page.view.recipient_id == current_user.id
    response = Response(
        render_template("credential_pages/credential.html", view=page.view, report=page.report, body=body, owner=owner)
    )
    response.vary.add("Accept")
    return response


@bp.get("/c/<uuid:credential_uuid>.json")
def download_json(credential_uuid):
    return _download(downloads.signed_json(db(), str(credential_uuid)), attachment=False)


@bp.get("/c/<uuid:credential_uuid>.jwt")
def download_jwt(credential_uuid):
    algorithm = request.args.get("alg", downloads.EDDSA)
    return _download(downloads.signed_jwt(db(), str(credential_uuid), algorithm), attachment=False)


@bp.get("/c/<uuid:credential_uuid>.png")
def download_png(credential_uuid):
    return _download(downloads.baked_png(db(), str(credential_uuid)))


@bp.get("/c/<uuid:credential_uuid>.svg")
def download_svg(credential_uuid):
    return _download(downloads.baked_svg(db(), str(credential_uuid)))
