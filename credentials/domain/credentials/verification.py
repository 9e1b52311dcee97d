"""Verifying credentials for anyone who asks, with our own issuer's keys, status lists and records read from the
database (no network, and suspension, which only our records carry, is reported)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...openbadges.did_web import did_for_url
from ...pdf import CertificateError, extract_credential
from ...storage.models.issuance import IssuedCredential, IssuerKey
from ...verification import CredentialRecord, InputError, KeyRecord, VerificationReport, Verifier
from .issuer_keys import issuer_did_document
from .revocation import CATEGORIES
from .status_lists import status_list_document


class OurIssuer:
    """The ``LocalIssuer`` of this service: answers for our DID, keys, status lists and credentials."""

    def __init__(self, session: Session, public_url: str):
        self.session = session
        self.public_url = public_url.rstrip("/")
        self.did = did_for_url(self.public_url)
        self._documents: dict[str, dict | None] = {}

    def document(self, identifier: str) -> dict | None:
        """Our DID document or a status list credential of ours; None for anything else."""
        if identifier not in self._documents:
            self._documents[identifier] = self._load(identifier)
        return self._documents[identifier]

    def key(self, verification_method: str) -> KeyRecord | None:
        """The record of our key named by ``verification_method`` (``did:web:…#kid``)."""
        did, _, kid = verification_method.partition("#")
        if did != self.did or not kid:
            return None
        key = self.session.get(IssuerKey, kid)
        if key is None:
            return None
        return KeyRecord(key.kid, key.status, key.retired_at, key.revoked_at, key.revoked_reason)

    def credential(self, credential_id: str) -> CredentialRecord | None:
        """The revocation and suspension record of our credential with this id (its page URL)."""
        uuid = _suffix(credential_id, f"{self.public_url}/c/")
        if not uuid:
            return None
        row = self.session.execute(
            select(IssuedCredential.revoked_at, IssuedCredential.revoked_category, IssuedCredential.suspended_at)
            .where(IssuedCredential.uuid == uuid)
        ).first()  # fmt: skip
        if row is None:
            return None
        revoked_at, category, suspended_at = row
        return CredentialRecord(revoked_at, public_category(category), suspended_at)

    def _load(self, identifier: str) -> dict | None:
        if identifier == self.did:
            return issuer_did_document(self.session, self.public_url)
        list_id = _suffix(identifier, f"{self.public_url}/status/")
        if list_id and list_id.isdigit():
            text = status_list_document(self.session, int(list_id))
            return json.loads(text) if text else None
        return None


def public_category(category: str | None) -> str | None:
    """The words the public sees for a revocation category (the reason itself stays private)."""
    return CATEGORIES.get(category, category) if category else None


def _suffix(value: str, prefix: str) -> str | None:
    return value[len(prefix) :] if isinstance(value, str) and value.startswith(prefix) else None


def credential_in_certificate(pdf: bytes) -> bytes:
    """The credential attached to one of our certificate PDFs (the verifier's ``PdfExtractor``); ``InputError``
    when the PDF holds none."""
    try:
        return extract_credential(pdf)
    except CertificateError as exc:
        raise InputError(f"No credential could be read from the PDF: {exc}", 422) from None


def verify_credential(
    session: Session, verifier: Verifier, data: bytes | str | dict, *, public_url: str, now: datetime
) -> VerificationReport:
    """The verification report on ``data`` (our certificate PDFs included): ours or any issuer's credential;
    ``InputError`` if it holds none."""
    local = OurIssuer(session, public_url)
    return verifier.verify(data, now=now, local=local, extract_pdf=credential_in_certificate)


@dataclass(frozen=True)
class VerificationPage:
    """The ``/verify`` result: the report, plus what the page may show of our own site.

    ``badge_src`` is the badge image to show: an address on this site (as a path, so the page's Content-Security-Policy
    lets it load whatever host name the page was reached by) or an inline data: image; None for an image elsewhere,
    which the page does not fetch. ``ours`` says the credential id is the address of a credential page of this site.
    """

    report: VerificationReport
    badge_src: str | None
    ours: bool


def verification_page(
    session: Session, verifier: Verifier, data: bytes | str | dict, *, public_url: str, now: datetime
) -> VerificationPage:
    """The report on ``data`` (see ``verify_credential``) with the badge image and credential link the page shows."""
    report = verify_credential(session, verifier, data, public_url=public_url, now=now)
    site = public_url.rstrip("/")
    credential_id = report.credential.id or ""
    return VerificationPage(
        report, _badge_src(report.credential.image_url, site), credential_id.startswith(f"{site}/c/")
    )


def _badge_src(image_url: str | None, site: str) -> str | None:
    if not image_url:
        return None
    if image_url.startswith("data:"):
        return image_url
    path = _suffix(image_url, site)
    return path if path and path.startswith("/") and not path.startswith("//") else None
