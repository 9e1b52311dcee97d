"""Resolving verification methods: did:key, did:web (with port and path), https key documents, and the checks."""

from __future__ import annotations

import base64

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from credentials.crypto.multikey import encode_base58btc, public_key_to_multibase
from credentials.verification import ResolutionError, did_web_url, resolve_verification_method
from credentials.verification.key_material import P256_PUB_HEADER

MESSAGE = b"an assertion"


class NoNetwork:
    def fetch_json(self, url, *, what="document"):
        raise AssertionError(f"fetched {url}")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def ed25519_jwk(private_key) -> dict:
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(private_key.public_key().public_bytes_raw())}


def p256_jwk(private_key) -> dict:
    numbers = private_key.public_key().public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": b64url(numbers.x.to_bytes(32)), "y": b64url(numbers.y.to_bytes(32))}


def rsa_jwk(private_key) -> dict:
    numbers = private_key.public_key().public_numbers()
    return {"kty": "RSA", "n": b64url(numbers.n.to_bytes(256)), "e": b64url(numbers.e.to_bytes(3))}


def sign_ed25519(private_key, message):
    return private_key.sign(message)


def verify_ed25519(public_key, signature, message):
    public_key.verify(signature, message)


def sign_p256(private_key, message):
    return private_key.sign(message, ec.ECDSA(hashes.SHA256()))


def verify_p256(public_key, signature, message):
    public_key.verify(signature, message, ec.ECDSA(hashes.SHA256()))


def sign_rsa(private_key, message):
    return private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())


def verify_rsa(public_key, signature, message):
    public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())


def did_document(did: str, methods: list[dict], assertion=("#key-1",), **relationships) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": list(assertion),
        **relationships,
    }


def multikey(vm_id: str, controller: str, private_key) -> dict:
    multibase = public_key_to_multibase(private_key.public_key())
    return {"id": vm_id, "type": "Multikey", "controller": controller, "publicKeyMultibase": multibase}


def raw(public_key) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def resolve(vm_id, fetcher, **options):
    return resolve_verification_method(vm_id, fetcher, did_web_scheme="http", **options)


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
        ("did:web:example.com%3a8443", "https://example.com:8443/.well-known/did.json"),
        ("did:web:example.com:b%C3%A9a", "https://example.com/b%C3%A9a/did.json"),
    ],
)
def test_did_web_urls_follow_the_method_spec(did, url):
    assert did_web_url(did) == url


@pytest.mark.parametrize(
    "did",
    [
        "did:web:",
        "did:key:z6Mk",
        "did:web:example.com/path",
        "did:web:exa mple.com",
        "did:web:example.com%3A99999",
        "did:web:example.com::x",
        "did:web:example.com:..",
        "did:web:example.com:%2e%2e",
        "did:web:user@example.com",
        "did:web:93.184.215.14",
    ],
)
def test_invalid_did_web_identifiers_are_refused(did):
    with pytest.raises(ResolutionError):
        did_web_url(did)


def test_did_web_with_a_port_resolves_a_multikey(server, fetcher):
    key = Ed25519PrivateKey.generate()
    did = f"did:web:127.0.0.1%3A{server.port}"
    server.document("/.well-known/did.json", did_document(did, [multikey("#key-1", did, key)]))
    method = resolve(f"{did}#key-1", fetcher)
    assert raw(method.public_key) == raw(key.public_key())
    assert (method.id, method.controller, method.type, method.algorithm) == (f"{did}#key-1", did, "Multikey", "EdDSA")
    assert method.relationships == ("assertionMethod",)
    assert method.authorised_for("assertionMethod")


def test_path_based_did_web_with_absolute_ids_and_several_relationships(server, fetcher):
    key = Ed25519PrivateKey.generate()
    did = f"did:web:127.0.0.1%3A{server.port}:issuers:alice"
    vm_id = f"{did}#key-1"
    document = did_document(did, [multikey(vm_id, did, key)], assertion=[vm_id], authentication=["#key-1"])
    server.document("/issuers/alice/did.json", document)
    method = resolve(vm_id, fetcher)
    assert method.relationships == ("authentication", "assertionMethod")
    assert server.hits["/issuers/alice/did.json"] == 1


