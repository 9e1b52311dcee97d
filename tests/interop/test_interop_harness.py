"""The interop harness itself: Digital Bazaar's verifier and jose accept what they should and refuse tampering."""

from __future__ import annotations

import base64
import copy
import gzip
import hashlib
import json
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key

from credentials.crypto.canonical import JsonLdSafeModeError
from credentials.crypto.data_integrity import sign_eddsa_rdfc_2022
from credentials.crypto.multikey import encode_base58btc, public_key_to_multibase
from credentials.jsonld.contexts import document_loader
from tests.interop.fixture import provide_interop
from tests.interop.harness import InteropError

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "ob3"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

ISSUER = "did:web:example.test"
KEY_ID = f"{ISSUER}#key-1"
STATUS_LIST = "https://example.test/status/1"
STATUS_INDEX = 7
CREATED = "2025-01-01T00:00:00Z"


def controller_document(controller: str, key_id: str, public_key_multibase: str) -> dict:
    """A DID-style controller document listing one Multikey under ``assertionMethod``."""
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": controller,
        "verificationMethod": [
            {"id": key_id, "type": "Multikey", "controller": controller, "publicKeyMultibase": public_key_multibase}
        ],
        "assertionMethod": [key_id],
    }


def encoded_list(set_indexes: tuple[int, ...] = (), length: int = 131_072) -> str:
    """A BitstringStatusList ``encodedList``: multibase base64url (``u``) of the GZIP of the bits, bit 0 left-most."""
    bits = bytearray(length // 8)
    for index in set_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def with_proof_array(secured: dict) -> dict:
    """OB 3.0 wants ``proof`` as an array, here of one proof."""
    return {**secured, "proof": [secured["proof"]]}


@pytest.fixture(scope="module")
def issuer_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def did_document(issuer_key) -> dict:
    return controller_document(ISSUER, KEY_ID, public_key_to_multibase(issuer_key.public_key()))


def badge(credential_status: dict | None = None) -> dict:
    credential = {
        "@context": [VC_V2, OB_V3],
        "id": "urn:uuid:4a1c1d9e-2f1b-4c55-9a51-3c3f0d7a0b11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "Microcred Test Issuer", "url": "https://example.test"},
        "validFrom": CREATED,
        "name": "Formative assessment in practice",
        "credentialSubject": {
            "id": "did:example:learner-1",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.test/achievements/formative-assessment",
                "type": ["Achievement"],
                "name": "Formative assessment in practice",
                "description": "Plans, runs and reflects on formative assessment in a unit of teaching.",
                "criteria": {"narrative": "A reviewed portfolio of three lessons."},
            },
        },
        "credentialSchema": [
            {
                "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
                "type": "JsonSchema",
            }
        ],
    }
    if credential_status is not None:
        credential["credentialStatus"] = credential_status
    return credential


def status_entry() -> dict:
    return {
        "id": f"{STATUS_LIST}#{STATUS_INDEX}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(STATUS_INDEX),
        "statusListCredential": STATUS_LIST,
    }


def status_list_credential(issuer_key, set_indexes: tuple[int, ...]) -> dict:
    unsigned = {
        "@context": [VC_V2],
        "id": STATUS_LIST,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ISSUER,
        "validFrom": CREATED,
        "credentialSubject": {
            "id": f"{STATUS_LIST}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(set_indexes),
        },
    }
    return sign_eddsa_rdfc_2022(unsigned, issuer_key, KEY_ID, CREATED)


# --- the official Open Badges 3.0 test vector -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vector() -> tuple[dict, dict]:
    signed = json.loads((VECTORS / "ob-ldp-test-vector-signed.json").read_text())
    key = json.loads((VECTORS / "test-key.json").read_text())
    controller = signed["issuer"]["id"]
    documents = {controller: controller_document(controller, key["verificationMethod"], key["publicKeyMultibase"])}
    return signed, documents


def test_official_vector_verifies(interop, vector):
    signed, documents = vector
    result = interop.verify_data_integrity(signed, documents)
    assert result["verified"], result["errors"]
    assert result["errors"] == []
    assert result["status"] == {"checked": False, "entries": [], "revoked": False, "suspended": False}


def test_official_vector_tampered_fails(interop, vector):
    signed, documents = vector
    tampered = copy.deepcopy(signed)
    tampered["name"] = "Teamwork Badge (edited)"
    result = interop.verify_data_integrity(tampered, documents)
    assert not result["verified"]
    assert result["errors"]


