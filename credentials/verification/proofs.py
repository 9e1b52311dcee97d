"""The proof checks: an embedded eddsa-rdfc-2022 Data Integrity proof or a VC-JWT (EdDSA, ES256, RS256), the key
that made it (resolved through did:key, did:web or an https controller document, or our own records), and whether
that key belongs to the credential's issuer.

Each call returns three checks, ``proof``, ``key`` and ``issuer``, with sentences a person can act on.
"""

from __future__ import annotations

from datetime import datetime

from pyld.jsonld import JsonLdError

from credentials.crypto.canonical import JsonLdSafeModeError
from credentials.crypto.data_integrity import CRYPTOSUITE, PROOF_TYPE, verify_eddsa_rdfc_2022
from credentials.crypto.vc_jwt import JwtError, JwtExpired, JwtNotYetValid, decode_vc_jwt
from credentials.jsonld.contexts import UnknownContextError

from ..text.dates import us_date
from .did_resolution import (
    DocumentFetcher,
    ResolutionError,
    VerificationMethod,
    did_web_url,
    resolve_verification_method,
)
from .local import LocalIssuer
from .report import FAILED, PASSED, SKIPPED, Check

KEY_REVOKED = "revoked"
KEY_RETIRED = "retired"


def day(moment: datetime | None) -> str:
    """A date as people read it (September 1, 2026, the day in UTC: a verifier is nobody's district)."""
    return us_date(moment, "UTC") if moment is not None else "an unknown date"


def issuer_of(document: dict) -> str | None:
    """The credential's issuer id (``issuer`` may be a Profile object or a bare IRI)."""
    issuer = document.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) and value else None


class _KeyUnusable(Exception):
    pass


