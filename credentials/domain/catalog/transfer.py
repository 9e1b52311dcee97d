"""Import and export of whole micro-credential definitions as JSON documents (schemas/microcredential.schema.json)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime

from sqlalchemy.orm import Session

from ...storage.models.catalog import DRAFT
from ..audit import Actor
from ..errors import Conflict, InvalidInput, NotFound
from . import definitions, microcredentials

SCHEMA_URL = "https://microcred.example/schemas/microcredential.schema.json"
_DATA_URI = re.compile(r"^data:(image/(?:png|svg\+xml));base64,(.*)$", re.DOTALL)


def export_definition(session: Session, slug: str, number: int | None = None) -> dict:
    """The whole definition of one version (the current one by default, else the newest), image included."""
    if number is None:
        history = microcredentials.version_history(session, slug)
        version = next((v for v in history if v.status == "published"), history[0])
    else:
        version = microcredentials.get_version(session, slug, number)
    document = {"$schema": SCHEMA_URL, "version": version.number, **version.definition}
    if version.image_sha256:
        image = microcredentials.badge_image(session, version.image_sha256)
        document["image"] = f"data:{image.media_type};base64,{base64.b64encode(image.data).decode()}"
    return document


def parse_document(text: str | bytes) -> dict:
    """A JSON object from an uploaded or read file, or ``InvalidInput`` saying where it breaks."""
    try:
        document = json.loads(text)
    except UnicodeDecodeError as exc:
        raise InvalidInput({"": "The file is not UTF-8 text."}) from exc
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            {"": f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."}
        ) from exc
    if not isinstance(document, dict):
        raise InvalidInput({"": "The file must hold one JSON object (a micro-credential definition)."})
    return document


def import_definition(
    session: Session, document: dict, *, actor: Actor, now: datetime, publish: bool = False
) -> microcredentials.MicroCredentialVersion:
    """Create a micro-credential from ``document``, or a new draft version of the one with its slug. A file is a
    whole definition (an export), so it is checked complete, unlike a draft saved in the editor."""
    document = dict(document)
    document.pop("$schema", None)
    document.pop("version", None)
    image = _image(document.pop("image", None))
    definitions.check(definitions.normalize(document))
    slug = document.get("slug")
    existing = None
    if isinstance(slug, str):
        try:
            existing = microcredentials.get_microcredential(session, slug)
        except NotFound:
            existing = None
    if existing is None:
        version = microcredentials.create_microcredential(session, document, image=image, actor=actor, now=now)
    else:
        draft = next((v for v in existing.versions if v.status == DRAFT), None)
        if draft is not None:
            raise Conflict(
                f"{slug} already has a draft (version {draft.number}); publish or discard it before importing."
            )
        draft = microcredentials.start_new_version(session, slug, actor=actor, now=now)
        version = microcredentials.save_draft(session, draft, document, image=image, actor=actor, now=now)
    if publish:
        microcredentials.publish_version(session, version, actor=actor, now=now)
    return version


def _image(value) -> microcredentials.ImageChange | None:
    if value is None:
        return microcredentials.ImageChange(remove=True)
    match = _DATA_URI.match(value) if isinstance(value, str) else None
    if not match:
        raise InvalidInput({"image": "Give the image as a data:image/png or data:image/svg+xml base64 URI."})
    try:
        data = base64.b64decode(match.group(2), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput({"image": "The image's base64 data is damaged."}) from exc
    return microcredentials.ImageChange(data=data)
