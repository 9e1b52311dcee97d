"""Bitstring status lists: allocating entries at random (never reused) and re-signing a list when a bit changes.

A list holds 131,072 entries (the spec's minimum for herd privacy); a new list is opened once half the entries of
the newest are taken, so random allocation rarely needs a second try and indexes never reveal issue order.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer

from ...crypto.data_integrity import sign_eddsa_rdfc_2022
from ...crypto.key_store import ED25519
from ...crypto.status_bitstring import MIN_BITS, StatusBitstring
from ...openbadges.did_web import did_for_url
from ...openbadges.status_list_document import status_list_credential
from ...storage.models.issuance import IssuedCredential, StatusList
from .issuer_keys import signing_key

REVOCATION = "revocation"
LIST_SIZE = MIN_BITS
FILL_LIMIT = LIST_SIZE // 2
MAX_TRIES = 64


class SigningContext:
    """Where the service is published and where its private keys are: what signing needs from outside."""

    def __init__(self, public_url: str, keys):
        self.public_url = public_url.rstrip("/")
        self.keys = keys

    def __repr__(self) -> str:
        return f"SigningContext({self.public_url!r})"

    def status_list_url(self, list_id: int) -> str:
        return f"{self.public_url}/status/{list_id}"


def allocate_entry(session: Session, context: SigningContext, *, now: datetime) -> tuple[StatusList, int]:
    """A fresh random index in the open revocation list (creating and signing a new list when needed)."""
    status_list = session.scalar(
        select(StatusList).where(StatusList.purpose == REVOCATION).order_by(StatusList.id.desc()).limit(1)
        .with_for_update()
    )  # fmt: skip
    if status_list is None or _used(session, status_list) >= FILL_LIMIT:
        status_list = _open_list(session, context, now=now)
    for _ in range(MAX_TRIES):
        index = secrets.randbelow(status_list.size)
        taken = session.scalar(
            select(IssuedCredential.id).where(
                IssuedCredential.status_list_id == status_list.id, IssuedCredential.status_index == index
            )
        )
        if taken is None:
            return status_list, index
    raise RuntimeError(f"no free index found in status list {status_list.id} after {MAX_TRIES} tries")


def set_status(
    session: Session, context: SigningContext, status_list_id: int, index: int, value: bool, *, now: datetime
) -> StatusList:
    """Set or clear one bit and re-sign the list credential, in the caller's transaction."""
    status_list = session.scalar(
        select(StatusList).where(StatusList.id == status_list_id).options(undefer(StatusList.bits)).with_for_update()
    )
    bits = StatusBitstring.from_bytes(status_list.bits)
    bits.set(index, value)
    status_list.bits = bits.to_bytes()
    _sign(session, context, status_list, bits, now=now)
    return status_list


def status_list_document(session: Session, list_id: int) -> str | None:
    """The signed status list credential as served (JSON text), or None."""
    return session.scalar(select(StatusList.document).where(StatusList.id == list_id))


def _used(session: Session, status_list: StatusList) -> int:
    return session.scalar(
        select(func.count()).select_from(IssuedCredential).where(IssuedCredential.status_list_id == status_list.id)
    )


def _open_list(session: Session, context: SigningContext, *, now: datetime) -> StatusList:
    bits = StatusBitstring(LIST_SIZE)
    status_list = StatusList(purpose=REVOCATION, size=LIST_SIZE, bits=bits.to_bytes(), created_at=now)
    session.add(status_list)
    session.flush()
    _sign(session, context, status_list, bits, now=now)
    return status_list


def _sign(session: Session, context: SigningContext, status_list: StatusList, bits, *, now: datetime) -> None:
    key = signing_key(session, context.keys, ED25519, public_url=context.public_url)
    unsigned = status_list_credential(
        list_url=context.status_list_url(status_list.id),
        issuer_did=did_for_url(context.public_url),
        purpose=status_list.purpose,
        encoded_list=bits.encode(),
        now=now,
    )
    signed = sign_eddsa_rdfc_2022(unsigned, key.private_key, key.verification_method, unsigned["validFrom"])
    signed["proof"] = [signed["proof"]]
    status_list.document = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
    status_list.revision += 1
    status_list.signed_at = now
    session.flush()
