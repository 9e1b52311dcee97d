"""From the ``verificationMethod`` of a proof to a public key the verifier may trust for that proof.

Follows the "retrieve verification method" algorithm of Controlled Identifiers 1.0: dereference the method, check that
it carries the id it was asked for, dereference its controller, check the controller document's id, and check that the
controller document lists the method under the verification relationship in use (``assertionMethod`` for credentials).
That two-way reference is what stops a stranger's document from claiming somebody else's key, or a key the controller
only meant for logging in from signing credentials.

Identifiers understood: ``did:key`` (Ed25519 and P-256), ``did:web`` (per the did:web method spec) and plain ``https``
URLs of a controller document (``…#key-1``) or of a stand-alone Multikey/JsonWebKey document.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import unquote, urljoin

from .key_material import PublicKey, public_key_from_jwk, public_key_from_multikey
from .remote_fetch import FetchError

RELATIONSHIPS = ("authentication", "assertionMethod", "keyAgreement", "capabilityInvocation", "capabilityDelegation")
MULTIBASE_TYPES = frozenset({"Multikey", "Ed25519VerificationKey2020"})
JWK_TYPES = frozenset({"JsonWebKey", "JsonWebKey2020"})
# did:key documents grant their one key every relationship but keyAgreement (which needs an X25519 key).
DID_KEY_RELATIONSHIPS = ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation")

_DID_WEB_DOMAIN = re.compile(r"^(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(?P<port>[0-9]{1,5}))?$")
_DID_WEB_SEGMENT = re.compile(r"^(?:[A-Za-z0-9._~!$&'()*+,;=@-]|%[0-9A-Fa-f]{2})+$")


class ResolutionError(Exception):
    """A verification method could not be resolved or may not be used; the message is written for a person."""


@dataclass(frozen=True)
class VerificationMethod:
    """A resolved verification method: its public key and what its controller allows it to do."""

    id: str
    type: str
    controller: str
    public_key: PublicKey = field(repr=False)
    algorithm: str
    relationships: tuple[str, ...]

    def authorised_for(self, relationship: str) -> bool:
        """Whether the controller document lists this method under ``relationship``."""
        return relationship in self.relationships


class DocumentFetcher(Protocol):
    """What resolution needs of a fetcher: a verification's ``BudgetedFetcher`` in the app, a stand-in in tests."""

    def fetch_json(self, url: str, *, what: str = ...) -> dict: ...


LocalDocuments = Callable[[str], "dict | None"]


def resolve_verification_method(
    vm_id: str,
    fetcher: DocumentFetcher,
    local: LocalDocuments | None = None,
    *,
    relationship: str | None = "assertionMethod",
    did_web_scheme: str = "https",
) -> VerificationMethod:
    """Resolve ``vm_id`` and check its controller lists it under ``relationship``; ``ResolutionError`` otherwise.

    ``local(did_or_url)`` is asked first for every document and may answer ``None``; the app uses it for its own
    issuer so that verifying our own credentials needs no network. ``did_web_scheme="http"`` exists for development
    and tests only (a fetcher that refuses private addresses also refuses ``http``).
    """
    if not isinstance(vm_id, str) or not vm_id.strip():
        raise ResolutionError("the proof names no verification method")
    if did_web_scheme not in ("https", "http"):
        raise ValueError("did_web_scheme must be 'https' (or 'http' for development and tests)")
    resolver = _Resolver(fetcher, local, did_web_scheme)
    try:
        return resolver.verification_method(vm_id.strip(), relationship)
    except FetchError as exc:
        raise ResolutionError(str(exc)) from exc


def did_web_url(did: str, scheme: str = "https") -> str:
    """The URL of a did:web DID's document: ``did:web:example.com:u:alice`` → ``https://example.com/u/alice/did.json``."""
    prefix = "did:web:"
    specific = did[len(prefix) :] if did.startswith(prefix) else ""
    if not specific or any(char in specific for char in "/?#"):
        raise ResolutionError(f"{did} is not a did:web DID")
    domain, *path = specific.split(":")
    # The spec percent-encodes only the colon before a port; nothing else in the domain may be encoded.
    match = _DID_WEB_DOMAIN.match(domain.replace("%3A", ":").replace("%3a", ":"))
    if match is None:
        raise ResolutionError(f"{did} does not name a valid domain")
    host, port = match["host"], match["port"]
    if port is not None and not 0 < int(port) < 65536:
        raise ResolutionError(f"{did} names port {port}, which does not exist")
    if scheme == "https" and _is_ip_address(host):
        raise ResolutionError(f"{did} names an IP address; did:web needs a domain name")
    for segment in path:
        if not _DID_WEB_SEGMENT.match(segment) or unquote(segment) in (".", ".."):
            raise ResolutionError(f"{did} has an invalid path component {segment!r}")
    authority = f"{host}:{port}" if port else host
    document_path = "/".join(path) + "/did.json" if path else ".well-known/did.json"
    return f"{scheme}://{authority}/{document_path}"


