"""Public keys from JWKs and Multikeys, on fixed published vectors (RFC 8032, RFC 8037, RFC 7517) and tampered ones."""

from __future__ import annotations

import base64

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import rsa

from credentials.verification.key_material import public_key_from_jwk, public_key_from_multikey

# RFC 8032 section 7.1, test 1: public key, and its signature of the empty message; RFC 8037 A.2 gives the JWK.
RFC8032_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
RFC8032_SIGNATURE = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)
RFC8037_JWK = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
# RFC 7517 appendix A.1, the P-256 example key.
RFC7517_P256 = {
    "kty": "EC",
    "crv": "P-256",
    "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
    "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
    "use": "enc",
    "kid": "1",
}
RFC7517_P256_X_HEX = "30a0424cd21c2944838a2d75c92b37e76ea20d9f00893a3b4eee8a3c0aafec3e"


def test_the_rfc_8037_ed25519_jwk_verifies_the_rfc_8032_signature():
    key, algorithm = public_key_from_jwk(RFC8037_JWK)
    assert algorithm == "EdDSA"
    assert key.public_bytes_raw().hex() == RFC8032_PUBLIC
    key.verify(RFC8032_SIGNATURE, b"")
    with pytest.raises(InvalidSignature):
        key.verify(RFC8032_SIGNATURE, b"tampered")


def test_the_rfc_7517_p256_key_is_read_and_a_tampered_point_refused():
    jwk = {k: v for k, v in RFC7517_P256.items() if k != "use"}
    key, algorithm = public_key_from_jwk(jwk)
    assert algorithm == "ES256"
    assert key.public_numbers().x == int.from_bytes(
        bytes.fromhex("30a0424cd21c2944838a2d75c92b37e76ea20d9f00893a3b4eee8a3c0aafec3e")
    )
    tampered = {**jwk, "y": jwk["y"][:-1] + ("A" if jwk["y"][-1] != "A" else "B")}
    with pytest.raises(ValueError, match="not a point on the P-256 curve"):
        public_key_from_jwk(tampered)


@pytest.mark.parametrize(
    ("jwk", "message"),
    [
        (RFC7517_P256, "is for 'enc', not for signatures"),
        ({**RFC8037_JWK, "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}, "private key material"),
        ({**RFC8037_JWK, "alg": "ES256"}, "says alg 'ES256', but a Ed25519 key signs with EdDSA"),
        ({**RFC8037_JWK, "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUR"}, "is 31 bytes; expected 32"),
        ({**RFC8037_JWK, "x": "11qY+YKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}, "not base64url"),
        ({"kty": "OKP", "crv": "X25519", "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}, "not supported"),
        ({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}, "not supported"),
        ({"kty": "oct", "k": "c2VjcmV0"}, "private key material"),
        ("not a jwk", "not a JSON object"),
    ],
)
def test_unusable_jwks_are_refused_with_a_reason(jwk, message):
    with pytest.raises(ValueError, match=message):
        public_key_from_jwk(jwk)


def test_short_rsa_keys_are_refused():
    # A weak key on purpose: the point is that the resolver refuses it.
    numbers = rsa.generate_private_key(65537, 1024).public_key().public_numbers()  # noqa: S505
    jwk = {
        "kty": "RSA",
        "n": _b64url(numbers.n.to_bytes(128)),
        "e": "AQAB",
    }
    with pytest.raises(ValueError, match="RSA key of 1024 bits; at least 2048"):
        public_key_from_jwk(jwk)


def test_multikeys_of_other_kinds_are_refused():
    assert public_key_from_multikey("z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")[1] == "EdDSA"
    for value in ("zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", "z6Mk", "u6Mk", 42):
        with pytest.raises(ValueError):
            public_key_from_multikey(value)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_an_rsa_jwk_with_an_even_exponent_is_refused():
    numbers = rsa.generate_private_key(65537, 2048).public_key().public_numbers()
    jwk = {"kty": "RSA", "n": _b64url(numbers.n.to_bytes(256)), "e": "Ag"}
    with pytest.raises(ValueError, match="not a valid RSA public key"):
        public_key_from_jwk(jwk)
