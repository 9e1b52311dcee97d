"""Issuing signed OB 3.0 credentials: one fixed pipeline for every trigger.

build the unsigned credential -> check it against the OB 3.0 schema -> allocate a status-list entry -> sign it
(eddsa-rdfc-2022, and VC-JWTs with EdDSA and RS256) -> store it, all in the caller's transaction. An issued credential
is never edited: a change is a revocation plus a new credential.

Triggers: an earned decision writes an ``IssuanceRequest`` in the decision's transaction and is followed, right after
that commit, by the ``IssueCredential`` step; ``issue_requested`` turns requests into credentials, for that step and
for ``microcred credentials process``, which retries any left behind. Admins issue for a named person (records from
before microcred), singly or from CSV.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import uuid as uuid_module
from calendar import monthrange
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ...crypto.data_integrity import sign_eddsa_rdfc_2022
from ...crypto.key_store import ED25519, RSA
from ...crypto.vc_jwt import encode_vc_jwt
from ...openbadges.credential_document import AwardFacts, EvidenceFacts, StatusEntryFacts, credential_document
from ...openbadges.schema_check import require_valid
from ...storage.database import transaction
from ...storage.models import Attempt, IssuanceRequest, MicroCredentialVersion
from ...storage.models.attempts import EARNED
from ...storage.models.issuance import SOURCE_REVIEW, IssuedCredential
from ..after_commit import Services
from ..audit import Actor, record_event
from ..errors import Conflict, DomainError
from ..letters import emails, letterhead, queue_letter
from ..plans.earned import note_earned
from .facts import achievement_facts, attempt_evidence, issuer_facts
from .issuer_keys import signing_key
from .status_lists import SigningContext, allocate_entry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """Who a credential is for: a person with an account, or a named person from an older record."""

    name: str
    email: str
    user_id: int | None = None


def credential_url(context: SigningContext, credential_uuid: str) -> str:
    """The credential's id and public page."""
    return f"{context.public_url}/c/{credential_uuid}"


def issue_for_attempt(session: Session, context: SigningContext, attempt_id: int, *, now: datetime) -> IssuedCredential:
    """The credential of an earned attempt, issued now if it does not exist yet (safe to call twice at once)."""
    # The request row is the lock that serialises concurrent triggers for one attempt (FOR UPDATE on PostgreSQL).
    pending = session.scalar(select(IssuanceRequest).where(IssuanceRequest.attempt_id == attempt_id).with_for_update())
    existing = session.scalar(select(IssuedCredential).where(IssuedCredential.attempt_id == attempt_id))
    if existing is not None:
        if pending is not None and pending.processed_at is None:
            pending.processed_at = now
        return existing
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or attempt.status != EARNED:
        raise Conflict("Only an earned attempt gets a credential.")
    teacher = attempt.teacher
    recipient = Recipient(name=teacher.name, email=teacher.email, user_id=teacher.id)
    results = {r.criterion_key: r.level_key for r in attempt.results if r.level_key}
    credential_uuid = str(uuid_module.uuid4())
    evidence_url = f"{credential_url(context, credential_uuid)}/evidence" if attempt.share_evidence else None
    try:
        with session.begin_nested():
            credential = _issue(
                session, context, attempt.version, recipient,
                uuid=credential_uuid, awarded_at=attempt.decided_at or now, results=results,
                evidence=attempt_evidence(attempt, evidence_url), source=SOURCE_REVIEW, now=now,
                attempt_id=attempt.id,
            )  # fmt: skip
    except IntegrityError:
        # Another transaction issued it between our check and our insert (SQLite has no FOR UPDATE): use theirs.
        session.expire_all()
        existing = session.scalar(select(IssuedCredential).where(IssuedCredential.attempt_id == attempt_id))
        if existing is None:
            raise
        return existing
    if pending is not None:
        pending.processed_at = now
    _tell_earner(session, context, credential, now=now)
    record_event(
        session, actor=Actor.system("issuance"), action="credential.issued", subject_type="credential",
        subject_id=credential.uuid, summary={"attempt": attempt.id, "key": credential.key_id}, now=now,
    )  # fmt: skip
    session.flush()
    return credential


def pending_requests(session: Session, limit: int | None = None) -> list[int]:
    """Attempt ids whose issuance request has not been processed, oldest first."""
    query = (
        select(IssuanceRequest.attempt_id)
        .where(IssuanceRequest.processed_at.is_(None))
        .order_by(IssuanceRequest.created_at, IssuanceRequest.id)
    )
    return list(session.scalars(query.limit(limit) if limit else query))


@dataclass
class IssuanceRun:
    """What ``issue_requested`` did: the attempts it tried, those issued, and those refused (left pending) with why."""

    attempts: list[int]
    issued: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def issue_requested(
    session_factory: sessionmaker[Session],
    context: SigningContext,
    attempt_ids: Iterable[int] | None = None,
    *,
    clock: Callable[[], datetime],
) -> IssuanceRun:
    """Issue what earned decisions asked for (``None``: every pending request), each in a transaction of its own."""
    if attempt_ids is None:
        with transaction(session_factory) as session:
            attempt_ids = pending_requests(session)
    run = IssuanceRun(list(attempt_ids))
    for attempt_id in run.attempts:
        # One transaction per request: a failure (no signing key, say) rolls back only its own credential and leaves
        # the request pending for `microcred credentials process`.
        try:
            with transaction(session_factory) as session:
                issue_for_attempt(session, context, attempt_id, now=clock())
        except DomainError as exc:
            run.refused.append((attempt_id, exc.message))
        except Exception:
            log.exception("issuing the credential of attempt %s failed; the request stays pending", attempt_id)
        else:
            run.issued.append(attempt_id)
    return run


