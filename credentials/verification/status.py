"""The status check: has the issuer revoked or suspended the credential since it was signed?

Two status methods are understood: a W3C ``BitstringStatusListEntry`` (the list credential is fetched, its own proof
and issuer are checked, then the bit is read) and the ``1EdTechRevocationList`` of OB 3.0. A list that cannot be
fetched or trusted leaves the status unknown: a warning, never "revoked". For our own credentials the issuer's records
(revocation with its public category, and suspension, which only our records carry) come first.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from credentials.crypto.status_bitstring import StatusBitstring, StatusListError

from .cache import BoundedCache
from .did_resolution import DocumentFetcher
from .document_checks import parse_moment
from .local import LocalIssuer
from .proofs import ProofChecker, day, issuer_of
from .remote_fetch import FetchError
from .report import FAILED, PASSED, REVOKED, SKIPPED, SUSPENDED, WARNING, Check

BITSTRING_ENTRY = "BitstringStatusListEntry"
BITSTRING_CREDENTIAL = "BitstringStatusListCredential"
REVOCATION_LIST = "1EdTechRevocationList"
UNKNOWN = "Status unknown: "


class StatusChecker:
    """Reads a credential's ``credentialStatus`` entries; ``list_proofs`` caches the verdict on each list's proof."""

    def __init__(
        self, fetcher: DocumentFetcher, local: LocalIssuer | None, proofs: ProofChecker, list_proofs: BoundedCache
    ):
        self.fetcher = fetcher
        self.local = local
        self.proofs = proofs
        self.list_proofs = list_proofs

    def checks(self, document: dict, now: datetime) -> list[Check]:
        """One ``status`` check per status entry (and one for our own records, when the credential is ours)."""
        found: list[Check] = []
        record = (
            self.local.credential(document.get("id")) if self.local and isinstance(document.get("id"), str) else None
        )
        if record is not None and record.revoked_at is not None:
            category = f" ({record.revoked_category})" if record.revoked_category else ""
            found.append(
                Check("status", FAILED, f"Revoked by the issuer on {day(record.revoked_at)}{category}.", REVOKED)
            )
        elif record is not None and record.suspended_at is not None:
            message = f"Suspended by the issuer on {day(record.suspended_at)}; a suspension can be lifted."
            found.append(Check("status", FAILED, message, SUSPENDED))
        entries = document.get("credentialStatus")
        if entries is None:
            if not found:
                found.append(Check("status", SKIPPED, "The credential has no status entry, so it cannot be revoked."))
            return found
        for entry in entries if isinstance(entries, list) else [entries]:
            found.append(self._entry(entry, issuer_of(document), document.get("id"), now))
        return found

    def _entry(self, entry: object, issuer: str | None, credential_id: object, now: datetime) -> Check:
        if not isinstance(entry, dict):
            return Check("status", WARNING, UNKNOWN + "the credentialStatus entry is not a JSON object.")
        kind = entry.get("type")
        if kind == BITSTRING_ENTRY:
            return self._bitstring(entry, issuer, now)
        if kind == REVOCATION_LIST:
            return self._revocation_list(entry, issuer, credential_id)
        return Check("status", WARNING, UNKNOWN + f"the status method {kind!r} is not supported by this verifier.")

    def _fetch(self, url: object, what: str) -> dict:
        if not isinstance(url, str) or not url:
            raise FetchError(f"the {what} has no URL")
        document = self.local.document(url) if self.local is not None else None
        return document if document is not None else self.fetcher.fetch_json(url, what=what)

    def _bitstring(self, entry: dict, issuer: str | None, now: datetime) -> Check:
        url, purpose = entry.get("statusListCredential"), entry.get("statusPurpose")
        try:
            index = int(entry.get("statusListIndex"))
        except (TypeError, ValueError):
            return Check("status", WARNING, UNKNOWN + "the status entry's statusListIndex is not a whole number.")
        if str(entry.get("statusSize", 1)) != "1":
            return Check("status", WARNING, UNKNOWN + "multi-bit status entries (statusSize > 1) are not supported.")
        try:
            status_list = self._fetch(url, "status list")
        except FetchError as exc:
            return Check("status", WARNING, UNKNOWN + f"the status list could not be fetched ({exc}).")
        problem = self._untrusted_list(status_list, issuer, purpose, now)
        if problem:
            return Check("status", WARNING, UNKNOWN + problem)
        try:
            bits = StatusBitstring.decode(status_list["credentialSubject"].get("encodedList"))
            is_set = bits.get(index)
        except (StatusListError, IndexError, ValueError, TypeError) as exc:
            return Check("status", WARNING, UNKNOWN + f"the status list cannot be read ({exc}).")
        where = f"entry {index} of the signed status list {url}"
        if not is_set:
            return Check("status", PASSED, f"Not {_purpose_word(purpose)}: {where} is clear.")
        if purpose == "revocation":
            return Check("status", FAILED, f"Revoked: the issuer has set {where}.", REVOKED)
        if purpose == "suspension":
            return Check("status", FAILED, f"Suspended: the issuer has set {where}.", SUSPENDED)
        return Check("status", WARNING, f"The issuer has set {where} (purpose {purpose!r}).")

    def _untrusted_list(self, status_list: dict, issuer: str | None, purpose: object, now: datetime) -> str | None:
        types = status_list.get("type")
        if not isinstance(types, list) or BITSTRING_CREDENTIAL not in types:
            return f"the document at the status list URL is not a {BITSTRING_CREDENTIAL}."
        subject = status_list.get("credentialSubject")
        if not isinstance(subject, dict):
            return "the status list has no credentialSubject."
        if issuer_of(status_list) != issuer:
            return f"the status list is issued by {issuer_of(status_list)}, not by the credential's issuer."
        if subject.get("statusPurpose") != purpose:
            return f"the status list is for {subject.get('statusPurpose')!r}, not {purpose!r}."
        until = parse_moment(status_list.get("validUntil"))
        if until is not None and until <= now:
            return f"the status list expired on {day(until)}."
        return self._list_proof_problem(status_list)

    def _list_proof_problem(self, status_list: dict) -> str | None:
        key = hashlib.sha256(json.dumps(status_list, sort_keys=True).encode("utf-8")).hexdigest()
        cached = self.list_proofs.get(key)
        if cached is not None:
            return cached or None
        checks = self.proofs.embedded(status_list)
        failed = [check for check in checks if check.result != PASSED]
        problem = f"the status list's own proof does not verify ({failed[0].message})" if failed else ""
        if all(check.result == PASSED for check in checks if check.check == "key"):
            # Only a verdict on the signature is remembered: a key that could not be fetched this time (a slow
            # server, a spent budget) may be fetched next time.
            self.list_proofs.put(key, problem)
        return problem or None

    def _revocation_list(self, entry: dict, issuer: str | None, credential_id: object) -> Check:
        url = entry.get("id")
        try:
            revocations = self._fetch(url, "revocation list")
        except FetchError as exc:
            return Check("status", WARNING, UNKNOWN + f"the revocation list could not be fetched ({exc}).")
        if issuer_of(revocations) not in (None, issuer):
            return Check("status", WARNING, UNKNOWN + "the revocation list is published by another issuer.")
        revoked = revocations.get("revokedCredentials")
        if not isinstance(revoked, list):
            return Check("status", WARNING, UNKNOWN + "the revocation list has no revokedCredentials array.")
        for item in revoked:
            if isinstance(item, dict) and item.get("id") == credential_id:
                reason = item.get("revocationReason")
                said = f": {reason}" if isinstance(reason, str) and reason else "."
                return Check("status", FAILED, f"Revoked: listed on the issuer's revocation list {url}{said}", REVOKED)
        return Check("status", PASSED, f"Not revoked: absent from the issuer's revocation list {url}.")


def _purpose_word(purpose: object) -> str:
    return {"revocation": "revoked", "suspension": "suspended"}.get(purpose, "flagged")  # type: ignore[arg-type]
