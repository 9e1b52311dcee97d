"""The credential page's verdict: the proof is checked once per credential, document and key status and then cached;
revocation, suspension and expiry are read live from our records on every view (one query in all)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import segno
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from ..storage.models.issuance import IssuedCredential, IssuerKey
from ..verification import Check, Presented, VerificationReport, Verifier
from ..verification.cache import BoundedCache
from ..verification.document_checks import validity_check
from ..verification.inputs import JSON_FORMAT
from ..verification.proofs import day
from ..verification.report import FAILED, PASSED, REVOKED, SUSPENDED, report
from ..verification.summary import summarize
from .credential_page import CredentialView, view_of
from .errors import NotFound
from .verification import OurIssuer, public_category

PROOF_CACHE_SIZE = 4096


@dataclass(frozen=True)
class CredentialPage:
    """What the public page shows: the credential, the verdict with its checks, and a QR code of the page."""

    view: CredentialView
    report: VerificationReport
    qr_code: str  # an SVG data URI


class ProofCache(BoundedCache):
    """Integrity checks per (uuid, document hash, key status): recomputed only when one of those changes."""

    def __init__(self, size: int = PROOF_CACHE_SIZE):
        super().__init__(size)


def credential_page(
    session: Session, credential_uuid: str, *, verifier: Verifier, cache: ProofCache, public_url: str, now: datetime
) -> CredentialPage:
    """The credential with this uuid, its verdict as of ``now`` and a QR code of its page; NotFound otherwise."""
    row = session.execute(
        select(IssuedCredential, IssuerKey.status, IssuerKey.revoked_at)
        .join(IssuerKey, IssuerKey.kid == IssuedCredential.key_id)
        .where(IssuedCredential.uuid == credential_uuid)
        .options(undefer(IssuedCredential.document))
    ).first()
    if row is None:
        raise NotFound("There is no credential at this address. Check the link you were given.")
    credential, key_status, key_revoked_at = row
    view = view_of(credential)
    key = (credential.uuid, hashlib.sha256(credential.document.encode("utf-8")).hexdigest(), key_status, key_revoked_at)
    cached = cache.get(key)
    if cached is None:
        presented = Presented(JSON_FORMAT, json.loads(credential.document))
        integrity = tuple(verifier.integrity_checks(presented, now=now, local=OurIssuer(session, public_url)))
        # The summary depends only on the document, which the hash pins, so it is cached with the checks.
        cached = (integrity, summarize(view.document))
        cache.put(key, cached)
    integrity, summary = cached
    checks = [*integrity, validity_check(view.document, now), _status_check(credential)]
    return CredentialPage(view, report(checks, summary, JSON_FORMAT), qr_code(view.url))


def _status_check(credential: IssuedCredential) -> Check:
    if credential.revoked_at is not None:
        category = f" ({public_category(credential.revoked_category)})" if credential.revoked_category else ""
        return Check("status", FAILED, f"Revoked by the issuer on {day(credential.revoked_at)}{category}.", REVOKED)
    if credential.suspended_at is not None:
        message = f"Suspended by the issuer on {day(credential.suspended_at)}; a suspension can be lifted."
        return Check("status", FAILED, message, SUSPENDED)
    return Check(
        "status",
        PASSED,
        f"Not revoked or suspended, according to the issuer's records just now (entry {credential.status_index} of "
        f"the public status list /status/{credential.status_list_id}).",
    )


@lru_cache(maxsize=PROOF_CACHE_SIZE)
def qr_code(url: str) -> str:
    """A QR code of ``url`` as an SVG data URI (dark modules on white, for any phone camera)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#1b1f24", light="#ffffff")
