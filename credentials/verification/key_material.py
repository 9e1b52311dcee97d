"""Public keys from the two ways a verification method publishes them: ``publicKeyMultibase`` and ``publicKeyJwk``.

Supported: Ed25519 (EdDSA) as Multikey ``z6Mk…``, Ed25519VerificationKey2020 or an OKP JWK; P-256 (ES256) as Multikey
``zDn…`` or an EC JWK; RSA (RS256) as an RSA JWK of at least 2048 bits. Every failure is a ``ValueError`` with a
sentence a person can act on.
"""

from __future__ import annotations

import base64
import binascii
import re

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials.crypto.multikey import decode_base58btc, public_key_from_multibase

PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey

# Multicodec header of p256-pub (varint 0x1200) before a 33-byte compressed point.
P256_PUB_HEADER = b"\x80\x24"
MIN_RSA_BITS = 2048
ALGORITHMS_BY_KIND = {"Ed25519": "EdDSA", "P-256": "ES256", "RSA": "RS256"}
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")
# Members that only a private JWK has: publishing one means the key is compromised, so it is never used.
_PRIVATE_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


def public_key_from_multikey(value: object) -> tuple[PublicKey, str]:
    """The key and JOSE algorithm of a ``publicKeyMultibase`` value (Ed25519 ``z6Mk…`` or P-256 ``zDn…``)."""
    if not isinstance(value, str):
        raise ValueError("publicKeyMultibase is not a string")
    if value.startswith("z6Mk"):
        return public_key_from_multibase(value), "EdDSA"
    if value.startswith("zDn"):
        data = decode_base58btc(value)
        if not data.startswith(P256_PUB_HEADER) or len(data) != len(P256_PUB_HEADER) + 33:
            raise ValueError("publicKeyMultibase is not a compressed P-256 public key")
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), data[len(P256_PUB_HEADER) :]), "ES256"
    raise ValueError("publicKeyMultibase is neither an Ed25519 (z6Mk…) nor a P-256 (zDn…) key")


def public_key_from_jwk(jwk: object) -> tuple[PublicKey, str]:
    """The key and JOSE algorithm of a public JWK: OKP Ed25519, EC P-256 or RSA; ``ValueError`` for anything else."""
    if not isinstance(jwk, dict):
        raise ValueError("publicKeyJwk is not a JSON object")
    if any(member in jwk for member in _PRIVATE_JWK_MEMBERS):
        raise ValueError("publicKeyJwk contains private key material; the key must be treated as compromised")
    if jwk.get("use", "sig") != "sig":
        raise ValueError(f"publicKeyJwk is for {jwk.get('use')!r}, not for signatures")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP" and crv == "Ed25519":
        key, kind = Ed25519PublicKey.from_public_bytes(_member(jwk, "x", 32)), "Ed25519"
    elif kty == "EC" and crv == "P-256":
        x = int.from_bytes(_member(jwk, "x", 32), "big")
        y = int.from_bytes(_member(jwk, "y", 32), "big")
        try:
            # public_key() checks that the point lies on the curve: an off-curve point can leak a private key.
            key, kind = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key(), "P-256"
        except ValueError:
            raise ValueError("publicKeyJwk x and y are not a point on the P-256 curve") from None
    elif kty == "RSA":
        n = int.from_bytes(_member(jwk, "n"), "big")
        e = int.from_bytes(_member(jwk, "e"), "big")
        if n.bit_length() < MIN_RSA_BITS:
            raise ValueError(f"publicKeyJwk is an RSA key of {n.bit_length()} bits; at least {MIN_RSA_BITS} are needed")
        try:
            key, kind = rsa.RSAPublicNumbers(e, n).public_key(), "RSA"
        except ValueError:
            raise ValueError("publicKeyJwk is not a valid RSA public key") from None
    else:
        raise ValueError(f"publicKeyJwk of kty {kty!r} and crv {crv!r} is not supported (Ed25519, P-256 or RSA)")
    algorithm = ALGORITHMS_BY_KIND[kind]
    if "alg" in jwk and jwk["alg"] != algorithm:
        raise ValueError(f"publicKeyJwk says alg {jwk['alg']!r}, but a {kind} key signs with {algorithm}")
    return key, algorithm


def _member(jwk: dict, name: str, size: int | None = None) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str) or not value or not _BASE64URL.match(value):
        raise ValueError(f"publicKeyJwk member {name!r} is missing or not base64url")
    try:
        data = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ValueError(f"publicKeyJwk member {name!r} is not base64url") from None
    if size is not None and len(data) != size:
        raise ValueError(f"publicKeyJwk member {name!r} is {len(data)} bytes; expected {size}")
    return data
