"""The public evidence page of a credential whose earner chose to share it, and its files (as downloads only)."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..domain.credentials.shared_evidence_page import shared_evidence, shared_file
from .evidence_files import evidence_response
from .transaction import db

bp = Blueprint("shared_evidence", __name__)


@bp.get("/c/<uuid:credential_uuid>/evidence")
def show(credential_uuid):
    return render_template("shared_evidence/evidence.html", evidence=shared_evidence(db(), str(credential_uuid)))


@bp.get("/c/<uuid:credential_uuid>/evidence/files/<int:artifact_id>")
def download(credential_uuid, artifact_id: int):
    artifact = shared_file(db(), str(credential_uuid), artifact_id)
    return evidence_response(artifact)
