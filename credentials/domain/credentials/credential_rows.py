"""Issued credentials as rows for lists (CLI, admin page, teacher dashboard), with their status in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.models.issuance import IssuedCredential

VALID, REVOKED, SUSPENDED, EXPIRED = "valid", "revoked", "suspended", "expired"


@dataclass(frozen=True)
class CredentialRow:
    uuid: str
    earner: str
    email: str
    title: str
    slug: str
    version: int
    issued: datetime
    valid_until: datetime | None
    status: str
    source: str

    def as_dict(self) -> dict:
        """JSON-friendly fields (dates as ISO 8601)."""
        return {
            "uuid": self.uuid,
            "earner": self.earner,
            "email": self.email,
            "microcredential": self.slug,
            "title": self.title,
            "version": self.version,
            "issued": self.issued.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "status": self.status,
            "source": self.source,
        }


def status_of(credential: IssuedCredential, now: datetime) -> str:
    """valid, revoked, suspended or expired (revocation wins, then suspension, then expiry)."""
    if credential.revoked_at is not None:
        return REVOKED
    if credential.suspended_at is not None:
        return SUSPENDED
    if credential.valid_until is not None and credential.valid_until <= now:
        return EXPIRED
    return VALID


def row_of(credential: IssuedCredential, now: datetime) -> CredentialRow:
    """The list row of a credential loaded with its version (the version and micro-credential are joined eagerly)."""
    version = credential.version
    return CredentialRow(
        uuid=credential.uuid,
        earner=credential.recipient_name,
        email=credential.recipient_email,
        title=version.title,
        slug=version.microcredential.slug,
        version=version.number,
        issued=credential.issued_at,
        valid_until=credential.valid_until,
        status=status_of(credential, now),
        source=credential.source,
    )


def all_credentials(session: Session, *, now: datetime, recipient_id: int | None = None) -> list[CredentialRow]:
    """Every issued credential (or one person's), newest first, in one query."""
    query = select(IssuedCredential).order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id.desc())
    if recipient_id is not None:
        query = query.where(IssuedCredential.recipient_id == recipient_id)
    return [row_of(credential, now) for credential in session.scalars(query)]
