"""The verifier on credentials from other issuers: did:key, did:web and https keys, VC-JWTs with EdDSA, ES256 and
RS256, Bitstring Status Lists and the 1EdTech Revocation List, fetched from a local test server."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials.crypto.vc_jwt import b64url_encode
from credentials.jsonld.contexts import OB_V3P0_EXTENSIONS
from credentials.verification import InputError, Verifier

from . import foreign

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def verifier(fetcher):
    return Verifier(fetcher, did_web_scheme="http")


def results(report) -> dict[str, str]:
    return {check.check: check.result for check in report.checks}


def test_a_did_key_credential_from_another_issuer_verifies(verifier):
    report = verifier.verify(foreign.did_key_credential(), now=NOW)
    assert report.status == "verified", report.as_dict()
    assert results(report) == {
        "structure": "passed", "schema": "passed", "proof": "passed", "key": "passed", "issuer": "passed",
        "validity": "passed", "status": "skipped",
    }  # fmt: skip
    assert report.credential.achievement_name == "Teamwork" and report.credential.issuer_name == "Example Corp"


def test_a_tampered_credential_could_not_be_verified(verifier):
    credential = foreign.did_key_credential()
    credential["credentialSubject"]["achievement"]["name"] = "Leadership"
    report = verifier.verify(credential, now=NOW)
    assert report.status == "invalid" and not report.verified
    assert report.headline == "Could not be verified"
    assert "does not match this document" in report.reason


def test_a_proof_made_for_a_different_document_fails(verifier):
    first = foreign.did_key_credential()
    second = foreign.did_key_credential(name="Another badge")
    second["proof"] = first["proof"]
    report = verifier.verify(second, now=NOW)
    assert report.status == "invalid" and "different document" in report.reason


def test_the_key_must_belong_to_the_issuer(verifier):
    stranger = Ed25519PrivateKey.generate()
    credential = foreign.signed(
        foreign.unsigned(foreign.did_key(foreign.test_key())), stranger, foreign.did_key(stranger) + "#x"
    )
    report = verifier.verify(credential, now=NOW)
    assert report.status == "invalid"
    stranger_vm = foreign.did_key(stranger) + "#" + foreign.did_key(stranger).split(":")[-1]
    credential = foreign.signed(foreign.unsigned(foreign.did_key(foreign.test_key())), stranger, stranger_vm)
    report = verifier.verify(credential, now=NOW)
    assert results(report)["proof"] == "passed" and results(report)["issuer"] == "failed"
    assert "not the issuer" in report.reason


def test_did_web_keys_are_fetched_and_checked(verifier, server):
    key = Ed25519PrivateKey.generate()
    did = f"did:web:127.0.0.1%3A{server.port}"
    vm = f"{did}#key-1"
    multibase = foreign.did_key(key).split(":")[-1]
    method = {"id": vm, "type": "Multikey", "controller": did, "publicKeyMultibase": multibase}
    server.document("/.well-known/did.json", {"id": did, "verificationMethod": [method], "assertionMethod": [vm]})
    report = verifier.verify(foreign.signed(foreign.unsigned(did), key, vm), now=NOW)
    assert report.status == "verified", report.as_dict()
    assert "DID document at http://127.0.0.1" in {c.check: c.message for c in report.checks}["key"]


def test_vc_jwts_with_es256_and_rs256_verify(verifier, server):
    p256 = ec.generate_private_key(ec.SECP256R1())
    did = foreign.did_key(p256)
    token = foreign.jwt_credential(p256, f"{did}#{did.split(':')[-1]}", did)
    report = verifier.verify(token, now=NOW)
    assert report.status == "verified" and report.format == "a signed credential token (VC-JWT)", report.as_dict()
    assert "ES256" in report.checks[2].message

    rsa_key = foreign.rsa_key()
    controller = server.url("/issuer")
    kid = f"{controller}#rsa-1"
    server.document("/issuer", foreign.controller_document(controller, kid, rsa_key))
    report = verifier.verify(foreign.jwt_credential(rsa_key, kid, controller), now=NOW)
    assert report.status == "verified", report.as_dict()
    assert "RS256" in report.checks[2].message


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_jwts_with_none_or_hmac_are_refused(verifier, alg):
    did = foreign.did_key(foreign.test_key())
    header = b64url_encode(json.dumps({"alg": alg, "kid": did + "#k", "typ": "JWT"}).encode())
    payload = b64url_encode(json.dumps(foreign.unsigned(did)).encode())
    report = verifier.verify(f"{header}.{payload}.c2lnbmF0dXJl", now=NOW)
    assert report.status == "invalid"
    assert f"algorithm '{alg}' is not accepted" in report.reason


def test_expired_and_not_yet_valid(verifier):
    expired = foreign.did_key_credential(validUntil="2026-06-30T00:00:00Z")
    report = verifier.verify(expired, now=NOW)
    assert report.status == "expired" and report.reason == "Expired on June 30, 2026."
    future = foreign.did_key_credential(validFrom="2027-01-01T00:00:00Z")
    report = verifier.verify(future, now=NOW)
    assert report.status == "not_yet_valid" and "January 1, 2027" in report.reason


def test_a_foreign_status_list_is_fetched_verified_and_read(verifier, server):
    key = foreign.test_key()
    did = foreign.did_key(key)
    list_url = server.url("/status/1")
    server.document("/status/1", foreign.status_list(list_url, did, key, set_bits=[7]), "application/vc+ld+json")
    clear = foreign.did_key_credential(credentialStatus=foreign.status_entry(list_url, 8))
    assert verifier.verify(clear, now=NOW).status == "verified"
    revoked = foreign.did_key_credential(credentialStatus=foreign.status_entry(list_url, 7))
    report = verifier.verify(revoked, now=NOW)
    assert report.status == "revoked" and report.headline == "Revoked" and "entry 7" in report.reason


def test_a_status_list_signed_by_someone_else_leaves_the_status_unknown(verifier, server):
    key, stranger = foreign.test_key(), Ed25519PrivateKey.generate()
    list_url = server.url("/status/2")
    forged = foreign.status_list(list_url, foreign.did_key(stranger), stranger, set_bits=[7])
    server.document("/status/2", forged, "application/json")
    report = verifier.verify(
        foreign.did_key_credential(key, credentialStatus=foreign.status_entry(list_url, 7)), now=NOW
    )
    assert report.status == "verified" and report.warnings
    assert "Status unknown" in report.warnings[0].message


def test_an_unreachable_status_list_is_a_warning_never_revoked(verifier, server):
    credential = foreign.did_key_credential(credentialStatus=foreign.status_entry(server.url("/missing"), 3))
    report = verifier.verify(credential, now=NOW)
    assert report.status == "verified"
    assert report.warnings[0].result == "warning" and "could not be fetched" in report.warnings[0].message


def test_the_1edtech_revocation_list(verifier, server):
    did = foreign.did_key(foreign.test_key())
    url = server.url("/revocations")
    entry = {"id": url, "type": "1EdTechRevocationList"}
    contexts = [*foreign.vector()["@context"], OB_V3P0_EXTENSIONS]
    credential = foreign.did_key_credential(credentialStatus=entry, **{"@context": contexts})
    server.document("/revocations", {"id": url, "issuer": did, "revokedCredentials": []}, "application/json")
    assert verifier.verify(credential, now=NOW).status == "verified"
    server.document(
        "/revocations",
        {
            "id": url,
            "issuer": did,
            "revokedCredentials": [{"id": credential["id"], "revocationReason": "Issued in error"}],
        },
        "application/json",
    )
    verifier.fetcher.clear_cache()
    report = verifier.verify(credential, now=NOW)
    assert report.status == "revoked" and "Issued in error" in report.reason


def test_a_credential_whose_proof_fails_does_not_make_us_fetch_its_status(verifier, server):
    credential = foreign.did_key_credential(credentialStatus=foreign.status_entry(server.url("/status/9"), 1))
    credential["name"] = "Changed"
    report = verifier.verify(credential, now=NOW)
    assert report.status == "invalid" and server.hits["/status/9"] == 0


def test_documents_with_undefined_terms_or_unknown_contexts_fail_with_the_reason(verifier):
    credential = foreign.did_key_credential()
    credential["madeUpTerm"] = "x"
    report = verifier.verify(credential, now=NOW)
    assert report.status == "invalid" and "canonicalized safely" in {c.check: c.message for c in report.checks}["proof"]
    unknown = copy.deepcopy(foreign.did_key_credential())
    unknown["@context"].append("https://example.org/unknown-context.json")
    report = verifier.verify(unknown, now=NOW)
    assert report.status == "invalid" and "not bundled" in report.reason


def test_not_a_credential_at_all(verifier):
    report = verifier.verify({"hello": "world"}, now=NOW)
    assert report.status == "invalid" and {c.check: c.result for c in report.checks}["structure"] == "failed"
    with pytest.raises(InputError, match="malformed"):
        verifier.verify(b'{"@context": [', now=NOW)
    with pytest.raises(InputError) as raised:
        verifier.verify(b"x" * (10 * 1024 * 1024 + 1), now=NOW)
    assert raised.value.status == 413


def test_credentials_using_the_ob_3_0_2_and_data_integrity_contexts_verify(verifier):
    contexts = [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        "https://w3id.org/security/data-integrity/v2",
    ]
    report = verifier.verify(foreign.did_key_credential(**{"@context": contexts}), now=NOW)
    assert results(report)["proof"] == "passed", report.as_dict()
