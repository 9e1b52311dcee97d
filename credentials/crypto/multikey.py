"""Multikey encoding of Ed25519 public keys: ``publicKeyMultibase`` values such as ``z6Mk…``.

The value is multibase base58btc (prefix ``z``) of the multicodec header for ed25519-pub (varint 0xed, i.e. the bytes
``0xed 0x01``) followed by the 32 raw public-key bytes.
"""

from __future__ import annotations

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519_PUB_HEADER = b"\xed\x01"
BASE58BTC_PREFIX = "z"


def encode_base58btc(data: bytes) -> str:
    """Multibase base58btc: ``z`` followed by the Bitcoin-alphabet base58 of ``data``."""
    return BASE58BTC_PREFIX + base58.b58encode(data).decode("ascii")


def decode_base58btc(value: str) -> bytes:
    """The bytes of a multibase base58btc string; ``ValueError`` if it is not one."""
    if not isinstance(value, str) or not value.startswith(BASE58BTC_PREFIX):
        raise ValueError("expected a multibase base58btc string starting with 'z'")
    return base58.b58decode(value[1:])


def public_key_to_multibase(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return encode_base58btc(ED25519_PUB_HEADER + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    data = decode_base58btc(value)
    if len(data) != len(ED25519_PUB_HEADER) + 32 or not data.startswith(ED25519_PUB_HEADER):
        raise ValueError("publicKeyMultibase is not an Ed25519 public key (expected 0xed01 + 32 bytes)")
    return Ed25519PublicKey.from_public_bytes(data[len(ED25519_PUB_HEADER) :])