class _Resolver:
    def __init__(self, fetcher: DocumentFetcher, local: LocalDocuments | None, did_web_scheme: str) -> None:
        self.fetcher = fetcher
        self.local = local
        self.did_web_scheme = did_web_scheme

    def verification_method(self, vm_id: str, relationship: str | None) -> VerificationMethod:
        base, _, fragment = vm_id.partition("#")
        if fragment:
            document = self.document(base, "DID document" if base.startswith("did:") else "controller document")
            method = _find_method(document, vm_id, base)
            if method is None:
                kind = "DID document" if base.startswith("did:") else "controller document"
                raise ResolutionError(f"verification method {vm_id} is not in the {kind}")
        elif base.startswith("did:"):
            raise ResolutionError(f"{vm_id} names a DID, not one of its keys (the #fragment is missing)")
        else:
            document = method = self.document(base, "verification method")
        _check_shape(method, vm_id)
        if _absolute(method["id"], base) != vm_id:
            raise ResolutionError(f"the verification method at {vm_id} gives its id as {method['id']!r}")
        controller = method["controller"]
        controller_document = (
            document if controller == base else self.document(controller, "controller document", of=vm_id)
        )
        if controller_document.get("id") != controller:
            raise ResolutionError(
                f"the controller document of {vm_id} has id {controller_document.get('id')!r}, not {controller}"
            )
        relationships = tuple(name for name in RELATIONSHIPS if _lists(controller_document, name, vm_id, controller))
        if relationship is not None and relationship not in relationships:
            raise ResolutionError(f"key {vm_id} is not authorised for {relationship} by its controller {controller}")
        public_key, algorithm = _public_key(method, vm_id)
        return VerificationMethod(vm_id, method["type"], controller, public_key, algorithm, relationships)

    def document(self, identifier: str, what: str, of: str | None = None) -> dict:
        if "#" in identifier:
            raise ResolutionError(f"the controller of {of} is {identifier}, which is not a document")
        document = self.local(identifier) if self.local is not None else None
        if document is None:
            document = self._remote_document(identifier, what)
        if not isinstance(document, dict):
            raise ResolutionError(f"the {what} for {identifier} is not a JSON object")
        if identifier.startswith("did:") and document.get("id") != identifier:
            raise ResolutionError(f"the DID document for {identifier} has id {document.get('id')!r}, not the DID")
        return document

    def _remote_document(self, identifier: str, what: str) -> dict:
        if identifier.startswith("did:key:"):
            return _did_key_document(identifier)
        if identifier.startswith("did:web:"):
            return self.fetcher.fetch_json(did_web_url(identifier, self.did_web_scheme), what="did:web document")
        if identifier.startswith("did:"):
            method = identifier.split(":", 2)[1]
            raise ResolutionError(f"{identifier} uses DID method {method!r}, which is not supported (did:key, did:web)")
        if identifier.startswith(("https://", "http://")):
            return self.fetcher.fetch_json(identifier, what=what)
        raise ResolutionError(f"{identifier!r} is neither a DID nor an https URL")


def _did_key_document(did: str) -> dict:
    multibase = did[len("did:key:") :]
    try:
        public_key_from_multikey(multibase)
    except ValueError:
        raise ResolutionError(
            f"{did} is not a did:key this verifier understands (Ed25519 z6Mk… or P-256 zDn… keys)"
        ) from None
    vm_id = f"{did}#{multibase}"
    document: dict = {
        "id": did,
        "verificationMethod": [{"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": multibase}],
    }
    document.update({name: [vm_id] for name in DID_KEY_RELATIONSHIPS})
    return document


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _absolute(reference: str, base: str) -> str:
    """``reference`` made absolute against the document ``base`` it appears in (``#key-1`` is the usual case)."""
    if reference.startswith("#"):
        return base + reference
    if base.startswith(("https://", "http://")):
        return urljoin(base, reference)
    return reference


def _find_method(document: dict, vm_id: str, base: str) -> dict | None:
    candidates = list(_as_list(document.get("verificationMethod")))
    # A method may also be embedded in a relationship instead of listed under verificationMethod.
    for name in RELATIONSHIPS:
        candidates.extend(entry for entry in _as_list(document.get(name)) if isinstance(entry, dict))
    for candidate in candidates:
        if (
            isinstance(candidate, dict)
            and isinstance(candidate.get("id"), str)
            and _absolute(candidate["id"], base) == vm_id
        ):
            return candidate
    return None


def _lists(document: dict, relationship: str, vm_id: str, base: str) -> bool:
    for entry in _as_list(document.get(relationship)):
        reference = entry.get("id") if isinstance(entry, dict) else entry
        if isinstance(reference, str) and _absolute(reference, base) == vm_id:
            return True
    return False


def _as_list(value: object) -> list:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _check_shape(method: object, vm_id: str) -> None:
    if not isinstance(method, dict):
        raise ResolutionError(f"verification method {vm_id} is not a JSON object")
    for name in ("id", "type", "controller"):
        if not isinstance(method.get(name), str) or not method[name]:
            raise ResolutionError(f"verification method {vm_id} has no {name}")


def _public_key(method: dict, vm_id: str) -> tuple[PublicKey, str]:
    kind = method["type"]
    try:
        if kind in MULTIBASE_TYPES and "publicKeyMultibase" in method:
            value = method["publicKeyMultibase"]
            if kind == "Ed25519VerificationKey2020" and not str(value).startswith("z6Mk"):
                raise ValueError("an Ed25519VerificationKey2020 must hold an Ed25519 key (z6Mk…)")
            return public_key_from_multikey(value)
        if kind in JWK_TYPES and "publicKeyJwk" in method:
            return public_key_from_jwk(method["publicKeyJwk"])
    except ValueError as exc:
        raise ResolutionError(f"verification method {vm_id}: {exc}") from None
    raise ResolutionError(
        f"verification method {vm_id} of type {kind!r} has no key this verifier can read "
        "(Multikey with publicKeyMultibase, or JsonWebKey with publicKeyJwk)"
    )
