"""VC-JWT (OB 3.0 §8.2): header and claims, round trips, fixed vectors and tamper cases."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from credentials.crypto.vc_jwt import (
    JwtError,
    JwtExpired,
    JwtNotYetValid,
    VcJwt,
    decode_vc_jwt,
    encode_vc_jwt,
    public_jwk,
    public_key_from_jwk,
)

KID = "https://issuer.example.org/keys/1#key-1"
NOW = datetime(2025, 6, 1, tzinfo=UTC)
# RFC 8037 Appendix A.1: an Ed25519 key pair as a JWK.
RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def segments(token):
    header, payload, signature = token.split(".")
    return json.loads(unb64url(header)), json.loads(unb64url(payload)), signature


def credential(**changes):
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:5a1c2e7e-8f3d-4d7a-9b1e-0c6f2b9d4a11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://issuer.example.org/issuers/1", "type": ["Profile"], "name": "Example District"},
        "validFrom": "2025-01-15T09:30:00Z",
        "name": "Exit Tickets",
        "credentialSubject": {
            "id": "did:example:teacher-42",
            "type": ["AchievementSubject"],
            "achievement": {"id": "https://issuer.example.org/achievements/exit-tickets", "type": ["Achievement"]},
        },
    }
    document.update(changes)
    return {key: value for key, value in document.items() if value is not None}


@pytest.fixture(scope="module")
def ed_key():
    return ed25519.Ed25519PrivateKey.from_private_bytes(unb64url(RFC8037_D))


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_ed_key():
    return ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def resolver(public_key, kid=KID):
    calls = []

    def resolve(asked_kid, alg):
        calls.append((asked_kid, alg))
        return public_key if asked_kid == kid else None

    resolve.calls = calls
    return resolve


def forge(header, payload, signature=b"") -> str:
    """A compact JWS with arbitrary header and payload, for attacks the signer would never produce."""
    encode = lambda value: b64url(json.dumps(value).encode())  # noqa: E731
    return f"{encode(header)}.{encode(payload)}.{b64url(signature)}"


# --- Format --------------------------------------------------------------------------------------------------------


def test_header_and_claims_follow_ob3_section_8_2(ed_key):
    token = encode_vc_jwt(credential(validUntil="2030-01-01T00:00:00Z"), ed_key, KID)
    header, payload, _ = segments(token)
    assert header == {"alg": "EdDSA", "kid": KID, "typ": "JWT"}
    assert payload["iss"] == "https://issuer.example.org/issuers/1"
    assert payload["jti"] == "urn:uuid:5a1c2e7e-8f3d-4d7a-9b1e-0c6f2b9d4a11"
    assert payload["sub"] == "did:example:teacher-42"
    assert payload["nbf"] == int(datetime(2025, 1, 15, 9, 30, tzinfo=UTC).timestamp())
    assert payload["exp"] == int(datetime(2030, 1, 1, tzinfo=UTC).timestamp())
    assert "iat" not in payload and "vc" not in payload
    # The payload is the credential itself plus the claims, not a wrapper.
    assert {k: v for k, v in payload.items() if k not in {"iss", "jti", "sub", "nbf", "exp"}} == credential(
        validUntil="2030-01-01T00:00:00Z"
    )


def test_eddsa_token_is_a_fixed_vector(ed_key):
    # Ed25519 is deterministic, so the RFC 8037 key and this credential always give this signature. It pins the
    # exact bytes we sign (header order, compact JSON, UTF-8, claim placement): if it changes, so do issued tokens.
    token = encode_vc_jwt(credential(), ed_key, KID)
    header_segment, payload_segment, signature = token.split(".")
    assert header_segment == b64url(b'{"alg":"EdDSA","kid":"' + KID.encode() + b'","typ":"JWT"}')
    assert signature == "IOtIyiK3iqn5eFUpvoEd1a1ULLJ3F2SSUOb5vvSso33aM_JZWd1Fv2KhVNQwCRqplr8jv3VTt2sVlKDlbHaAAw"
    ed_key.public_key().verify(unb64url(signature), f"{header_segment}.{payload_segment}".encode())


def test_subject_without_id_has_no_sub_claim(ed_key):
    document = credential()
    del document["credentialSubject"]["id"]
    document["credentialSubject"]["identifier"] = [{"type": "IdentityObject", "identityHash": "x", "hashed": False}]
    token = encode_vc_jwt(document, ed_key, KID)
    assert "sub" not in segments(token)[1]
    assert decode_vc_jwt(token, resolver(ed_key.public_key()), now=NOW).credential == document


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": None}, "no id"),
        ({"validFrom": None}, "no validFrom"),
        ({"issuer": {"type": ["Profile"]}}, "no issuer id"),
        ({"validFrom": "2025-01-15T09:30:00"}, "time zone"),
        ({"validFrom": "yesterday"}, "not a valid date-time"),
        ({"iss": "https://elsewhere.example"}, "named like JWT claims"),
    ],
)
def test_encode_refuses_credentials_that_cannot_make_the_claims(ed_key, changes, message):
    with pytest.raises(JwtError, match=message):
        encode_vc_jwt(credential(**changes), ed_key, KID)


def test_encode_refuses_small_rsa_keys_and_missing_kid(ed_key):
    with pytest.raises(JwtError, match="kid"):
        encode_vc_jwt(credential(), ed_key, "")
    with pytest.raises(JwtError, match="only P-256"):
        encode_vc_jwt(credential(), ec.generate_private_key(ec.SECP384R1()), KID)


# --- Round trips ---------------------------------------------------------------------------------------------------


def test_eddsa_round_trip(ed_key):
    document = credential(validUntil="2030-01-01T00:00:00Z")
    resolve = resolver(ed_key.public_key())
    result = decode_vc_jwt(encode_vc_jwt(document, ed_key, KID), resolve, now=NOW)
    assert isinstance(result, VcJwt)
    assert result.credential == document
    assert result.header["kid"] == KID
    assert resolve.calls == [(KID, "EdDSA")]


def test_rs256_round_trip(rsa_key):
    token = encode_vc_jwt(credential(), rsa_key, KID)
    assert segments(token)[0]["alg"] == "RS256"
    assert decode_vc_jwt(token, resolver(rsa_key.public_key()), now=NOW).credential == credential()


def test_es256_round_trip():
    key = ec.generate_private_key(ec.SECP256R1())
    token = encode_vc_jwt(credential(), key, KID)
    assert decode_vc_jwt(token, resolver(key.public_key()), now=NOW).credential == credential()


def test_non_ascii_text_survives(ed_key):
    document = credential(name="Exit Tickets — niveau avancé ✓")
    result = decode_vc_jwt(encode_vc_jwt(document, ed_key, KID), resolver(ed_key.public_key()), now=NOW)
    assert result.credential["name"] == "Exit Tickets — niveau avancé ✓"


def test_legacy_vc_claim_is_read(ed_key):
    # OB 3.0 §8.2.6 note: VCDM 1.1 credentials sit in a ``vc`` claim and use issuanceDate / expirationDate.
    legacy = credential(validFrom=None, issuanceDate="2025-01-15T09:30:00Z")
    nbf = int(datetime(2025, 1, 15, 9, 30, tzinfo=UTC).timestamp())
    payload = {"vc": legacy, "iss": legacy["issuer"]["id"], "jti": legacy["id"], "sub": "did:example:teacher-42"}
    token = jwt.encode({**payload, "nbf": nbf}, ed_key, algorithm="EdDSA", headers={"kid": KID})
    assert decode_vc_jwt(token, resolver(ed_key.public_key()), now=NOW).credential == legacy


# --- Tampering and algorithm attacks -------------------------------------------------------------------------------


def test_changed_payload_fails(ed_key):
    header, payload, signature = encode_vc_jwt(credential(), ed_key, KID).split(".")
    claims = json.loads(unb64url(payload))
    claims["name"] = "Something Else"
    tampered = f"{header}.{b64url(json.dumps(claims).encode())}.{signature}"
    with pytest.raises(JwtError, match="signature does not match"):
        decode_vc_jwt(tampered, resolver(ed_key.public_key()), now=NOW)


def test_signature_from_another_key_fails(ed_key, other_ed_key):
    token = encode_vc_jwt(credential(), other_ed_key, KID)
    with pytest.raises(JwtError, match="signature does not match"):
        decode_vc_jwt(token, resolver(ed_key.public_key()), now=NOW)


def test_alg_none_is_refused_before_any_key_lookup(ed_key):
    _, payload, _ = segments(encode_vc_jwt(credential(), ed_key, KID))
    resolve = resolver(ed_key.public_key())
    for alg in ("none", "None", "NONE"):
        with pytest.raises(JwtError, match="not accepted"):
            decode_vc_jwt(forge({"alg": alg, "kid": KID, "typ": "JWT"}, payload), resolve, now=NOW)
    assert resolve.calls == []


def test_hs256_is_refused_even_with_the_public_key_as_secret(ed_key):
    # The classic confusion attack: an HMAC "signed" with the issuer's public key bytes.
    _, payload, _ = segments(encode_vc_jwt(credential(), ed_key, KID))
    secret = json.dumps(public_jwk(ed_key.public_key(), KID)).encode()
    unsigned = forge({"alg": "HS256", "kid": KID, "typ": "JWT"}, payload).rsplit(".", 1)[0]
    token = f"{unsigned}.{b64url(hmac.new(secret, unsigned.encode(), hashlib.sha256).digest())}"
    with pytest.raises(JwtError, match="'HS256' is not accepted"):
        decode_vc_jwt(token, resolver(ed_key.public_key()), now=NOW)


def test_rs256_header_with_an_ed25519_key_is_refused(ed_key, rsa_key):
    token = encode_vc_jwt(credential(), rsa_key, KID)
    with pytest.raises(JwtError, match=r"the key for .* is used only with EdDSA"):
        decode_vc_jwt(token, resolver(ed_key.public_key()), now=NOW)


def test_extra_header_parameters_are_refused(ed_key):
    token = jwt.encode({"a": 1}, ed_key, algorithm="EdDSA", headers={"kid": KID, "crit": ["b64"], "b64": False})
    with pytest.raises(JwtError, match="does not allow: b64, crit"):
        decode_vc_jwt(token, resolver(ed_key.public_key()), now=NOW)


def test_missing_kid_and_wrong_typ_are_refused(ed_key):
    with pytest.raises(JwtError, match="no kid"):
        decode_vc_jwt(forge({"alg": "EdDSA"}, {}), resolver(ed_key.public_key()), now=NOW)
    with pytest.raises(JwtError, match="typ must be 'JWT'"):
        decode_vc_jwt(forge({"alg": "EdDSA", "kid": KID, "typ": "vc+jwt"}, {}), resolver(ed_key.public_key()))


def test_unknown_kid_and_private_key_from_resolver_are_refused(ed_key):
    token = encode_vc_jwt(credential(), ed_key, "https://issuer.example.org/keys/unknown")
    with pytest.raises(JwtError, match="no public key is known"):
        decode_vc_jwt(token, resolver(ed_key.public_key()), now=NOW)
    with pytest.raises(JwtError, match="returned a private key"):
        decode_vc_jwt(encode_vc_jwt(credential(), ed_key, KID), lambda kid, alg: ed_key, now=NOW)


@pytest.mark.parametrize(
    "token", ["", "a.b", "a.b.c.d", "!!!.e30.", "e30.e30.", b64url(b"[1]") + ".e30.", b64url(b"\xff") + ".e30."]
)
def test_malformed_tokens_are_refused(ed_key, token):
    with pytest.raises(JwtError):
        decode_vc_jwt(token, resolver(ed_key.public_key()), now=NOW)


def test_oversized_token_is_refused_without_parsing(ed_key):
    resolve = resolver(ed_key.public_key())
    with pytest.raises(JwtError, match="larger than 1024 KB"):
        decode_vc_jwt("e30." + "A" * (1024 * 1024) + ".sig", resolve, now=NOW)
    assert resolve.calls == []


def test_duplicate_payload_members_are_refused(ed_key):
    body = b'{"iss":"https://issuer.example.org/issuers/1","iss":"https://evil.example"}'
    token = jwt.api_jws.PyJWS().encode(body, ed_key, algorithm="EdDSA", headers={"kid": KID})
    with pytest.raises(JwtError, match="repeats a member name"):
        decode_vc_jwt(token, resolver(ed_key.public_key()), now=NOW)


@pytest.mark.parametrize(
    ("claim", "value", "message"),
    [
        ("iss", "https://evil.example", "iss claim does not match"),
        ("jti", "urn:uuid:other", "jti claim does not match"),
        ("sub", "did:example:someone-else", "sub claim does not match"),
        ("nbf", 0, "nbf claim does not match"),
        ("exp", 4102444800, "exp claim does not match"),
        ("iss", None, "no iss claim"),
    ],
)
def test_claims_must_agree_with_the_credential(ed_key, claim, value, message):
    _, payload, _ = segments(encode_vc_jwt(credential(), ed_key, KID))
    payload[claim] = value
    payload = {key: item for key, item in payload.items() if item is not None}
    body = json.dumps(payload).encode()
    token = jwt.api_jws.PyJWS().encode(body, ed_key, algorithm="EdDSA", headers={"kid": KID, "typ": "JWT"})
    with pytest.raises(JwtError, match=message):
        decode_vc_jwt(token, resolver(ed_key.public_key()), now=NOW)


def test_validity_window_is_enforced(ed_key):
    token = encode_vc_jwt(credential(validUntil="2025-03-01T00:00:00Z"), ed_key, KID)
    resolve = resolver(ed_key.public_key())
    with pytest.raises(JwtNotYetValid, match="not valid until 2025-01-15T09:30:00Z"):
        decode_vc_jwt(token, resolve, now=datetime(2025, 1, 15, 9, 29, 59, tzinfo=UTC))
    assert decode_vc_jwt(token, resolve, now=datetime(2025, 1, 15, 9, 30, tzinfo=UTC))
    with pytest.raises(JwtExpired, match="expired at 2025-03-01T00:00:00Z"):
        decode_vc_jwt(token, resolve, now=datetime(2025, 3, 1, tzinfo=UTC))


# --- JWKs ----------------------------------------------------------------------------------------------------------


def test_ed25519_jwk_matches_rfc_8037(ed_key):
    jwk = public_jwk(ed_key.public_key(), KID)
    assert jwk == {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "kid": KID, "alg": "EdDSA", "use": "sig"}
    assert public_key_from_jwk(jwk).public_bytes_raw() == ed_key.public_key().public_bytes_raw()


def test_rsa_and_ec_jwks_round_trip(rsa_key):
    jwk = public_jwk(rsa_key.public_key(), KID)
    assert jwk["kty"] == "RSA" and jwk["e"] == "AQAB" and "d" not in jwk
    assert public_key_from_jwk(jwk).public_numbers() == rsa_key.public_key().public_numbers()
    ec_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    ec_jwk = public_jwk(ec_key, KID)
    assert ec_jwk["crv"] == "P-256" and len(unb64url(ec_jwk["x"])) == 32
    assert public_key_from_jwk(ec_jwk).public_numbers() == ec_key.public_numbers()


def test_jwk_from_another_library_verifies_our_token(ed_key):
    # PyJWT's own JWK reader accepts our JWK and verifies our token: an independent check of both formats.
    token = encode_vc_jwt(credential(), ed_key, KID)
    key = jwt.PyJWK(public_jwk(ed_key.public_key(), KID))
    payload = jwt.decode(token, key, algorithms=["EdDSA"], options={"verify_sub": False, "verify_jti": False})
    assert payload["jti"] == credential()["id"]


@pytest.mark.parametrize(
    ("jwk", "message"),
    [
        ({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "d": RFC8037_D}, "private key material"),
        ({"kty": "OKP", "crv": "Ed25519", "x": b64url(b"short")}, "32 bytes"),
        ({"kty": "OKP", "crv": "X25519", "x": RFC8037_X}, "unsupported JWK"),
        ({"kty": "oct", "k": "c2VjcmV0"}, "unsupported JWK"),
        ({"kty": "OKP", "crv": "Ed25519"}, "no 'x' member"),
        ({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "alg": "RS256"}, "used only with EdDSA"),
        ({"kty": "RSA", "n": b64url(b"\x01" * 64), "e": "AQAB"}, "at least 2048 bits"),
        ({"kty": "EC", "crv": "P-256", "x": b64url(b"\x01" * 32), "y": b64url(b"\x02" * 32)}, "valid EC public key"),
        ("not a dict", "JSON object"),
    ],
)
def test_bad_jwks_are_refused(jwk, message):
    with pytest.raises(JwtError, match=message):
        public_key_from_jwk(jwk)


def test_public_jwk_refuses_a_private_key(ed_key):
    with pytest.raises(JwtError, match="takes a public key"):
        public_jwk(ed_key, KID)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"credentialSubject": [{"id": "a"}, {"id": "b"}]}, "exactly one credentialSubject"),
        ({"credentialSubject": {"id": ""}}, "non-empty string"),
        ({"validFrom": 1736933400}, "must be a date-time string"),
    ],
)
def test_subject_and_dates_are_checked_on_encode(ed_key, changes, message):
    with pytest.raises(JwtError, match=message):
        encode_vc_jwt(credential(**changes), ed_key, KID)


def test_single_subject_in_a_list_is_accepted(ed_key):
    document = credential(credentialSubject=[{"id": "did:example:teacher-42", "type": ["AchievementSubject"]}])
    token = encode_vc_jwt(document, ed_key, KID)
    assert segments(token)[1]["sub"] == "did:example:teacher-42"
    assert decode_vc_jwt(token, resolver(ed_key.public_key()), now=NOW).credential == document


def test_garbled_signature_and_non_string_tokens_are_refused(ed_key):
    header, payload, _ = encode_vc_jwt(credential(), ed_key, KID).split(".")
    with pytest.raises(JwtError, match="not a valid JWS"):
        decode_vc_jwt(f"{header}.{payload}.!!!", resolver(ed_key.public_key()), now=NOW)
    with pytest.raises(JwtError, match="must be a string"):
        decode_vc_jwt(b"a.b.c", resolver(ed_key.public_key()), now=NOW)
