"""VC-JWT: Open Badges 3.0 credentials secured with the JSON Web Token Proof Format (OB 3.0 §8.2).

Following OB 3.0 §8.2.3 and §8.2.4 (the VC Data Model 2.0 edition of the spec):

- the JOSE header is exactly ``alg``, ``kid`` (the verification method URL) and ``typ: "JWT"``; the spec forbids any
  other header parameter;
- the JWT payload is the credential's own JSON object, with the registered claims ``iss`` (``issuer.id``), ``jti``
  (``id``), ``nbf`` (``validFrom``), ``sub`` (``credentialSubject.id``) and ``exp`` (``validUntil``, when present)
  added at the top level. No ``iat``: the spec does not define its relationship to the credential.

The algorithm used to verify is chosen from the type of the key the caller resolved, never from the token header;
the header ``alg`` must merely agree with it. ``none`` and every HMAC algorithm are refused outright.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwt.api_jws import PyJWS

MAX_TOKEN_LENGTH = 1024 * 1024
MIN_RSA_BITS = 2048
ALLOWED_ALGORITHMS = ("EdDSA", "ES256", "RS256")
# OB 3.0 §8.2.3: "Additional JOSE Headers are NOT allowed". A ``jwk`` header is allowed by the spec but never trusted
# here: the key always comes from the caller's resolver, so a token cannot vouch for itself.
ALLOWED_HEADERS = frozenset({"alg", "kid", "typ", "jwk"})
# The JWT claim names of RFC 7519 §4.1; they are not part of the credential and are stripped from the payload.
REGISTERED_CLAIMS = ("iss", "sub", "aud", "exp", "nbf", "iat", "jti")

PublicKey = ed25519.Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey
PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
KeyResolver = Callable[[str, str], PublicKey]


class JwtError(ValueError):
    """A VC-JWT that cannot be created or that does not verify; the message is a sentence for a person."""


class JwtNotYetValid(JwtError):
    """The signature is good but the credential's ``validFrom`` is still in the future."""


class JwtExpired(JwtError):
    """The signature is good but the credential's ``validUntil`` has passed."""


@dataclass(frozen=True)
class VcJwt:
    """A verified VC-JWT: its JOSE header, its full payload and the credential recovered from it."""

    header: dict[str, Any]
    payload: dict[str, Any]
    credential: dict[str, Any]


def algorithm_for_key(key: PublicKey | PrivateKey) -> str:
    """The one JWS algorithm this project uses with a key of this type; ``JwtError`` for any other key."""
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "EdDSA"
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise JwtError(f"RSA keys must have at least {MIN_RSA_BITS} bits; this one has {key.key_size}")
        return "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise JwtError(f"only P-256 elliptic-curve keys are supported (ES256), not {key.curve.name}")
        return "ES256"
    raise JwtError(f"unsupported key type {type(key).__name__}; use Ed25519, RSA or P-256")


def encode_vc_jwt(credential: dict[str, Any], private_key: PrivateKey, kid: str) -> str:
    """Sign an unsecured credential as a compact VC-JWT (OB 3.0 §8.2) with the key identified by ``kid``."""
    if not kid:
        raise JwtError("the key id (kid) is required: verifiers dereference it to find the public key")
    clashing = sorted(name for name in REGISTERED_CLAIMS if name in credential)
    if clashing:
        raise JwtError(f"the credential has top-level members named like JWT claims: {', '.join(clashing)}")
    algorithm = algorithm_for_key(private_key)
    payload = {**credential, **registered_claims(credential)}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return PyJWS().encode(body, private_key, algorithm=algorithm, headers={"kid": kid, "typ": "JWT"})


def registered_claims(credential: dict[str, Any]) -> dict[str, Any]:
    """The JWT claims OB 3.0 §8.2.4 derives from a credential (``iss``, ``jti``, ``nbf``, ``sub``, ``exp``)."""
    credential_id = credential.get("id")
    if not isinstance(credential_id, str) or not credential_id:
        raise JwtError("the credential has no id, which the jti claim requires")
    valid_from = credential.get("validFrom")
    if valid_from is None:
        raise JwtError("the credential has no validFrom, which the nbf claim requires")
    claims: dict[str, Any] = {
        "iss": issuer_id(credential),
        "jti": credential_id,
        "nbf": numeric_date(valid_from, "validFrom"),
    }
    subject = subject_id(credential)
    if subject is not None:
        claims["sub"] = subject
    if credential.get("validUntil") is not None:
        claims["exp"] = numeric_date(credential["validUntil"], "validUntil")
    return claims