def test_a_method_embedded_in_assertion_method_is_found(server, fetcher):
    key = Ed25519PrivateKey.generate()
    did = f"did:web:127.0.0.1%3A{server.port}"
    server.document("/.well-known/did.json", did_document(did, [], assertion=[multikey("#key-1", did, key)]))
    assert resolve(f"{did}#key-1", fetcher).relationships == ("assertionMethod",)


@pytest.mark.parametrize(
    ("generate", "jwk", "sign", "verify", "algorithm"),
    [
        (Ed25519PrivateKey.generate, ed25519_jwk, sign_ed25519, verify_ed25519, "EdDSA"),
        (lambda: ec.generate_private_key(ec.SECP256R1()), p256_jwk, sign_p256, verify_p256, "ES256"),
        (lambda: rsa.generate_private_key(65537, 2048), rsa_jwk, sign_rsa, verify_rsa, "RS256"),
    ],
    ids=["Ed25519", "P-256", "RSA"],
)
def test_json_web_key_methods_resolve_to_keys_that_verify(server, fetcher, generate, jwk, sign, verify, algorithm):
    key = generate()
    did = f"did:web:127.0.0.1%3A{server.port}"
    method_document = {"id": "#key-1", "type": "JsonWebKey", "controller": did, "publicKeyJwk": jwk(key)}
    server.document("/.well-known/did.json", did_document(did, [method_document]))
    method = resolve(f"{did}#key-1", fetcher)
    assert method.algorithm == algorithm
    signature = sign(key, MESSAGE)
    verify(method.public_key, signature, MESSAGE)
    with pytest.raises(InvalidSignature):
        verify(method.public_key, signature, MESSAGE + b"!")


def test_a_method_not_listed_in_assertion_method_is_refused(server, fetcher):
    key = Ed25519PrivateKey.generate()
    did = f"did:web:127.0.0.1%3A{server.port}"
    document = did_document(did, [multikey("#key-1", did, key)], assertion=[], authentication=["#key-1"])
    server.document("/.well-known/did.json", document)
    with pytest.raises(ResolutionError, match=r"key did:web:.*#key-1 is not authorised for assertionMethod"):
        resolve(f"{did}#key-1", fetcher)
    assert resolve(f"{did}#key-1", fetcher, relationship="authentication").relationships == ("authentication",)


def test_a_method_missing_from_the_did_document_is_refused(server, fetcher):
    did = f"did:web:127.0.0.1%3A{server.port}"
    server.document("/.well-known/did.json", did_document(did, [multikey("#key-1", did, Ed25519PrivateKey.generate())]))
    with pytest.raises(ResolutionError, match=rf"^verification method {did}#key-9 is not in the DID document$"):
        resolve(f"{did}#key-9", fetcher)


def test_a_did_document_with_another_id_is_refused(server, fetcher):
    did = f"did:web:127.0.0.1%3A{server.port}"
    other = "did:web:attacker.example"
    key = Ed25519PrivateKey.generate()
    server.document("/.well-known/did.json", did_document(other, [multikey("#key-1", other, key)]))
    with pytest.raises(ResolutionError, match=r"has id 'did:web:attacker\.example', not the DID"):
        resolve(f"{did}#key-1", fetcher)


def test_a_method_whose_controller_does_not_list_it_is_refused(server, fetcher):
    # The attacker's document claims the victim as controller; the victim's document does not list the key.
    victim = f"did:web:127.0.0.1%3A{server.port}:victim"
    attacker = f"did:web:127.0.0.1%3A{server.port}:attacker"
    server.document("/victim/did.json", did_document(victim, []))
    stolen = multikey("#key-1", victim, Ed25519PrivateKey.generate())
    server.document("/attacker/did.json", did_document(attacker, [stolen]))
    with pytest.raises(ResolutionError, match="not authorised for assertionMethod by its controller"):
        resolve(f"{attacker}#key-1", fetcher)


