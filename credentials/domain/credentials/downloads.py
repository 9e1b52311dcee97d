"""An issued credential's downloads: the signed JSON, the VC-JWTs, baked PNG and SVG badges, a LinkedIn link."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ...openbadges.baking import bake_png, bake_svg
from ...storage.models.issuance import IssuedCredential
from ..catalog.badge_images import SVG, generated_badge_png
from ..catalog.microcredentials import badge_file
from ..errors import NotFound
from .records import find_credential

EDDSA = "EdDSA"
RS256 = "RS256"


@dataclass(frozen=True)
class Download:
    """A file to send: its bytes, media type and the name to save it under."""

    data: bytes
    media_type: str
    filename: str


def signed_json(session: Session, credential_uuid: str) -> Download:
    """The signed credential exactly as issued (JSON-LD with its Data Integrity proof)."""
    credential = find_credential(session, credential_uuid, with_document=True)
    return Download(credential.document.encode("utf-8"), "application/ld+json", _filename(credential, "json"))


def signed_jwt(session: Session, credential_uuid: str, algorithm: str = EDDSA) -> Download:
    """The credential as a VC-JWT signed with EdDSA (default) or RS256."""
    credential = find_credential(session, credential_uuid)
    token = credential.jwt_rs256 if algorithm == RS256 else credential.jwt_eddsa
    if algorithm not in (EDDSA, RS256) or token is None:
        raise NotFound(f"This credential is offered as a VC-JWT signed with {EDDSA} or {RS256}.")
    return Download(token.encode("ascii"), "application/vc+jwt", _filename(credential, "jwt"))


def baked_png(session: Session, credential_uuid: str) -> Download:
    """The badge image as PNG with the signed credential in its ``openbadgecredential`` iTXt chunk."""
    credential = find_credential(session, credential_uuid)
    badge = _badge(session, credential)
    version = credential.version
    png = (
        badge.data
        if badge.media_type != SVG
        else generated_badge_png(version.title, seed=version.microcredential.slug, credit_hours=version.credit_hours)
    )
    data = bake_png(png, signed_json(session, credential_uuid).data.decode("utf-8"))
    return Download(data, "image/png", _filename(credential, "png"))


def baked_svg(session: Session, credential_uuid: str) -> Download:
    """The badge image as SVG with the signed credential in ``<openbadges:credential>``."""
    credential = find_credential(session, credential_uuid)
    badge = _badge(session, credential)
    if badge.media_type == SVG:
        svg = badge.data.decode("utf-8")
    else:
        # A PNG badge is wrapped in an SVG so that both downloads show the same picture.
        encoded = base64.b64encode(badge.data).decode("ascii")
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400">'
            f'<image width="400" height="400" href="data:image/png;base64,{encoded}"/></svg>'
        )
    data = bake_svg(svg, signed_json(session, credential_uuid).data.decode("utf-8")).encode("utf-8")
    return Download(data, "image/svg+xml", _filename(credential, "svg"))


def _badge(session: Session, credential: IssuedCredential):
    version = credential.version
    return badge_file(
        session,
        slug=version.microcredential.slug,
        title=version.title,
        credit_hours=version.credit_hours,
        image_sha256=version.image_sha256,
    )


def _filename(credential: IssuedCredential, extension: str) -> str:
    return f"{credential.version.microcredential.slug}-{credential.uuid[:8]}.{extension}"
