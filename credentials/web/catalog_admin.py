"""Issuer admins define micro-credentials: drafts, preview, publish, retire, history and differences."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("catalog_admin", __name__, url_prefix="/admin/microcredentials")
