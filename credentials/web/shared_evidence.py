"""The public evidence page of a credential whose earner chose to share it, and its files (as downloads only)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from ..domain.shared_evidence import shared_evidence, shared_file
from .attempts import EVIDENCE_CSP, _attachment, _chunks
from .transaction import db, services

bp = Blueprint("shared_evidence", __name__)


@bp.get("/c/<uuid:credential_uuid>/evidence")
def show(credential_uuid):
    return render_template("issuance/evidence.html", evidence=shared_evidence(db(), str(credential_uuid)))


@bp.get("/c/<uuid:credential_uuid>/evidence/files/<int:artifact_id>")
def download(credential_uuid, artifact_id: int):
    artifact = shared_file(db(), str(credential_uuid), artifact_id)
    response = Response(_chunks(services().evidence.open(artifact.sha256)), mimetype=artifact.media_type)
    response.headers["Content-Disposition"] = _attachment(artifact.filename)
    response.headers["Content-Length"] = str(artifact.size)
    response.headers["Content-Security-Policy"] = EVIDENCE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
