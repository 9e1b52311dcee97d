"""Micro-credentials and their versions: create, edit drafts, publish, retire, discard, history.

A draft may be saved incomplete (an admin writes one over several sittings); publishing checks it is complete. An
address left empty is made from the title.

A published version is never changed. Editing a micro-credential works on its one draft (made from the newest
version when there is none); publishing the draft makes it current for new attempts and retires the previous one,
whose attempts stay bound to it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...storage.models import BadgeImage, CatalogFacet, MicroCredential, MicroCredentialVersion
from ...storage.models.catalog import DRAFT, PUBLISHED, RETIRED
from ..audit import Actor, record_event
from ..errors import Conflict, InvalidInput, NotFound
from . import definitions
from .badge_images import SVG, check_badge_image, generated_badge_svg


@dataclass(frozen=True)
class ImageChange:
    """What a save does to the badge image: keep it (the default), replace it with ``data``, or ``remove`` it."""

    data: bytes | None = None
    remove: bool = False


def get_microcredential(session: Session, slug: str) -> MicroCredential:
    mc = session.scalar(select(MicroCredential).where(MicroCredential.slug == slug))
    if mc is None:
        raise NotFound(f"There is no micro-credential at /microcredentials/{slug}.")
    return mc


def get_version(session: Session, slug: str, number: int) -> MicroCredentialVersion:
    version = session.scalar(
        select(MicroCredentialVersion)
        .join(MicroCredential)
        .where(MicroCredential.slug == slug, MicroCredentialVersion.number == number)
    )
    if version is None:
        raise NotFound(f"{slug} has no version {number}.")
    return version


def current_version(session: Session, slug: str) -> MicroCredentialVersion:
    """The published version, offered for new attempts; ``NotFound`` when none is (never published, or retired)."""
    version = session.scalar(
        select(MicroCredentialVersion)
        .join(MicroCredential)
        .where(MicroCredential.slug == slug, MicroCredentialVersion.status == PUBLISHED)
    )
    if version is None:
        raise NotFound(f"There is no published micro-credential at /microcredentials/{slug}.")
    return version


def version_history(session: Session, slug: str) -> list[MicroCredentialVersion]:
    """Every version, newest first."""
    mc = get_microcredential(session, slug)
    return list(
        session.scalars(
            select(MicroCredentialVersion)
            .where(MicroCredentialVersion.microcredential_id == mc.id)
            .order_by(MicroCredentialVersion.number.desc())
        )
    )


def create_microcredential(
    session: Session, raw: dict, *, image: ImageChange | None = None, actor: Actor, now: datetime
) -> MicroCredentialVersion:
    """A new micro-credential with its first version, a draft (perhaps incomplete)."""
    doc = definitions.normalize(raw)
    if isinstance(doc, dict) and not doc.get("slug"):
        doc["slug"] = _free_slug(session, doc.get("title"))
    definitions.check_draft(doc)
    _check_slug_free(session, doc["slug"])
    image_sha = _store_image(session, image, now=now)
    mc = MicroCredential(slug=doc["slug"], created_at=now)
    version = MicroCredentialVersion(number=1, status=DRAFT, created_at=now, created_by_id=actor.id)
    mc.versions.append(version)
    _apply(version, doc, image_sha)
    session.add(mc)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="microcredential.create",
        subject_type="microcredential",
        subject_id=mc.slug,
        summary={"title": doc.get("title") or "", "version": 1},
        now=now,
    )
    return version


def start_new_version(session: Session, slug: str, *, actor: Actor, now: datetime) -> MicroCredentialVersion:
    """The draft to edit: the existing one, or a copy of the newest version."""
    mc = get_microcredential(session, slug)
    draft = next((v for v in mc.versions if v.status == DRAFT), None)
    if draft is not None:
        return draft
    newest = mc.versions[-1]
    draft = MicroCredentialVersion(
        number=newest.number + 1, status=DRAFT, created_at=now, created_by_id=actor.id, updated_at=now
    )
    mc.versions.append(draft)
    _apply(draft, dict(newest.definition), newest.image_sha256)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="microcredential.new_version",
        subject_type="microcredential",
        subject_id=slug,
        summary={"version": draft.number, "from_version": newest.number},
        now=now,
    )
    return draft


def save_draft(
    session: Session,
    version: MicroCredentialVersion,
    raw: dict,
    *,
    image: ImageChange | None = None,
    actor: Actor,
    now: datetime,
) -> MicroCredentialVersion:
    """Replace a draft's definition (and perhaps its image); it may stay incomplete until it is published."""
    _require_draft(version)
    mc = version.microcredential
    published_before = any(v.status != DRAFT for v in mc.versions)
    doc = definitions.normalize(raw)
    if isinstance(doc, dict) and not doc.get("slug"):
        doc["slug"] = mc.slug if published_before else _free_slug(session, doc.get("title"), mine=mc.id)
    definitions.check_draft(doc)
    if doc["slug"] != mc.slug:
        if published_before:
            raise InvalidInput({"slug": f"The address cannot change once published; keep {mc.slug!r}."})
        _check_slug_free(session, doc["slug"])
        mc.slug = doc["slug"]
    image_sha = _store_image(session, image, now=now, keep=version.image_sha256)
    changed = sorted(k for k in doc if doc.get(k) != version.definition.get(k))
    if image_sha != version.image_sha256:
        changed.append("image")
    _apply(version, doc, image_sha)
    version.updated_at = now
    session.flush()
    record_event(
        session,
        actor=actor,
        action="microcredential.save_draft",
        subject_type="microcredential",
        subject_id=mc.slug,
        summary={"version": version.number, "changed": changed},
        now=now,
    )
    return version


