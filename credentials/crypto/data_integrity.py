"""W3C Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (VC Data Integrity EdDSA Cryptosuites v1.0).

Signing, for an unsecured document and proof options:

1. proof configuration = the proof options (no ``proofValue``) with the document's ``@context``;
2. both are canonicalized with RDFC-1.0 (URDNA2015) to N-Quads, using only the bundled contexts
   (``credentials.crypto.canonical``: fast, and refusing undefined terms and relative IRIs);
3. hash data = SHA-256(canonical proof configuration) || SHA-256(canonical document);
4. ``proofValue`` = multibase base58btc of the Ed25519 signature over the hash data.

Ed25519 is deterministic, so the same document, key and proof options always give the same ``proofValue``; the
official Open Badges 3.0 test vector in ``tests/vectors/ob3/`` pins this byte for byte.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from credentials.crypto.canonical import canonicalize
from credentials.crypto.multikey import decode_base58btc, encode_base58btc

__all__ = ["canonicalize", "sign_eddsa_rdfc_2022", "verify_eddsa_rdfc_2022"]

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
SIGNATURE_LENGTH = 64


def _hash_data(unsecured: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    proof_config = {**proof_options, "@context": unsecured["@context"]}
    proof_config.pop("proofValue", None)
    config_hash = hashlib.sha256(canonicalize(proof_config).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonicalize(unsecured).encode("utf-8")).digest()
    return config_hash + document_hash


def sign_eddsa_rdfc_2022(
    document: dict[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """A copy of ``document`` with an eddsa-rdfc-2022 ``proof``; ``document`` itself is not changed."""
    if "proof" in document:
        raise ValueError("document already has a proof; sign the unsecured document")
    if "@context" not in document:
        raise ValueError("document has no @context")
    proof = {
        "type": PROOF_TYPE,
        "created": created,
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": proof_purpose,
    }
    signature = private_key.sign(_hash_data(document, proof))
    secured = copy.deepcopy(document)
    secured["proof"] = {**proof, "proofValue": encode_base58btc(signature)}
    return secured


def verify_eddsa_rdfc_2022(document: dict[str, Any], public_key: Ed25519PublicKey) -> bool:
    """Whether ``document`` carries a valid eddsa-rdfc-2022 proof by ``public_key``.

    A malformed or missing proof is ``False``. ``proof`` may be an object or a one-element array (OB 3.0's JSON
    Schema wants arrays). Checking that ``public_key`` belongs to the proof's ``verificationMethod`` is the caller's
    job. A context that is not bundled raises ``UnknownContextError``; a document that is not safe to canonicalize
    (an undefined term, a relative IRI) raises ``JsonLdSafeModeError``.
    """
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict) or "@context" not in document:
        return False
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return False
    try:
        signature = decode_base58btc(proof.get("proofValue"))
    except ValueError:
        return False
    if len(signature) != SIGNATURE_LENGTH:
        return False
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof_options = {key: value for key, value in proof.items() if key != "proofValue"}
    if "@context" in proof_options:
        # A proof may carry its own @context only if the document's context starts with it (spec, section 3.3.2).
        own = proof_options.pop("@context")
        own_list = own if isinstance(own, list) else [own]
        doc_list = unsecured["@context"] if isinstance(unsecured["@context"], list) else [unsecured["@context"]]
        if doc_list[: len(own_list)] != own_list:
            return False
    try:
        public_key.verify(signature, _hash_data(unsecured, proof_options))
    except InvalidSignature:
        return False
    return True