@dataclass(frozen=True)
class IssueCredential:
    """The step that follows an earned decision's commit: issue the credential its request asks for."""

    attempt_id: int
    name = "issuing the credential an earned decision asked for"

    def __call__(self, services: Services) -> bool:
        """Issue now; a refusal is logged and the request waits. True when the earner's e-mail was queued."""
        run = issue_requested(services.session_factory, services.signing, [self.attempt_id], clock=services.clock)
        for attempt_id, reason in run.refused:
            log.warning("credential of attempt %s not issued yet: %s", attempt_id, reason)
        return bool(run.issued)


def issue(
    session: Session,
    context: SigningContext,
    version: MicroCredentialVersion,
    recipient: Recipient,
    *,
    awarded_at: datetime,
    source: str,
    actor: Actor,
    now: datetime,
    results: dict[str, str] | None = None,
    evidence: tuple[EvidenceFacts, ...] = (),
) -> tuple[IssuedCredential, bool]:
    """Issue a credential for a named person (admin or CSV); ``(credential, False)`` if this record was issued."""
    key = record_key(recipient.email, version.id, awarded_at)
    existing = session.scalar(select(IssuedCredential).where(IssuedCredential.record_key == key))
    if existing is not None:
        return existing, False
    credential = _issue(
        session, context, version, recipient, uuid=str(uuid_module.uuid4()), awarded_at=awarded_at,
        results=results or {}, evidence=evidence, source=source, now=now, record_key=key, issued_by_id=actor.id,
    )  # fmt: skip
    _tell_earner(session, context, credential, now=now)
    record_event(
        session, actor=actor, action="credential.issued", subject_type="credential", subject_id=credential.uuid,
        summary={"source": source, "recipient": recipient.email, "key": credential.key_id}, now=now,
    )  # fmt: skip
    return credential, True


def record_key(email: str, version_id: int, awarded_at: datetime) -> str:
    """The fingerprint that makes issuing the same record twice a no-op: person, version and award date."""
    text = f"{email.strip().lower()}|{version_id}|{awarded_at.date().isoformat()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))


def _issue(
    session: Session,
    context: SigningContext,
    version: MicroCredentialVersion,
    recipient: Recipient,
    *,
    uuid: str,
    awarded_at: datetime,
    results: dict[str, str],
    evidence: tuple[EvidenceFacts, ...],
    source: str,
    now: datetime,
    attempt_id: int | None = None,
    record_key: str | None = None,
    issued_by_id: int | None = None,
) -> IssuedCredential:
    ed_key = signing_key(session, context.keys, ED25519, public_url=context.public_url)
    rsa_key = signing_key(session, context.keys, RSA, public_url=context.public_url)
    months = version.definition.get("validity_months")
    valid_until = add_months(awarded_at, months) if months else None
    status_list, index = allocate_entry(session, context, now=now)
    award = AwardFacts(
        id=credential_url(context, uuid),
        earner_name=recipient.name,
        earner_email=recipient.email,
        salt=secrets.token_hex(16),
        awarded_at=awarded_at,
        valid_until=valid_until,
        status=StatusEntryFacts(list_url=context.status_list_url(status_list.id), index=index),
        results=results,
        evidence=evidence,
    )
    unsigned = credential_document(
        award, achievement_facts(context.public_url, version), issuer_facts(session, context.public_url)
    )
    secured = sign_eddsa_rdfc_2022(unsigned, ed_key.private_key, ed_key.verification_method, unsigned["validFrom"])
    secured["proof"] = [secured["proof"]]
    # The schema wants the proof, so the check runs on the secured document; the signer already refused any term
    # the contexts do not define.
    require_valid(secured)
    credential = IssuedCredential(
        uuid=uuid,
        source=source,
        attempt_id=attempt_id,
        record_key=record_key,
        recipient_id=recipient.user_id,
        recipient_name=recipient.name,
        recipient_email=recipient.email,
        version_id=version.id,
        issued_at=now,
        awarded_at=awarded_at,
        valid_until=valid_until,
        issued_by_id=issued_by_id,
        key_id=ed_key.kid,
        rsa_key_id=rsa_key.kid,
        status_list_id=status_list.id,
        status_index=index,
        document=json.dumps(secured, ensure_ascii=False, separators=(",", ":")),
        jwt_eddsa=encode_vc_jwt(unsigned, ed_key.private_key, ed_key.verification_method),
        jwt_rs256=encode_vc_jwt(unsigned, rsa_key.private_key, rsa_key.verification_method),
    )
    session.add(credential)
    session.flush()
    # Every path issues through here, so the goals that list this micro-credential hear of it once, in this transaction.
    note_earned(session, credential, now=now)
    return credential


def _tell_earner(session: Session, context: SigningContext, credential: IssuedCredential, *, now: datetime) -> None:
    queue_letter(
        session,
        emails.credential_issued(letterhead(session), credential, url=credential_url(context, credential.uuid)),
        kind="credential",
        recipient=credential.recipient_email,
        now=now,
    )