def publish_version(session: Session, version: MicroCredentialVersion, *, actor: Actor, now: datetime) -> None:
    """Make a draft current for new attempts; the previously published version is retired."""
    _require_draft(version)
    definitions.check(definitions.normalize(version.definition))
    mc = version.microcredential
    previous = next((v for v in mc.versions if v.status == PUBLISHED), None)
    if previous is not None:
        previous.status, previous.retired_at = RETIRED, now
        session.flush()  # the one-published-version index must see the old one go first
    version.status, version.published_at = PUBLISHED, now
    session.flush()
    record_event(
        session,
        actor=actor,
        action="microcredential.publish",
        subject_type="microcredential",
        subject_id=mc.slug,
        summary={"version": version.number, "replaces": previous.number if previous else None},
        now=now,
    )


def retire_microcredential(session: Session, slug: str, *, actor: Actor, now: datetime) -> MicroCredentialVersion:
    """Stop offering a micro-credential: its published version is retired and it leaves the catalog."""
    version = current_version(session, slug)
    version.status, version.retired_at = RETIRED, now
    session.flush()
    record_event(
        session,
        actor=actor,
        action="microcredential.retire",
        subject_type="microcredential",
        subject_id=slug,
        summary={"version": version.number},
        now=now,
    )
    return version


def discard_draft(session: Session, version: MicroCredentialVersion, *, actor: Actor, now: datetime) -> bool:
    """Throw a draft away. Returns True when that removed the whole (never published) micro-credential."""
    _require_draft(version)
    mc = version.microcredential
    slug, number = mc.slug, version.number
    removed_all = len(mc.versions) == 1
    session.delete(mc if removed_all else version)
    session.flush()
    if not removed_all:
        session.expire(mc, ["versions"])
    record_event(
        session,
        actor=actor,
        action="microcredential.discard_draft",
        subject_type="microcredential",
        subject_id=slug,
        summary={"version": number, "removed_microcredential": removed_all},
        now=now,
    )
    return removed_all


@dataclass(frozen=True)
class BadgeFile:
    """A badge image to send: its bytes, media type and a validator for caches."""

    media_type: str
    data: bytes
    etag: str


def badge_file(
    session: Session, *, slug: str, title: str, credit_hours: float | None, image_sha256: str | None
) -> BadgeFile:
    """A version's badge: its uploaded image, or one drawn from its title."""
    if image_sha256 is not None:
        image = badge_image(session, image_sha256)
        return BadgeFile(image.media_type, image.data, image_sha256)
    svg = generated_badge_svg(title, seed=slug, credit_hours=credit_hours).encode()
    return BadgeFile(SVG, svg, hashlib.sha256(svg).hexdigest())


def badge_image(session: Session, sha256: str) -> BadgeImage:
    image = session.get(BadgeImage, sha256)
    if image is None:
        raise NotFound("There is no such image.")
    return image


def _free_slug(session: Session, title, *, mine: int | None = None) -> str:
    """An address made from ``title`` that no other micro-credential uses (``-2``, ``-3``... when it is taken)."""
    base = definitions.slugify(title if isinstance(title, str) and title.strip() else "untitled draft")
    if len(base) < 3:
        base = f"{base}-microcredential"
    taken = set(
        session.scalars(
            select(MicroCredential.slug).where(
                MicroCredential.slug.like(f"{base}%"), MicroCredential.id != (mine if mine is not None else -1)
            )
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _apply(version: MicroCredentialVersion, doc: dict, image_sha: str | None) -> None:
    version.definition = doc
    # A draft may not have these yet; the listing shows an untitled draft by its address.
    version.title, version.summary = doc.get("title") or "", doc.get("summary") or ""
    version.credit_hours = doc.get("credit_hours")
    version.search_text = definitions.search_text(doc)
    version.image_sha256 = image_sha
    if version.updated_at is None:
        version.updated_at = version.created_at
    wanted = set(definitions.facets(doc))
    version.facets = [f for f in version.facets if (f.kind, f.value) in wanted] + [
        CatalogFacet(kind=kind, value=value)
        for kind, value in sorted(wanted - {(f.kind, f.value) for f in version.facets})
    ]


def _require_draft(version: MicroCredentialVersion) -> None:
    if version.status != DRAFT:
        raise Conflict(
            f"Version {version.number} is {version.status} and can no longer change; edit the draft instead."
        )


def _check_slug_free(session: Session, slug: str) -> None:
    taken = session.scalar(select(func.count()).select_from(MicroCredential).where(MicroCredential.slug == slug))
    if taken:
        raise InvalidInput(
            {"slug": f"Another micro-credential already uses /microcredentials/{slug}; choose another address."}
        )


def _store_image(session: Session, change: ImageChange | None, *, now: datetime, keep: str | None = None) -> str | None:
    if change is None or (change.data is None and not change.remove):
        return keep
    if change.remove and not change.data:
        return None
    media_type = check_badge_image(change.data)
    sha = hashlib.sha256(change.data).hexdigest()
    if session.get(BadgeImage, sha) is None:
        session.add(BadgeImage(sha256=sha, media_type=media_type, data=change.data, created_at=now))
    return sha
