"""What the verifier may ask the service about its own issuer, so our credentials verify without the network.

The domain layer implements ``LocalIssuer`` from the database; the verifier never imports storage or domain code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class KeyRecord:
    """One of our signing keys as the issuer records it: active, retired or revoked (with when and why)."""

    kid: str
    status: str
    retired_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_reason: str | None = None


@dataclass(frozen=True)
class CredentialRecord:
    """One of our credentials as the issuer records it: revocation (public category only) and suspension."""

    revoked_at: datetime | None = None
    revoked_category: str | None = None
    suspended_at: datetime | None = None


class LocalIssuer(Protocol):
    """Answers for our own DID, keys, status lists and credentials; ``None`` means "not ours, ask the network"."""

    def document(self, identifier: str) -> dict | None:
        """Our DID document or one of our status list credentials, by DID or URL."""

    def key(self, verification_method: str) -> KeyRecord | None:
        """The record of one of our keys, by its verification method id."""

    def credential(self, credential_id: str) -> CredentialRecord | None:
        """The record of one of our credentials, by its id."""
