"""Credentials from other issuers, built in the test: the official OB 3.0 vector re-signed with did:key, did:web and
https keys, as Data Integrity proofs or VC-JWTs, with status lists served by the local test server."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from credentials.crypto.data_integrity import sign_eddsa_rdfc_2022
from credentials.crypto.multikey import encode_base58btc, public_key_to_multibase
from credentials.crypto.status_bitstring import StatusBitstring
from credentials.crypto.vc_jwt import b64url_encode, encode_vc_jwt, public_jwk

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "ob3"
TEST_KEY = json.loads((VECTORS / "test-key.json").read_text())
CREATED = "2026-01-01T00:00:00Z"


def vector() -> dict:
    """The official signed OB 3.0 test vector (issuer https://example.edu/issuers/565049)."""
    return json.loads((VECTORS / "ob-ldp-test-vector-signed.json").read_text())


def test_key() -> Ed25519PrivateKey:
    """The spec's published test key (not a secret)."""
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(TEST_KEY["secretKeySeedHex"]))


def did_key(private_key: Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> str:
    """The did:key of an Ed25519 or P-256 key."""
    public = private_key.public_key()
    if isinstance(public, ec.EllipticCurvePublicKey):
        return "did:key:" + encode_base58btc(
            b"\x80\x24" + public.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
        )
    return "did:key:" + public_key_to_multibase(public)


def unsigned(issuer: str, **changes) -> dict:
    """The vector without its proof, issued by ``issuer``, with ``changes`` applied at the top level."""
    document = vector()
    del document["proof"]
    document["issuer"] = {**document["issuer"], "id": issuer}
    document.update(changes)
    return document


def signed(document: dict, private_key: Ed25519PrivateKey, verification_method: str) -> dict:
    """``document`` with an eddsa-rdfc-2022 proof by ``private_key``."""
    return sign_eddsa_rdfc_2022(copy.deepcopy(document), private_key, verification_method, CREATED)


def did_key_credential(private_key: Ed25519PrivateKey | None = None, **changes) -> dict:
    """A credential issued and signed by a did:key (the test key by default)."""
    private_key = private_key or test_key()
    did = did_key(private_key)
    return signed(unsigned(did, **changes), private_key, f"{did}#{did.split(':')[-1]}")


def jwt_credential(private_key, kid: str, issuer: str, **changes) -> str:
    """A VC-JWT of the vector issued by ``issuer``, signed by ``private_key`` as ``kid``."""
    return encode_vc_jwt(unsigned(issuer, **changes), private_key, kid)


def rsa_key() -> rsa.RSAPrivateKey:
    """A fresh 2048-bit RSA key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def controller_document(controller: str, kid: str, private_key) -> dict:
    """An https controller document listing ``private_key``'s public half as a JsonWebKey for assertions."""
    method = {
        "id": kid,
        "type": "JsonWebKey",
        "controller": controller,
        "publicKeyJwk": public_jwk(private_key.public_key(), kid),
    }
    return {"id": controller, "verificationMethod": [method], "assertionMethod": [kid]}


def status_list(
    list_url: str,
    issuer: str,
    private_key: Ed25519PrivateKey,
    set_bits=(),
    purpose="revocation",
    verification_method: str | None = None,
) -> dict:
    """A signed BitstringStatusListCredential with ``set_bits`` set, signed as ``verification_method`` (by default
    the did:key ``issuer``'s key)."""
    bits = StatusBitstring()
    for index in set_bits:
        bits.set(index)
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": f"{list_url}#list", "type": "BitstringStatusList", "statusPurpose": purpose,
                              "encodedList": bits.encode()},
    }  # fmt: skip
    return signed(document, private_key, verification_method or f"{issuer}#{issuer.split(':')[-1]}")


def status_entry(list_url: str, index: int, purpose: str = "revocation") -> dict:
    """A BitstringStatusListEntry pointing at entry ``index`` of ``list_url``."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def multikey_document(vm_id: str, controller: str, private_key: Ed25519PrivateKey) -> dict:
    """A stand-alone Multikey verification method document (what an https key URL serves)."""
    return {
        "id": vm_id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": public_key_to_multibase(private_key.public_key()),
    }


def nested(levels: int) -> str:
    """JSON text of ``levels`` arrays, each inside the last."""
    return "[" * levels + "]" * levels


def jwt_with(header_extra: str = "", payload_extra: str = "") -> str:
    """A did:key VC-JWT (bad signature) whose header or payload has an extra member ``x`` with the given JSON."""
    did = did_key(test_key())
    header = json.dumps({"alg": "EdDSA", "kid": f"{did}#{did.split(':')[-1]}", "typ": "JWT"})
    payload = json.dumps(unsigned(did))
    if header_extra:
        header = header[:-1] + f', "x": {header_extra}}}'
    if payload_extra:
        payload = payload[:-1] + f', "x": {payload_extra}}}'
    return f"{b64url_encode(header.encode())}.{b64url_encode(payload.encode())}.c2lnbmF0dXJl"
