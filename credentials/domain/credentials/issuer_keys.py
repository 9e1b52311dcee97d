"""The issuer's signing keys: generate, rotate, revoke, and the DID document that publishes them.

Private keys stay in the key store (files); the database records each key's public half and status. New credentials
are signed with the active key of each algorithm; retired keys stay in the DID document so what they signed still
verifies; revoked keys leave it, and what they signed no longer verifies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...crypto.key_store import ALGORITHMS, ED25519, RSA, KeyStore, PrivateKey
from ...crypto.multikey import public_key_to_multibase
from ...openbadges.did_web import PublishedKey, did_document, did_for_url, verification_method_id
from ...storage.models.issuance import KEY_ACTIVE, KEY_RETIRED, KEY_REVOKED, IssuerKey
from ..audit import Actor, record_event
from ..errors import Conflict, InvalidInput, NotFound

MAX_REASON_LENGTH = 2000


class NoSigningKey(Conflict):
    """No active key of an algorithm: run ``microcred keys generate``."""


@dataclass(frozen=True)
class SigningKey:
    """A key ready to sign: its verification method id and the private key (never printed)."""

    kid: str
    verification_method: str
    private_key: PrivateKey

    def __repr__(self) -> str:
        return f"SigningKey({self.verification_method!r})"


def list_keys(session: Session) -> list[IssuerKey]:
    """Every key, newest first."""
    return list(session.scalars(select(IssuerKey).order_by(IssuerKey.created_at.desc(), IssuerKey.kid)))


def generate_keys(session: Session, store: KeyStore, *, actor: Actor, now: datetime) -> list[IssuerKey]:
    """Create an active key for each algorithm that has none; returns the keys created (none if all exist)."""
    active = {key.algorithm for key in session.scalars(select(IssuerKey).where(IssuerKey.status == KEY_ACTIVE))}
    created = [_new_key(session, store, algorithm, now=now) for algorithm in ALGORITHMS if algorithm not in active]
    for key in created:
        record_event(
            session, actor=actor, action="key.generated", subject_type="issuer_key", subject_id=key.kid,
            summary={"algorithm": key.algorithm}, now=now,
        )  # fmt: skip
    return created


def rotate_keys(session: Session, store: KeyStore, *, actor: Actor, now: datetime) -> list[IssuerKey]:
    """Retire the active keys and make new ones active; retired keys keep verifying what they signed."""
    for key in session.scalars(select(IssuerKey).where(IssuerKey.status == KEY_ACTIVE).with_for_update()):
        key.status, key.retired_at = KEY_RETIRED, now
        record_event(session, actor=actor, action="key.retired", subject_type="issuer_key", subject_id=key.kid, now=now)
    session.flush()
    return generate_keys(session, store, actor=actor, now=now)


def revoke_key(session: Session, kid: str, *, reason: str, actor: Actor, now: datetime) -> IssuerKey:
    """Withdraw a compromised key: it leaves the DID document and what it signed fails verification."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "Say why the key is revoked (kept in the audit trail and shown to verifiers)."})
    key = session.get(IssuerKey, kid, with_for_update=True)
    if key is None:
        raise NotFound(f"There is no issuer key {kid!r}.")
    if key.status == KEY_REVOKED:
        raise Conflict(f"Key {kid} was already revoked on {key.revoked_at:%Y-%m-%d}.")
    key.status, key.revoked_at, key.revoked_reason = KEY_REVOKED, now, reason[:MAX_REASON_LENGTH]
    session.flush()
    record_event(
        session, actor=actor, action="key.revoked", subject_type="issuer_key", subject_id=kid,
        summary={"reason": key.revoked_reason}, now=now,
    )  # fmt: skip
    return key


def signing_key(session: Session, store: KeyStore, algorithm: str, *, public_url: str) -> SigningKey:
    """The active key of ``algorithm`` with its private half loaded from the key store."""
    kid = session.scalar(select(IssuerKey.kid).where(IssuerKey.algorithm == algorithm, IssuerKey.status == KEY_ACTIVE))
    if kid is None:
        raise NoSigningKey(f"There is no active {algorithm} issuer key: run `microcred keys generate`.")
    return SigningKey(
        kid=kid,
        verification_method=verification_method_id(did_for_url(public_url), kid),
        private_key=store.private_key(kid),
    )


def issuer_did_document(session: Session, public_url: str) -> dict:
    """The DID document for ``/.well-known/did.json``: every key that is not revoked."""
    keys = session.scalars(
        select(IssuerKey).where(IssuerKey.status != KEY_REVOKED).order_by(IssuerKey.created_at, IssuerKey.kid)
    )
    published = [PublishedKey(key.kid, key.public_multibase, key.public_jwk) for key in keys]
    return did_document(did_for_url(public_url), published)


def _new_key(session: Session, store: KeyStore, algorithm: str, *, now: datetime) -> IssuerKey:
    generated = store.generate(algorithm)
    if algorithm == ED25519:
        jwk = jwt.algorithms.OKPAlgorithm.to_jwk(generated.public_key, as_dict=True)
        multibase = public_key_to_multibase(generated.public_key)
    else:
        assert algorithm == RSA
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(generated.public_key, as_dict=True)
        multibase = None
    jwk = {**jwk, "kid": generated.kid}
    key = IssuerKey(
        kid=generated.kid, algorithm=algorithm, public_jwk=jwk, public_multibase=multibase, status=KEY_ACTIVE,
        created_at=now,
    )  # fmt: skip
    session.add(key)
    session.flush()
    return key