def test_missing_controller_document_fails_without_network(interop, vector):
    signed, _documents = vector
    result = interop.verify_data_integrity(signed)
    assert not result["verified"]
    assert any("static documents" in error for error in result["errors"]), result["errors"]


def test_did_key_resolves_without_documents(interop):
    key = json.loads((VECTORS / "test-key.json").read_text())
    private_key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(key["secretKeySeedHex"]))
    did = f"did:key:{key['publicKeyMultibase']}"
    credential = badge()
    credential["issuer"]["id"] = did
    secured = with_proof_array(
        sign_eddsa_rdfc_2022(credential, private_key, f"{did}#{key['publicKeyMultibase']}", CREATED)
    )
    assert interop.verify_data_integrity(secured)["verified"]


# --- credentials signed by our own signer ---------------------------------------------------------------------------


def test_our_credential_with_clear_status_bit_verifies(interop, issuer_key, did_document):
    secured = with_proof_array(sign_eddsa_rdfc_2022(badge(status_entry()), issuer_key, KEY_ID, CREATED))
    documents = {ISSUER: did_document, STATUS_LIST: status_list_credential(issuer_key, set_indexes=(STATUS_INDEX + 1,))}
    result = interop.verify_data_integrity(secured, documents)
    assert result["verified"], result["errors"]
    assert result["status"] == {
        "checked": True,
        "entries": [
            {
                "statusPurpose": "revocation",
                "statusListIndex": str(STATUS_INDEX),
                "statusListCredential": STATUS_LIST,
                "set": False,
            }
        ],
        "revoked": False,
        "suspended": False,
    }


def test_our_credential_with_set_status_bit_is_reported_revoked(interop, issuer_key, did_document):
    secured = with_proof_array(sign_eddsa_rdfc_2022(badge(status_entry()), issuer_key, KEY_ID, CREATED))
    documents = {ISSUER: did_document, STATUS_LIST: status_list_credential(issuer_key, set_indexes=(STATUS_INDEX,))}
    result = interop.verify_data_integrity(secured, documents)
    assert result["verified"], result["errors"]
    assert result["status"]["revoked"]
    assert result["status"]["entries"][0]["set"] is True


def test_our_tampered_credential_fails(interop, issuer_key, did_document):
    secured = with_proof_array(sign_eddsa_rdfc_2022(badge(), issuer_key, KEY_ID, CREATED))
    secured["credentialSubject"]["achievement"]["name"] = "Something else"
    result = interop.verify_data_integrity(secured, {ISSUER: did_document})
    assert not result["verified"]


def test_tampered_status_list_fails(interop, issuer_key, did_document):
    secured = with_proof_array(sign_eddsa_rdfc_2022(badge(status_entry()), issuer_key, KEY_ID, CREATED))
    status_list = status_list_credential(issuer_key, set_indexes=(STATUS_INDEX,))
    status_list["credentialSubject"]["encodedList"] = encoded_list()
    result = interop.verify_data_integrity(secured, {ISSUER: did_document, STATUS_LIST: status_list})
    assert not result["verified"]
    assert any("BitstringStatusListCredential" in error for error in result["errors"]), result["errors"]


def test_key_not_listed_for_assertion_fails(interop, issuer_key, did_document):
    secured = with_proof_array(sign_eddsa_rdfc_2022(badge(), issuer_key, KEY_ID, CREATED))
    not_authorised = {**did_document, "assertionMethod": []}
    result = interop.verify_data_integrity(secured, {ISSUER: not_authorised})
    assert not result["verified"]
    assert any("not authorized" in error for error in result["errors"]), result["errors"]


def lossy_sign(credential, key):
    """eddsa-rdfc-2022 over plain pyld's canonical form, which silently drops what the contexts do not define."""
    from pyld import jsonld

    def normalize(document):
        options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader}
        return hashlib.sha256(jsonld.normalize(document, options).encode()).digest()

    proof = {
        "type": "DataIntegrityProof",
        "created": CREATED,
        "verificationMethod": KEY_ID,
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
    }
    hash_data = normalize({**proof, "@context": credential["@context"]}) + normalize(credential)
    return {**credential, "proof": {**proof, "proofValue": encode_base58btc(key.sign(hash_data))}}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda c: c.update(favouriteColour="teal"), id="undefined-property"),
        # 1EdTech's validator type is defined only in OB's extensions.json context, not in VC v2 + OB 3.0.3.
        pytest.param(lambda c: c["credentialSchema"][0].update(type="1EdTechJsonSchemaValidator2019"), id="type"),
    ],
)
def test_terms_outside_the_contexts_fail_in_safe_mode(interop, issuer_key, did_document, change):
    credential = badge()
    change(credential)
    # Our signer refuses outright; a signer without safe mode (plain pyld) would sign the lossy canonical form,
    # and the independent verifier must refuse that.
    with pytest.raises(JsonLdSafeModeError):
        sign_eddsa_rdfc_2022(credential, issuer_key, KEY_ID, CREATED)
    secured = with_proof_array(lossy_sign(credential, issuer_key))
    result = interop.verify_data_integrity(secured, {ISSUER: did_document})
    assert not result["verified"]
    assert any("Safe mode" in error for error in result["errors"]), result["errors"]


