"""eddsa-rdfc-2022 against the official Open Badges 3.0 test vector (tests/vectors/ob3/)."""

import copy
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials.crypto.data_integrity import canonicalize, sign_eddsa_rdfc_2022, verify_eddsa_rdfc_2022
from credentials.crypto.multikey import public_key_from_multibase, public_key_to_multibase
from credentials.jsonld.contexts import UnknownContextError, document_loader

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "ob3"


def read_json(name):
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture
def signed():
    return read_json("ob-ldp-test-vector-signed.json")


@pytest.fixture
def unsigned(signed):
    return {key: value for key, value in signed.items() if key != "proof"}


@pytest.fixture
def test_key():
    return read_json("test-key.json")


@pytest.fixture
def private_key(test_key):
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(test_key["secretKeySeedHex"]))


def test_canonical_document_matches_the_vector(unsigned):
    assert canonicalize(unsigned) == (VECTORS / "obv3p0-document-canon.txt").read_text(encoding="utf-8")


def test_canonical_proof_configuration_matches_the_vector(signed, unsigned):
    proof_config = {key: value for key, value in signed["proof"].items() if key != "proofValue"}
    proof_config["@context"] = unsigned["@context"]
    assert canonicalize(proof_config) == (VECTORS / "obv3p0-proof-canon.txt").read_text(encoding="utf-8")


def test_signing_reproduces_the_official_proof_value(signed, unsigned, private_key, test_key):
    before = copy.deepcopy(unsigned)
    result = sign_eddsa_rdfc_2022(unsigned, private_key, test_key["verificationMethod"], test_key["created"])
    assert result["proof"]["proofValue"] == signed["proof"]["proofValue"]
    assert result == signed
    assert unsigned == before


def test_signing_refuses_a_document_that_already_has_a_proof(signed, private_key, test_key):
    with pytest.raises(ValueError, match="already has a proof"):
        sign_eddsa_rdfc_2022(signed, private_key, test_key["verificationMethod"], test_key["created"])


def test_the_official_vector_verifies(signed, private_key):
    assert verify_eddsa_rdfc_2022(signed, private_key.public_key())


def test_a_proof_in_a_one_element_array_verifies(signed, private_key):
    signed["proof"] = [signed["proof"]]
    assert verify_eddsa_rdfc_2022(signed, private_key.public_key())


def test_a_tampered_document_fails(signed, private_key):
    signed["name"] = "Teamwork Badge (forged)"
    assert not verify_eddsa_rdfc_2022(signed, private_key.public_key())


def test_a_tampered_proof_option_fails(signed, private_key):
    signed["proof"]["created"] = "2011-01-01T19:23:24Z"
    assert not verify_eddsa_rdfc_2022(signed, private_key.public_key())


@pytest.mark.parametrize(
    "proof_value",
    [
        # One character changed (still valid base58, still 64 bytes).
        "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCs",
        "z5x9aCBY",  # too short
        "u5x9aCBYovW3",  # not base58btc
        "z0OIl",  # not in the base58 alphabet
    ],
)
def test_a_tampered_proof_value_fails(signed, private_key, proof_value):
    signed["proof"]["proofValue"] = proof_value
    assert not verify_eddsa_rdfc_2022(signed, private_key.public_key())


def test_another_key_fails(signed):
    assert not verify_eddsa_rdfc_2022(signed, Ed25519PrivateKey.generate().public_key())


def test_a_document_without_proof_fails(unsigned, private_key):
    assert not verify_eddsa_rdfc_2022(unsigned, private_key.public_key())


def test_sign_then_verify_round_trips_with_a_fresh_key(unsigned):
    key = Ed25519PrivateKey.generate()
    method = "https://example.edu/issuers/565049#" + public_key_to_multibase(key.public_key())
    result = sign_eddsa_rdfc_2022(unsigned, key, method, "2024-05-01T12:00:00Z")
    assert verify_eddsa_rdfc_2022(result, key.public_key())


def test_the_loader_serves_the_bundled_contexts():
    for url in (
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    ):
        loaded = document_loader(url, {})
        assert loaded["documentUrl"] == url
        assert "@context" in loaded["document"]


def test_the_loader_refuses_an_unknown_context_url():
    with pytest.raises(UnknownContextError, match=r"https://example\.org/context\.json"):
        document_loader("https://example.org/context.json", {})


def test_canonicalize_refuses_a_document_with_an_unknown_context(unsigned):
    unsigned["@context"] = [*unsigned["@context"], "https://example.org/contexts/not-bundled.json"]
    with pytest.raises(UnknownContextError):
        canonicalize(unsigned)


def test_multikey_round_trips_the_spec_key(test_key, private_key):
    public_key = public_key_from_multibase(test_key["publicKeyMultibase"])
    assert public_key.public_bytes_raw().hex() == test_key["publicKeyHex"]
    assert public_key_to_multibase(public_key) == test_key["publicKeyMultibase"]
    assert public_key_to_multibase(private_key.public_key()) == test_key["publicKeyMultibase"]


@pytest.mark.parametrize("value", ["6MkjZRZv3aez", "z6Mk", "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme"])
def test_multikey_refuses_values_that_are_not_ed25519_keys(value):
    with pytest.raises(ValueError):
        public_key_from_multibase(value)
