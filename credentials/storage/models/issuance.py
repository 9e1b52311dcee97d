"""Issuance: the issuer's public keys, the status lists, the requests earned decisions make, and the credentials
issued (signed once, never edited)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .attempts import Attempt
from .base import Base
from .catalog import MicroCredentialVersion

KEY_ACTIVE = "active"
KEY_RETIRED = "retired"
KEY_REVOKED = "revoked"

SOURCE_REVIEW = "review"
SOURCE_ADMIN = "admin"
SOURCE_CSV = "csv"


class IssuerKey(Base):
    """The public half of an issuer key; the private half is a file in MICROCRED_KEYS_DIR named after ``kid``."""

    __tablename__ = "issuer_keys"
    __table_args__ = (
        # At most one active key per algorithm: the one new credentials are signed with.
        Index(
            "uq_issuer_keys_active_algorithm",
            "algorithm",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(10))
    public_jwk: Mapped[dict] = mapped_column(JSON)
    public_multibase: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10), default=KEY_ACTIVE)
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(Text)


class StatusList(Base):
    """A Bitstring Status List: the raw bits and the signed list credential served at /status/<id>."""

    __tablename__ = "status_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(12))
    size: Mapped[int]
    bits: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    document: Mapped[str | None] = mapped_column(Text, deferred=True)
    revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    signed_at: Mapped[datetime | None]


class IssuanceRequest(Base):
    """A durable request to issue the credential of an earned attempt: written with the decision, processed once."""

    __tablename__ = "issuance_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), unique=True)
    created_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]


class IssuedCredential(Base):
    """One signed OpenBadgeCredential: the exact signed documents are stored and served as they are."""

    __tablename__ = "issued_credentials"
    __table_args__ = (
        UniqueConstraint("status_list_id", "status_index"),
        Index("ix_issued_credentials_recipient_email", "recipient_email"),
        # Covers "who holds a valid credential for what" (suggestions) without reading the large signed documents.
        Index("ix_issued_credentials_recipient_holding", "recipient_id", "version_id", "revoked_at", "valid_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    source: Mapped[str] = mapped_column(String(10))
    # Exactly one credential per earned attempt: the unique key is the last line of defence against double issue.
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"), unique=True)
    # Admin and CSV issuance: a fingerprint of (person, micro-credential version, award date) so a re-run is a no-op.
    record_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_email: Mapped[str] = mapped_column(String(254))
    version_id: Mapped[int] = mapped_column(ForeignKey("microcredential_versions.id"))
    issued_at: Mapped[datetime]
    awarded_at: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    key_id: Mapped[str] = mapped_column(ForeignKey("issuer_keys.kid"))
    rsa_key_id: Mapped[str | None] = mapped_column(ForeignKey("issuer_keys.kid"))
    status_list_id: Mapped[int] = mapped_column(ForeignKey("status_lists.id"))
    status_index: Mapped[int]
    document: Mapped[str] = mapped_column(Text, deferred=True)
    jwt_eddsa: Mapped[str] = mapped_column(Text, deferred=True)
    jwt_rs256: Mapped[str | None] = mapped_column(Text, deferred=True)
    revoked_at: Mapped[datetime | None]
    revoked_category: Mapped[str | None] = mapped_column(String(40))
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    suspended_at: Mapped[datetime | None]
    suspended_reason: Mapped[str | None] = mapped_column(Text)
    # Expiry reminders already sent (60 and 14 days before validUntil), so each goes out once.
    reminded_60_at: Mapped[datetime | None]
    reminded_14_at: Mapped[datetime | None]

    version: Mapped[MicroCredentialVersion] = relationship(lazy="joined", innerjoin=True)
    recipient: Mapped[User | None] = relationship(foreign_keys=[recipient_id])
    attempt: Mapped[Attempt | None] = relationship()
    status_list: Mapped[StatusList] = relationship()