@pytest.mark.parametrize(
    "documents",
    [
        pytest.param({VC_V2: {"@context": {}}}, id="replace-packaged"),
        pytest.param({"https://example.test/context.json": {"@context": {"x": "https://example.test/x"}}}, id="add"),
    ],
)
def test_documents_may_not_supply_contexts(interop, issuer_key, did_document, documents):
    secured = with_proof_array(sign_eddsa_rdfc_2022(badge(), issuer_key, KEY_ID, CREATED))
    with pytest.raises(InteropError, match="bad request"):
        interop.verify_data_integrity(secured, {ISSUER: did_document, **documents})


# --- VC-JWT -----------------------------------------------------------------------------------------------------------

CLAIMS = {"iss": ISSUER, "sub": "did:example:learner-1", "vc": {"type": ["VerifiableCredential"]}}


def ed25519_jwt() -> tuple[str, dict]:
    key = Ed25519PrivateKey.generate()
    token = jwt.encode(CLAIMS, key, algorithm="EdDSA", headers={"kid": KEY_ID})
    return token, jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key(), as_dict=True)


def rs256_jwt() -> tuple[str, dict]:
    key = generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(CLAIMS, key, algorithm="RS256")
    return token, jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)


@pytest.mark.parametrize(("make", "alg"), [(ed25519_jwt, "EdDSA"), (rs256_jwt, "RS256")])
def test_jwt_verifies(interop, make, alg):
    token, jwk = make()
    result = interop.verify_jwt(token, jwk, [alg])
    assert result["verified"], result["errors"]
    assert result["header"]["alg"] == alg
    assert result["payload"] == CLAIMS


@pytest.mark.parametrize(("make", "alg"), [(ed25519_jwt, "EdDSA"), (rs256_jwt, "RS256")])
def test_tampered_jwt_fails(interop, make, alg):
    token, jwk = make()
    header, _payload, signature = token.split(".")
    forged = base64.urlsafe_b64encode(json.dumps({**CLAIMS, "sub": "did:example:someone-else"}).encode())
    result = interop.verify_jwt(f"{header}.{forged.rstrip(b'=').decode()}.{signature}", jwk, [alg])
    assert not result["verified"]
    assert result["payload"] is None
    assert any("signature" in error for error in result["errors"]), result["errors"]


def test_jwt_with_other_key_fails(interop):
    token, _jwk = ed25519_jwt()
    _other_token, other_jwk = ed25519_jwt()
    assert not interop.verify_jwt(token, other_jwk, ["EdDSA"])["verified"]


def test_jwt_algorithm_outside_the_allowed_list_fails(interop):
    token, jwk = rs256_jwt()
    result = interop.verify_jwt(token, jwk, ["EdDSA"])
    assert not result["verified"]
    assert result["header"]["alg"] == "RS256"


@pytest.mark.parametrize("algorithms", [["EdDSA"], ["none"]])
def test_unsecured_jwt_is_rejected(interop, algorithms):
    _token, jwk = ed25519_jwt()
    unsecured = jwt.encode(CLAIMS, None, algorithm="none")
    result = interop.verify_jwt(unsecured, jwk, algorithms)
    assert not result["verified"]
    assert result["header"] == {"alg": "none", "typ": "JWT"}


def test_bad_request_raises(interop):
    with pytest.raises(InteropError, match="kind"):
        interop.run({"kind": "mystery"})


# --- the fixture when Node.js is missing ------------------------------------------------------------------------------


def test_missing_node_skips(monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="node is not on PATH"):
        provide_interop()


def test_missing_node_fails_under_ci(monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="unavailable under CI"):
        provide_interop()
