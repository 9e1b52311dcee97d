"""What an admin is asked before publishing a draft: what is still missing (publishing waits for it), and what
would go unnoticed once teachers start (a part of the evidence no criterion scores, no reviewer to score any of it),
which they may publish anyway."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...storage.models import Qualification, User, UserRole
from ...storage.models.accounts import REVIEWER
from ...storage.models.catalog import DRAFT
from ..errors import Conflict
from . import definitions, microcredentials
from .field_names import FieldError, labelled


@dataclass(frozen=True)
class PublishCheck:
    """A draft as the publish confirmation shows it."""

    slug: str
    number: int
    title: str
    missing: list[FieldError]
    unscored_parts: list[str]  # titles of template parts no rubric criterion scores
    qualified_reviewers: int
    tags: list[str]

    @property
    def ready(self) -> bool:
        """Nothing is missing, so it can be published (perhaps despite warnings)."""
        return not self.missing

    @property
    def has_warnings(self) -> bool:
        """Something the admin should know, though it does not stop publishing."""
        return bool(self.unscored_parts) or self.qualified_reviewers == 0


def publish_check(session: Session, slug: str, number: int) -> PublishCheck:
    """What is missing from draft ``number`` and what to warn about before it is published."""
    version = microcredentials.get_version(session, slug, number)
    if version.status != DRAFT:
        raise Conflict(f"Version {number} is {version.status}; only a draft can be published.")
    doc = definitions.normalize(version.definition)
    tags = [t for t in doc.get("tags") or [] if isinstance(t, str)]
    return PublishCheck(
        slug=slug,
        number=number,
        title=doc.get("title") or slug,
        missing=labelled(definitions.problems(doc)),
        unscored_parts=unscored_parts(doc),
        qualified_reviewers=_qualified_reviewers(session, version.microcredential_id, tags),
        tags=tags,
    )


def unscored_parts(doc: dict) -> list[str]:
    """The titles (or numbers) of the template's parts that no criterion of the rubric scores."""
    parts = [p for p in (doc.get("template") or {}).get("parts") or [] if isinstance(p, dict)]
    criteria = [c for c in (doc.get("rubric") or {}).get("criteria") or [] if isinstance(c, dict)]
    scored = {c.get("part") for c in criteria}
    return [p.get("title") or f"Part {i}" for i, p in enumerate(parts, 1) if p.get("key") not in scored]


def _qualified_reviewers(session: Session, microcredential_id: int, tags: list[str]) -> int:
    """Active reviewers who could be routed this micro-credential's submissions (review/eligibility's qualified
    rule: for the micro-credential itself or for one of its tags)."""
    target = Qualification.microcredential_id == microcredential_id
    if tags:
        target = or_(target, Qualification.tag.in_(tags))
    return session.scalar(
        select(func.count(func.distinct(User.id)))
        .join(Qualification, Qualification.reviewer_id == User.id)
        .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == REVIEWER))
        .where(target, User.is_active.is_(True), User.password_hash.is_not(None))
    )