class ProofChecker:
    """Checks proofs against keys resolved through ``fetcher``, asking ``local`` first about our own issuer."""

    def __init__(self, fetcher: DocumentFetcher, local: LocalIssuer | None = None, did_web_scheme: str = "https"):
        self.fetcher = fetcher
        self.local = local
        self.did_web_scheme = did_web_scheme

    def embedded(self, document: dict) -> list[Check]:
        """Checks of an embedded Data Integrity proof (eddsa-rdfc-2022), its key and its issuer."""
        proof, problem = _choose_proof(document.get("proof"))
        if proof is None:
            return _unverifiable(problem)
        if proof.get("proofPurpose") != "assertionMethod":
            return _unverifiable(f"The proof's purpose is {proof.get('proofPurpose')!r}, not assertionMethod.")
        vm_id = proof.get("verificationMethod")
        key_check, method = self.key_check(vm_id)
        if method is None:
            return [
                Check("proof", FAILED, f"The proof cannot be checked: {key_check.message}"),
                key_check,
                _no_issuer(),
            ]
        if method.algorithm != "EdDSA":
            message = f"Key {vm_id} is a {method.algorithm} key; eddsa-rdfc-2022 needs an Ed25519 key."
            return [Check("proof", FAILED, message), key_check, _no_issuer()]
        try:
            valid = verify_eddsa_rdfc_2022({**document, "proof": proof}, method.public_key)
        except (JsonLdSafeModeError, UnknownContextError, JsonLdError) as exc:
            # pyld's errors carry the whole context in their text: the first line is the sentence.
            reason = str(exc).splitlines()[0][:300]
            return [Check("proof", FAILED, f"The credential cannot be canonicalized safely: {reason}"), key_check,
                    _no_issuer()]  # fmt: skip
        if not valid:
            message = (
                "The signature does not match this document: it was changed after signing, or the proof was made "
                "for a different document."
            )
            return [Check("proof", FAILED, message), key_check, self.issuer_check(document, method)]
        message = f"A valid {CRYPTOSUITE} Data Integrity proof, made with key {vm_id}."
        return [Check("proof", PASSED, message), key_check, self.issuer_check(document, method)]

    def vc_jwt(self, token: str, document: dict, now: datetime) -> list[Check]:
        """Checks of a VC-JWT's signature and claims, its key and its issuer."""
        found: dict = {}

        def resolve(kid: str, _alg: str):
            found["check"], found["method"] = self.key_check(kid)
            if found["method"] is None:
                raise _KeyUnusable(found["check"].message)
            return found["method"].public_key

        try:
            decode_vc_jwt(token, resolve, now=now)
        except (JwtExpired, JwtNotYetValid):
            pass  # the signature is good; the validity check reports the dates
        except _KeyUnusable as exc:
            return [Check("proof", FAILED, f"The VC-JWT cannot be checked: {exc}"), found["check"], _no_issuer()]
        except JwtError as exc:
            key = found.get("check") or Check("key", SKIPPED, "No key was looked up: the token was refused first.")
            return [Check("proof", FAILED, f"The VC-JWT does not verify: {exc}"), key, _no_issuer()]
        method: VerificationMethod = found["method"]
        message = f"A valid VC-JWT signature ({method.algorithm}), made with key {method.id}."
        return [Check("proof", PASSED, message), found["check"], self.issuer_check(document, method)]

    def key_check(self, vm_id: object) -> tuple[Check, VerificationMethod | None]:
        """The ``key`` check for a verification method id, and the resolved method when it may be used."""
        if not isinstance(vm_id, str) or not vm_id:
            return Check("key", FAILED, "The proof names no verification method (key)."), None
        record = self.local.key(vm_id) if self.local is not None else None
        if record is not None and record.status == KEY_REVOKED:
            reason = record.revoked_reason or "no reason recorded"
            message = f"Signing key {record.kid} was revoked on {day(record.revoked_at)}: {reason}"
            return Check("key", FAILED, message), None
        try:
            method = _resolve(vm_id, self.fetcher, self.local, self.did_web_scheme)
        except ResolutionError as exc:
            return Check("key", FAILED, f"The signing key {vm_id} could not be resolved: {exc}"), None
        if record is not None:
            if record.status == KEY_RETIRED:
                message = (
                    f"Issuer key {record.kid} was retired on {day(record.retired_at)}; what it signed before then "
                    "still verifies."
                )
            else:
                message = f"Issuer key {record.kid} is active."
        elif vm_id.startswith("did:key:"):
            message = f"Key {vm_id} is a did:key: the identifier is the public key itself."
        elif vm_id.startswith("did:web:"):
            document_url = did_web_url(vm_id.split("#")[0], self.did_web_scheme)
            message = f"Key {vm_id} is listed for assertions in the DID document at {document_url}."
        else:
            message = f"Key {vm_id} is published for assertions by its controller {method.controller}."
        return Check("key", PASSED, message), method

    def issuer_check(self, document: dict, method: VerificationMethod) -> Check:
        """Whether the key that made the proof is controlled by the credential's issuer."""
        issuer = issuer_of(document)
        if issuer is None:
            return Check("issuer", FAILED, "The credential names no issuer id.")
        if method.controller != issuer:
            message = f"The proof was made with a key of {method.controller}, which is not the issuer {issuer}."
            return Check("issuer", FAILED, message)
        return Check("issuer", PASSED, f"The signing key belongs to the issuer {issuer}.")


def _resolve(vm_id: str, fetcher, local: LocalIssuer | None, scheme: str) -> VerificationMethod:
    return resolve_verification_method(
        vm_id, fetcher, local.document if local is not None else None, did_web_scheme=scheme
    )


def _choose_proof(proof: object) -> tuple[dict | None, str]:
    if proof is None:
        return None, "The credential has no proof: it is not signed."
    candidates = proof if isinstance(proof, list) else [proof]
    dicts = [candidate for candidate in candidates if isinstance(candidate, dict)]
    for candidate in dicts:
        if candidate.get("type") == PROOF_TYPE and candidate.get("cryptosuite") == CRYPTOSUITE:
            return candidate, ""
    if not dicts:
        return None, "The credential's proof is not a JSON object."
    kinds = ", ".join(sorted({f"{p.get('type')}/{p.get('cryptosuite', '-')}" for p in dicts}))
    return None, f"The proof type {kinds} is not supported; this verifier checks {PROOF_TYPE} with {CRYPTOSUITE}."


def _unverifiable(message: str) -> list[Check]:
    return [
        Check("proof", FAILED, message),
        Check("key", SKIPPED, "No key was looked up: there is no proof to check."),
        _no_issuer(),
    ]


def _no_issuer() -> Check:
    return Check("issuer", SKIPPED, "Not checked: the signing key is not known.")
