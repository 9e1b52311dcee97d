"""The printable certificate of a credential: ``/c/<uuid>.pdf`` (``?paper=a4|letter``)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..domain.credentials.certificates import certificate_pdf
from .transaction import db, services

bp = Blueprint("certificates", __name__)


@bp.get("/c/<uuid:credential_uuid>.pdf")
def download(credential_uuid):
    cache = services().settings.instance_dir / "certificates"
    pdf, filename = certificate_pdf(db(), str(credential_uuid), paper=request.args.get("paper"), cache_dir=cache)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
