"""The issuer's did:web identifier and DID document, derived from MICROCRED_PUBLIC_URL.

did:web (W3C CCG did:web method): the host, with a port percent-encoded as ``%3A``, then any path segments joined
by ``:``. ``https://example.org`` is ``did:web:example.org`` (document at ``/.well-known/did.json``);
``https://example.org:8443/district`` is ``did:web:example.org%3A8443:district`` (document at ``/district/did.json``).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
JWK_CONTEXT = "https://w3id.org/security/jwk/v1"


@dataclass(frozen=True)
class PublishedKey:
    """A key the DID document lists: Ed25519 as a Multikey, RSA as a JsonWebKey."""

    kid: str
    public_multibase: str | None
    public_jwk: dict


def did_for_url(public_url: str) -> str:
    """The did:web identifier of the service reached at ``public_url``."""
    parts = urlsplit(public_url)
    if not parts.hostname:
        raise ValueError(f"{public_url!r} has no host name")
    host = parts.hostname
    if parts.port:
        host = f"{host}%3A{parts.port}"
    segments = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did", "web", host, *segments])


def did_document_path(public_url: str) -> str:
    """The path under which the DID document of ``public_url``'s did:web is served."""
    path = urlsplit(public_url).path.rstrip("/")
    return f"{path}/did.json" if path else "/.well-known/did.json"


def verification_method_id(did: str, kid: str) -> str:
    """The verification method id of key ``kid`` in the DID document of ``did``."""
    return f"{did}#{kid}"


def did_document(did: str, keys: list[PublishedKey]) -> dict:
    """The DID document listing ``keys`` (every key that is not revoked) for assertions."""
    methods = []
    for key in keys:
        method = {"id": verification_method_id(did, key.kid), "controller": did}
        if key.public_multibase:
            method |= {"type": "Multikey", "publicKeyMultibase": key.public_multibase}
        else:
            method |= {"type": "JsonWebKey", "publicKeyJwk": key.public_jwk}
        methods.append(method)
    contexts = [DID_CONTEXT, MULTIKEY_CONTEXT]
    if any(not key.public_multibase for key in keys):
        contexts.append(JWK_CONTEXT)
    ids = [method["id"] for method in methods]
    return {
        "@context": contexts,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": [],
    }
