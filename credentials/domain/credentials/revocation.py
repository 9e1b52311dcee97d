"""Revoking and suspending issued credentials, and reminding earners before their credentials expire.

Revocation flips the credential's bit in its Bitstring Status List and re-signs the list in the same transaction,
so the public page and every verifier see it at once. The reason is kept privately (audit trail); the public sees
its category. Suspension is reversible and recorded here (the OB 3.0 schema allows one ``credentialStatus``, which
is the revocation entry), so our own page and verifier report it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.models.issuance import IssuedCredential
from ...text.dates import us_date
from ..audit import Actor, record_event
from ..errors import Conflict, InvalidInput
from ..letters import emails, letterhead, queue_letter
from ..people.organizations import district_time_zone
from .records import find_credential
from .status_lists import SigningContext, set_status

CATEGORIES = {
    "issued_in_error": "Issued in error",
    "evidence_withdrawn": "Evidence found not to be the earner's own",
    "requested_by_earner": "Withdrawn at the earner's request",
    "superseded": "Replaced by a corrected credential",
    "other": "Withdrawn by the issuer",
}
REMINDER_DAYS = (60, 14)


def revoke_credential(
    session: Session, signing: SigningContext, uuid: str, *, category: str, reason: str, actor: Actor, now: datetime
) -> IssuedCredential:
    """Revoke for good: set the status bit, re-sign the list, tell the earner."""
    reason = (reason or "").strip()
    errors = {}
    if category not in CATEGORIES:
        errors["category"] = "Choose why the credential is revoked."
    if not reason:
        errors["reason"] = "Give the reason (kept privately in the audit trail)."
    if errors:
        raise InvalidInput(errors)
    credential = _locked(session, uuid)
    if credential.revoked_at is not None:
        revoked_on = us_date(credential.revoked_at, district_time_zone(session))
        raise Conflict(f"This credential was already revoked on {revoked_on}.")
    credential.revoked_at, credential.revoked_category, credential.revoked_reason = now, category, reason[:2000]
    set_status(session, signing, credential.status_list_id, credential.status_index, True, now=now)
    record_event(
        session, actor=actor, action="credential.revoked", subject_type="credential", subject_id=uuid,
        summary={"category": category, "reason": credential.revoked_reason}, now=now,
    )  # fmt: skip
    _tell(session, signing, credential, "revoked", f"Reason: {CATEGORIES[category]}.", now=now)
    return credential


def suspend_credential(session: Session, signing: SigningContext, uuid: str, *, reason: str, actor: Actor,
                       now: datetime) -> IssuedCredential:  # fmt: skip
    """Suspend until further notice (reversible with ``unsuspend_credential``)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "Give the reason for the suspension."})
    credential = _locked(session, uuid)
    if credential.revoked_at is not None:
        raise Conflict("A revoked credential cannot be suspended.")
    if credential.suspended_at is not None:
        raise Conflict("This credential is already suspended.")
    credential.suspended_at, credential.suspended_reason = now, reason[:2000]
    record_event(
        session, actor=actor, action="credential.suspended", subject_type="credential", subject_id=uuid,
        summary={"reason": credential.suspended_reason}, now=now,
    )  # fmt: skip
    _tell(session, signing, credential, "suspended", "The district will tell you when it is reinstated.", now=now)
    session.flush()
    return credential


def unsuspend_credential(
    session: Session, signing: SigningContext, uuid: str, *, actor: Actor, now: datetime
) -> IssuedCredential:
    """Lift a suspension."""
    credential = _locked(session, uuid)
    if credential.suspended_at is None:
        raise Conflict("This credential is not suspended.")
    credential.suspended_at = credential.suspended_reason = None
    record_event(
        session, actor=actor, action="credential.unsuspended", subject_type="credential", subject_id=uuid, now=now
    )
    _tell(session, signing, credential, "reinstated", "It verifies again as before.", now=now)
    session.flush()
    return credential


def send_expiry_reminders(session: Session, signing: SigningContext, *, now: datetime) -> int:
    """E-mail earners whose credentials expire within 60 and within 14 days (each reminder once); returns count."""
    sent = 0
    head = letterhead(session)
    for days in REMINDER_DAYS:
        column = IssuedCredential.reminded_60_at if days == 60 else IssuedCredential.reminded_14_at
        due = session.scalars(
            select(IssuedCredential).where(
                IssuedCredential.valid_until.is_not(None),
                IssuedCredential.valid_until > now,
                IssuedCredential.valid_until <= now + timedelta(days=days),
                IssuedCredential.revoked_at.is_(None),
                column.is_(None),
            )
        ).all()
        for credential in due:
            if days == 60 and credential.valid_until <= now + timedelta(days=14):
                credential.reminded_60_at = now  # the 14-day reminder says it all
                continue
            setattr(credential, column.key, now)
            queue_letter(
                session,
                emails.expiry_reminder(head, credential),
                kind="expiry",
                recipient=credential.recipient_email,
                now=now,
            )
            sent += 1
    session.flush()
    return sent


def _locked(session: Session, uuid: str) -> IssuedCredential:
    credential = find_credential(session, uuid)
    session.refresh(credential, with_for_update=True)
    return credential


def _tell(session: Session, signing: SigningContext, credential: IssuedCredential, what: str, detail: str, *,
          now: datetime) -> None:  # fmt: skip
    queue_letter(
        session,
        emails.credential_status(letterhead(session), credential, what=what, detail=detail),
        kind="credential-status",
        recipient=credential.recipient_email,
        now=now,
    )