def decode_vc_jwt(token: str, resolve_key: KeyResolver, *, now: datetime | None = None) -> VcJwt:
    """Verify a compact VC-JWT and return its header, payload and credential; ``JwtError`` says why it fails."""
    if not isinstance(token, str):
        raise JwtError("a VC-JWT must be a string")
    token = token.strip()
    if len(token) > MAX_TOKEN_LENGTH:
        raise JwtError(f"the token is larger than {MAX_TOKEN_LENGTH // 1024} KB")
    if token.count(".") != 2:
        raise JwtError("not a compact JWS: expected three base64url parts separated by dots")
    header = parse_header(token.split(".", 1)[0])
    kid = header["kid"]
    public_key = resolve_key(kid, header["alg"])
    if public_key is None:
        raise JwtError(f"no public key is known for kid {kid!r}")
    if isinstance(public_key, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise JwtError("the key resolver returned a private key; verification needs the public key")
    expected = algorithm_for_key(public_key)
    if header["alg"] != expected:
        raise JwtError(f"the token says alg {header['alg']}, but the key for {kid!r} is used only with {expected}")
    try:
        # One algorithm, derived from the key: PyJWT cannot be talked into another one by the header.
        decoded = PyJWS().decode_complete(token, public_key, algorithms=[expected])
    except jwt.InvalidSignatureError as error:
        raise JwtError("the signature does not match: the token was altered or signed by another key") from error
    except jwt.PyJWTError as error:
        raise JwtError(f"the token is not a valid JWS: {error}") from error
    payload = parse_json_object(decoded["payload"], "payload")
    credential = credential_from_payload(payload)
    check_claims(payload, credential, now or datetime.now(UTC))
    return VcJwt(header=header, payload=payload, credential=credential)


def parse_header(segment: str) -> dict[str, Any]:
    """The JOSE header of a compact JWS, checked against OB 3.0 §8.2.3 before any key is looked up."""
    header = parse_json_object(b64url_decode(segment, "header"), "header")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ALLOWED_ALGORITHMS:
        raise JwtError(f"algorithm {alg!r} is not accepted; only {', '.join(ALLOWED_ALGORITHMS)} are")
    extra = sorted(set(header) - ALLOWED_HEADERS)
    if extra:
        raise JwtError(f"the JOSE header has parameters OB 3.0 does not allow: {', '.join(extra)}")
    if "typ" in header and header["typ"] != "JWT":
        raise JwtError(f"the JOSE header typ must be 'JWT' when present, not {header['typ']!r}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise JwtError("the JOSE header has no kid; keys embedded in a token are not trusted")
    return header


def credential_from_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The credential inside a payload: the payload minus JWT claims, or a VCDM 1.1 ``vc`` claim (§8.2.6 note)."""
    if "@context" not in payload and isinstance(payload.get("vc"), dict):
        return dict(payload["vc"])
    return {name: value for name, value in payload.items() if name not in REGISTERED_CLAIMS}


def check_claims(payload: dict[str, Any], credential: dict[str, Any], now: datetime) -> None:
    """OB 3.0 §8.2.6.1: iss, jti, sub, nbf and exp must agree with the credential, and it must be in force now."""
    for claim in ("iss", "jti", "nbf"):
        if claim not in payload:
            raise JwtError(f"the payload has no {claim} claim, which OB 3.0 requires")
    if payload["iss"] != issuer_id(credential):
        raise JwtError("the iss claim does not match the credential's issuer id")
    if payload["jti"] != credential.get("id"):
        raise JwtError("the jti claim does not match the credential id")
    subject = subject_id(credential)
    if payload.get("sub") != subject:
        raise JwtError("the sub claim does not match the credential subject's id")
    # VCDM 1.1 credentials (carried in ``vc``) name the dates issuanceDate and expirationDate.
    valid_from = credential.get("validFrom", credential.get("issuanceDate"))
    valid_until = credential.get("validUntil", credential.get("expirationDate"))
    if valid_from is None:
        raise JwtError("the credential has no validFrom")
    not_before = numeric_date(valid_from, "validFrom")
    if payload["nbf"] != not_before:
        raise JwtError("the nbf claim does not match the credential's validFrom")
    expires = None if valid_until is None else numeric_date(valid_until, "validUntil")
    if payload.get("exp") != expires:
        raise JwtError("the exp claim does not match the credential's validUntil")
    timestamp = now.timestamp()
    if timestamp < not_before:
        raise JwtNotYetValid(f"the credential is not valid until {valid_from}")
    if expires is not None and timestamp >= expires:
        raise JwtExpired(f"the credential expired at {valid_until}")


def issuer_id(credential: dict[str, Any]) -> str:
    """The issuer id of a credential whose ``issuer`` is a Profile object or a bare IRI."""
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(value, str) or not value:
        raise JwtError("the credential has no issuer id, which the iss claim requires")
    return value


def subject_id(credential: dict[str, Any]) -> str | None:
    """``credentialSubject.id``, or None when the subject is identified only by ``identifier`` (OB 3.0 allows it)."""
    subject = credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if not isinstance(subject, dict):
        raise JwtError("the credential must have exactly one credentialSubject object")
    value = subject.get("id")
    if value is not None and (not isinstance(value, str) or not value):
        raise JwtError("credentialSubject.id must be a non-empty string")
    return value


def numeric_date(value: Any, name: str) -> int:
    """An xsd:dateTime with a time zone as a JWT NumericDate (whole seconds since the epoch, fractions dropped)."""
    if not isinstance(value, str):
        raise JwtError(f"{name} must be a date-time string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise JwtError(f"{name} is not a valid date-time: {value!r}") from error
    if moment.tzinfo is None:
        raise JwtError(f"{name} must include a time zone, e.g. 'Z': {value!r}")
    return int(moment.timestamp() // 1)


def b64url_decode(segment: str, part: str) -> bytes:
    """Base64url without padding, as JWS uses it; ``JwtError`` naming the part on bad input."""
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as error:
        raise JwtError(f"the token {part} is not valid base64url") from error


def b64url_encode(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def parse_json_object(data: bytes, part: str) -> dict[str, Any]:
    """A JSON object from UTF-8 bytes; duplicate member names are refused because readers could disagree on them."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            raise JwtError(f"the token {part} repeats a member name")
        return result

    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise JwtError(f"the token {part} is not UTF-8 JSON") from error
    if not isinstance(value, dict):
        raise JwtError(f"the token {part} must be a JSON object")
    return value


def public_jwk(public_key: PublicKey, kid: str) -> dict[str, str]:
    """The public JWK (RFC 7517) of an Ed25519, RSA or P-256 key, with ``kid``, ``alg`` and ``use``; never ``d``."""
    if isinstance(public_key, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise JwtError("public_jwk takes a public key; pass private_key.public_key()")
    algorithm = algorithm_for_key(public_key)
    jwk: dict[str, str]
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    elif isinstance(public_key, rsa.RSAPublicKey):
        numbers = public_key.public_numbers()
        jwk = {"kty": "RSA", "n": b64url_encode(int_bytes(numbers.n)), "e": b64url_encode(int_bytes(numbers.e))}
    else:
        numbers = public_key.public_numbers()
        jwk = {"kty": "EC", "crv": "P-256", "x": b64url_encode(numbers.x.to_bytes(32, "big"))}
        jwk["y"] = b64url_encode(numbers.y.to_bytes(32, "big"))
    return {**jwk, "kid": kid, "alg": algorithm, "use": "sig"}


def public_key_from_jwk(jwk: dict[str, Any]) -> PublicKey:
    """The public key of an OKP/Ed25519, RSA or EC/P-256 JWK; a JWK carrying private material is refused."""
    if not isinstance(jwk, dict):
        raise JwtError("a JWK must be a JSON object")
    if "d" in jwk or "p" in jwk:
        raise JwtError("this JWK contains private key material; only public keys are accepted")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    try:
        if kty == "OKP" and crv == "Ed25519":
            raw = jwk_bytes(jwk, "x")
            if len(raw) != 32:
                raise JwtError("an Ed25519 JWK's x must be 32 bytes")
            key: PublicKey = ed25519.Ed25519PublicKey.from_public_bytes(raw)
        elif kty == "RSA":
            n = int.from_bytes(jwk_bytes(jwk, "n"), "big")
            e = int.from_bytes(jwk_bytes(jwk, "e"), "big")
            key = rsa.RSAPublicNumbers(e, n).public_key()
        elif kty == "EC" and crv == "P-256":
            x = int.from_bytes(jwk_bytes(jwk, "x"), "big")
            y = int.from_bytes(jwk_bytes(jwk, "y"), "big")
            key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        else:
            raise JwtError(f"unsupported JWK: kty {kty!r}, crv {crv!r}; use OKP/Ed25519, RSA or EC/P-256")
    except JwtError:
        raise
    except ValueError as error:
        raise JwtError(f"the JWK does not describe a valid {kty} public key") from error
    algorithm = algorithm_for_key(key)
    if "alg" in jwk and jwk["alg"] != algorithm:
        raise JwtError(f"the JWK says alg {jwk['alg']!r}, but this key is used only with {algorithm}")
    return key


def jwk_bytes(jwk: dict[str, Any], member: str) -> bytes:
    """A required base64url member of a JWK as bytes."""
    value = jwk.get(member)
    if not isinstance(value, str) or not value:
        raise JwtError(f"the JWK has no {member!r} member")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as error:
        raise JwtError(f"the JWK member {member!r} is not base64url") from error


def int_bytes(value: int) -> bytes:
    """The minimal big-endian bytes of a positive integer, as JWK ``n`` and ``e`` require."""
    return value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