def test_did_key_resolves_without_the_network():
    key = Ed25519PrivateKey.generate()
    multibase = public_key_to_multibase(key.public_key())
    did = f"did:key:{multibase}"
    method = resolve_verification_method(f"{did}#{multibase}", NoNetwork())
    assert raw(method.public_key) == raw(key.public_key())
    assert method.controller == did
    assert "assertionMethod" in method.relationships
    with pytest.raises(ResolutionError, match="is not in the DID document"):
        resolve_verification_method(f"{did}#z6MkOther", NoNetwork())
    with pytest.raises(ResolutionError, match="the #fragment is missing"):
        resolve_verification_method(did, NoNetwork())


def test_a_p256_did_key_resolves():
    key = ec.generate_private_key(ec.SECP256R1())
    point = key.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    multibase = encode_base58btc(P256_PUB_HEADER + point)
    assert multibase.startswith("zDn")
    method = resolve_verification_method(f"did:key:{multibase}#{multibase}", NoNetwork())
    assert method.algorithm == "ES256"
    verify_p256(method.public_key, sign_p256(key, MESSAGE), MESSAGE)


@pytest.mark.parametrize(
    ("vm_id", "message"),
    [
        ("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme#x", "not a did:key this verifier understands"),
        ("did:example:123#key-1", "DID method 'example', which is not supported"),
        ("urn:uuid:1234#key-1", "neither a DID nor an https URL"),
        ("", "names no verification method"),
    ],
)
def test_unsupported_identifiers_are_refused(vm_id, message):
    with pytest.raises(ResolutionError, match=message):
        resolve_verification_method(vm_id, NoNetwork())


def test_the_local_documents_are_asked_first():
    key = Ed25519PrivateKey.generate()
    did = "did:web:issuer.example"
    documents = {did: did_document(did, [multikey("#key-1", did, key)])}
    method = resolve_verification_method(f"{did}#key-1", NoNetwork(), documents.get)
    assert raw(method.public_key) == raw(key.public_key())


def test_an_https_key_document_is_checked_against_its_controller(server, fetcher):
    key = Ed25519PrivateKey.generate()
    controller, vm_id = server.url("/issuer"), server.url("/keys/1")
    server.document("/keys/1", multikey(vm_id, controller, key), content_type="application/ld+json")
    server.document("/issuer", {"id": controller, "assertionMethod": [vm_id]})
    method = resolve(vm_id, fetcher)
    assert (method.controller, method.relationships) == (controller, ("assertionMethod",))

    server.document("/keys/2", multikey(server.url("/keys/2"), controller, key))
    with pytest.raises(ResolutionError, match="not authorised for assertionMethod"):
        resolve(server.url("/keys/2"), fetcher)
    server.document("/keys/3", multikey(server.url("/keys/elsewhere"), controller, key))
    with pytest.raises(ResolutionError, match="gives its id as"):
        resolve(server.url("/keys/3"), fetcher)
    server.document("/keys/4", {"id": server.url("/keys/4"), "type": "Multikey", "publicKeyMultibase": "z6Mk"})
    with pytest.raises(ResolutionError, match="has no controller"):
        resolve(server.url("/keys/4"), fetcher)


def test_an_https_controller_document_with_a_fragment(server, fetcher):
    key = Ed25519PrivateKey.generate()
    controller = server.url("/issuer")
    server.document("/issuer", did_document(controller, [multikey("#key-1", controller, key)]))
    assert resolve(f"{controller}#key-1", fetcher).relationships == ("assertionMethod",)
    server.document("/impostor", did_document(server.url("/other"), [multikey("#key-1", controller, key)]))
    with pytest.raises(ResolutionError, match="is not authorised for assertionMethod"):
        resolve(server.url("/impostor#key-1"), fetcher)


def test_fetch_failures_become_resolution_errors(server, fetcher):
    expected = r"^did:web document at http://127\.0\.0\.1:\d+/\.well-known/did\.json answered HTTP 404"
    with pytest.raises(ResolutionError, match=expected):
        resolve(f"did:web:127.0.0.1%3A{server.port}#key-1", fetcher)


def test_did_web_is_https_only_outside_tests():
    with pytest.raises(ValueError, match="did_web_scheme"):
        resolve_verification_method("did:web:example.com#key-1", NoNetwork(), did_web_scheme="ftp")
