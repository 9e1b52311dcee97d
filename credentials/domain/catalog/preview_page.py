"""What an issuer admin sees of any version, drafts included: its page and its badge."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ...storage.models.catalog import DRAFT
from . import microcredentials
from .microcredential_page import MicroCredentialPage, VersionRef, describe_version


def preview_page(session: Session, slug: str, number: int) -> MicroCredentialPage:
    """The page of version ``number`` as teachers would read it once published."""
    history = microcredentials.version_history(session, slug)
    version = next((v for v in history if v.number == number), None)
    if version is None:
        raise microcredentials.NotFound(f"{slug} has no version {number}.")
    # The page lists the versions teachers can open, so drafts stay out of it.
    refs = [
        VersionRef(v.number, v.status, v.published_at, v.retired_at) for v in reversed(history) if v.status != DRAFT
    ]
    return describe_version(version, refs)


def version_badge(session: Session, slug: str, number: int) -> microcredentials.BadgeFile:
    """The badge of any version: its uploaded image, or the one drawn from its title."""
    version = microcredentials.get_version(session, slug, number)
    return microcredentials.badge_file(
        session, slug=slug, title=version.title, credit_hours=version.credit_hours, image_sha256=version.image_sha256
    )
