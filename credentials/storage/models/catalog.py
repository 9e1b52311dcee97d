"""The micro-credential catalog: each micro-credential and its numbered versions (draft, published, retired)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base

DRAFT = "draft"
PUBLISHED = "published"
RETIRED = "retired"
FACET_KINDS = ("tag", "subject", "grade_band")


class MicroCredential(Base):
    """A competency a teacher can earn. What it asks and how it is scored live in its versions."""

    __tablename__ = "microcredentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime]

    versions: Mapped[list[MicroCredentialVersion]] = relationship(
        back_populates="microcredential", order_by="MicroCredentialVersion.number", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<MicroCredential {self.id} {self.slug}>"


class MicroCredentialVersion(Base):
    """One version. ``definition`` is the whole document (schemas/microcredential.schema.json, without the image);
    a draft's may be incomplete (missing fields, too few rows), never invalid.

    A published or retired version is never changed; at most one version per micro-credential is published (the
    current one, offered for new attempts) and at most one is a draft.
    """

    __tablename__ = "microcredential_versions"
    __table_args__ = (
        UniqueConstraint("microcredential_id", "number"),
        CheckConstraint("status IN ('draft', 'published', 'retired')", name="status"),
        # A draft may be saved before its hours are known; publishing checks the whole definition.
        CheckConstraint("status = 'draft' OR credit_hours IS NOT NULL", name="hours_once_published"),
        Index(
            "uq_microcredential_versions_one_published",
            "microcredential_id",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
        Index(
            "uq_microcredential_versions_one_draft",
            "microcredential_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
        Index("ix_microcredential_versions_status_title", "status", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    microcredential_id: Mapped[int] = mapped_column(ForeignKey("microcredentials.id"))
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default=DRAFT)
    definition: Mapped[dict] = mapped_column(JSON)
    # Copied out of the definition for listing, searching and sorting.
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text)
    credit_hours: Mapped[float | None] = mapped_column(Numeric(6, 2, asdecimal=False))
    search_text: Mapped[str] = mapped_column(Text)
    image_sha256: Mapped[str | None] = mapped_column(ForeignKey("badge_images.sha256"))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]

    microcredential: Mapped[MicroCredential] = relationship(back_populates="versions", lazy="joined", innerjoin=True)
    facets: Mapped[list[CatalogFacet]] = relationship(cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<MicroCredentialVersion {self.microcredential_id} v{self.number} {self.status}>"


class CatalogFacet(Base):
    """A tag, subject area or grade band of a version, as a row so the catalog can filter on it with an index."""

    __tablename__ = "catalog_facets"
    __table_args__ = (
        CheckConstraint("kind IN ('tag', 'subject', 'grade_band')", name="kind"),
        Index("ix_catalog_facets_kind_value", "kind", "value"),
    )

    version_id: Mapped[int] = mapped_column(ForeignKey("microcredential_versions.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    value: Mapped[str] = mapped_column(String(60), primary_key=True)


class BadgeImage(Base):
    """An uploaded badge image (PNG, or SVG checked to hold no script or outside reference), named by its SHA-256."""

    __tablename__ = "badge_images"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime]
