"""Checks on the credential document itself: its structure (OB 3.0 §9 step 1), the official JSON Schema, and the
validity window (``validFrom``/``validUntil``, or ``issuanceDate``/``expirationDate`` for VCDM 1.1 credentials)."""

from __future__ import annotations

from datetime import UTC, datetime

from credentials.openbadges.schema_check import schema_problems

from .proofs import day, issuer_of
from .report import EXPIRED, FAILED, NOT_YET_VALID, PASSED, Check

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"
OB_TYPES = ("OpenBadgeCredential", "AchievementCredential")
SHOWN_PROBLEMS = 3


def parse_moment(value: object) -> datetime | None:
    """An xsd:dateTime with a time zone as an aware datetime; None when it is missing or not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def structure_check(document: dict) -> Check:
    """Whether the document is an Open Badges 3.0 credential at all: contexts, types, issuer and subject."""
    contexts = document.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    if not contexts or contexts[0] not in (VC_V2, VC_V1):
        return Check("structure", FAILED, f"The first @context is not the Verifiable Credentials context ({VC_V2}).")
    if not any(isinstance(c, str) and c.startswith(OB_CONTEXT_PREFIX) for c in contexts):
        return Check("structure", FAILED, "The credential does not use the Open Badges 3.0 context.")
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if "VerifiableCredential" not in types or not any(t in types for t in OB_TYPES):
        return Check("structure", FAILED, "The credential's type is not VerifiableCredential plus OpenBadgeCredential.")
    if issuer_of(document) is None:
        return Check("structure", FAILED, "The credential names no issuer id.")
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict) or not (subject.get("id") or subject.get("identifier")):
        return Check("structure", FAILED, "The credential subject is identified by neither an id nor an identifier.")
    return Check("structure", PASSED, "An Open Badges 3.0 credential with an issuer and an identified subject.")


def schema_check(document: dict) -> Check:
    """Whether the document follows 1EdTech's OB 3.0 AchievementCredential JSON Schema."""
    if isinstance(document.get("proof"), dict):
        # JSON-LD reads one object and a one-element array alike; the schema insists on the array form, most
        # issuers (and the spec's own examples) use the object.
        document = {**document, "proof": [document["proof"]]}
    try:
        problems = schema_problems(document)
    except RecursionError:
        return Check("schema", FAILED, "The credential is nested too deeply to check against the OB 3.0 schema.")
    if not problems:
        return Check("schema", PASSED, "Follows the official Open Badges 3.0 JSON Schema.")
    shown = "; ".join(str(problem) for problem in problems[:SHOWN_PROBLEMS])
    more = f" (and {len(problems) - SHOWN_PROBLEMS} more)" if len(problems) > SHOWN_PROBLEMS else ""
    return Check("schema", FAILED, f"Does not follow the Open Badges 3.0 JSON Schema: {shown}{more}.")


def validity_check(document: dict, now: datetime) -> Check:
    """Whether ``now`` is inside the credential's validity window."""
    raw_from = document.get("validFrom", document.get("issuanceDate"))
    raw_until = document.get("validUntil", document.get("expirationDate"))
    valid_from, valid_until = parse_moment(raw_from), parse_moment(raw_until)
    if valid_from is None:
        return Check("validity", FAILED, "The credential has no valid validFrom date (with a time zone).")
    if raw_until is not None and valid_until is None:
        return Check("validity", FAILED, f"The credential's validUntil {raw_until!r} is not a date with a time zone.")
    now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    if now < valid_from:
        return Check("validity", FAILED, f"Not valid until {day(valid_from)}.", NOT_YET_VALID)
    if valid_until is not None and now >= valid_until:
        return Check("validity", FAILED, f"Expired on {day(valid_until)}.", EXPIRED)
    if valid_until is None:
        return Check("validity", PASSED, f"Valid since {day(valid_from)}; it does not expire.")
    return Check("validity", PASSED, f"Valid from {day(valid_from)} until {day(valid_until)}.")
