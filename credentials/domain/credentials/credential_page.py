"""The credential page's verdict: the proof is checked once per credential and key status and then cached, together
with the parsed document; revocation, suspension and expiry are read live from our records on every view (one query
of a few columns in all, so a cached view never loads or parses the signed document)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import segno
from sqlalchemy import Row
from sqlalchemy.orm import Session

from ...storage.models.issuance import IssuedCredential, IssuerKey
from ...verification import Check, Presented, VerificationReport, Verifier
from ...verification.cache import BoundedCache
from ...verification.document_checks import validity_check
from ...verification.inputs import JSON_FORMAT
from ...verification.proofs import day
from ...verification.report import FAILED, PASSED, REVOKED, SUSPENDED, CredentialSummary, report
from ...verification.summary import summarize
from .credential_view import CredentialView, view_of
from .records import credential_columns
from .verification import OurIssuer, public_category

PROOF_CACHE_SIZE = 4096
# An issued credential's document is never edited in place (a change is a revocation plus a new credential), so the
# cached check can only go stale through a key status change, which is part of the key, or through someone editing
# the database by hand: the time limit bounds how long such an edit could go unnoticed on a page.
PROOF_CACHE_SECONDS = 600.0


@dataclass(frozen=True)
class CredentialPage:
    """What the public page shows: the credential, the verdict with its checks, and a QR code of the page."""

    view: CredentialView
    report: VerificationReport
    qr_code: str  # an SVG data URI
    # Changes whenever what was signed or how its proof checks out may have changed: whatever is derived only from
    # the signed document (not from the live status or the clock) may be cached under it.
    cache_key: tuple


@dataclass(frozen=True)
class _Checked:
    view: CredentialView  # as signed; the live columns are filled in on each view
    integrity: tuple[Check, ...]
    summary: CredentialSummary


class ProofCache(BoundedCache):
    """The parsed credential and its integrity checks per (uuid, signing key, key status), for a limited time."""

    def __init__(self, size: int = PROOF_CACHE_SIZE, ttl: float | None = PROOF_CACHE_SECONDS):
        super().__init__(size, ttl)


# What every view reads: the columns that can change after issuance, and the signing key's status.
_LIVE = (
    IssuedCredential.id,
    IssuedCredential.key_id,
    IssuedCredential.revoked_at,
    IssuedCredential.revoked_category,
    IssuedCredential.suspended_at,
    IssuedCredential.status_list_id,
    IssuedCredential.status_index,
    IssuerKey.status.label("key_status"),
    IssuerKey.revoked_at.label("key_revoked_at"),
)


def credential_page(
    session: Session, credential_uuid: str, *, verifier: Verifier, cache: ProofCache, public_url: str, now: datetime
) -> CredentialPage:
    """The credential with this uuid, its verdict as of ``now`` and a QR code of its page; NotFound otherwise."""
    # Plain columns through the session's connection: no ORM entities or identity map for the hot path.
    live = credential_columns(
        session, credential_uuid, *_LIVE, join=(IssuerKey, IssuerKey.kid == IssuedCredential.key_id)
    )
    key = (credential_uuid, live.key_id, live.key_status, live.key_revoked_at)
    checked = cache.get(key)
    if checked is None:
        credential = session.get(IssuedCredential, live.id)
        view = view_of(credential)
        presented = Presented(JSON_FORMAT, json.loads(credential.document))
        integrity = tuple(verifier.integrity_checks(presented, now=now, local=OurIssuer(session, public_url)))
        checked = _Checked(view, integrity, summarize(view.document))
        cache.put(key, checked)
    view = dataclasses.replace(
        checked.view, revoked_at=live.revoked_at, revoked_category=live.revoked_category, suspended_at=live.suspended_at
    )
    checks = [*checked.integrity, validity_check(view.document, now), _status_check(live)]
    return CredentialPage(view, report(checks, checked.summary, JSON_FORMAT), qr_code(view.url), key)


def _status_check(credential: Row) -> Check:
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
