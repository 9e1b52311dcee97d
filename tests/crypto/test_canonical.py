"""The fast canonicalizer: byte-identical to plain pyld, refusing what pyld would drop, safe under threads."""

import copy
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld

from credentials.crypto import canonical
from credentials.crypto.canonical import (
    InvalidValueError,
    JsonLdSafeModeError,
    RelativeIriError,
    UndefinedTermError,
    UnsupportedJsonLdError,
    canonicalize,
)
from credentials.crypto.data_integrity import sign_eddsa_rdfc_2022, verify_eddsa_rdfc_2022
from credentials.jsonld.contexts import UnknownContextError, document_loader
from tests.crypto.ob3_corpus import CONTEXTS, corpus, credential, official_vector, proof_configuration

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "ob3"
_LOADED = {}


def plain_pyld(document):
    """What pyld 3 as released gives, with a caching loader of the bundled contexts."""

    def loader(url, options=None):
        if url not in _LOADED:
            _LOADED[url] = document_loader(url)
        return _LOADED[url]

    return jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader}
    )


CORPUS = corpus(240)


def test_the_corpus_is_varied_enough():
    assert len(CORPUS) >= 200
    kinds = {str(document.get("type")) for document in CORPUS}
    assert len(kinds) >= 4


@pytest.mark.parametrize("index", range(len(CORPUS)))
def test_the_corpus_canonicalizes_as_plain_pyld_does(index):
    assert canonicalize(CORPUS[index]) == plain_pyld(CORPUS[index])


def test_the_official_vector_canonicalizes_to_the_published_n_quads():
    assert canonicalize(official_vector()) == (VECTORS / "obv3p0-document-canon.txt").read_text(encoding="utf-8")


EDGE_DOCUMENTS = {
    "language-tagged value": {
        "@context": CONTEXTS,
        "type": "Achievement",
        "name": {"@value": "Hola", "@language": "ES"},
    },
    "typed value object": {"@context": CONTEXTS, "name": {"@value": "x", "@type": "https://example.org/t"}},
    "numbers and booleans": {
        "@context": CONTEXTS,
        "type": "AchievementSubject",
        "creditsEarned": 2.5,
        "identifier": [{"type": "IdentityObject", "hashed": False, "salt": 7, "identityHash": 1e22}],
    },
    "json literal": {
        "@context": CONTEXTS,
        "type": "JsonSchema",
        "jsonSchema": {"type": "object", "b": [1, 2.5, None, True], "a": "é"},
    },
    "inline context": [
        {"@context": [*CONTEXTS, {"ex": "https://example.org/vocab#", "extra": "ex:extra"}], "extra": "v", "ex:y": 1}
    ],
    "embedded proof graph": {**official_vector(), "proof": proof_configuration(3)},
    "blank node ids": {
        "@context": CONTEXTS,
        "id": "_:a",
        "type": "VerifiableCredential",
        "credentialSubject": [{"id": "_:b", "name": "x"}, {"id": "_:b", "description": "y"}, {"id": "_:a"}],
    },
    "duplicate values": {"@context": CONTEXTS, "type": ["Achievement", "Achievement"], "tag": ["a", "a", "b"]},
    "empty list": {"@context": CONTEXTS, "type": "ResultDescription", "allowedValue": []},
    "status message": {
        "@context": CONTEXTS,
        "type": "BitstringStatusListEntry",
        "statusSize": 2,
        "statusMessage": [{"status": "0x1", "message": "revoked"}],
    },
}


@pytest.mark.parametrize("name", sorted(EDGE_DOCUMENTS))
def test_less_common_json_ld_canonicalizes_as_plain_pyld_does(name):
    document = EDGE_DOCUMENTS[name]
    document = document[0] if isinstance(document, list) else document
    assert canonicalize(document) == plain_pyld(document)


def _with(document, path, key, value):
    document = copy.deepcopy(document)
    target = document
    for step in path:
        target = target[step]
    target[key] = value
    return document


@pytest.mark.parametrize(
    ("path", "key", "value", "error", "where"),
    [
        ((), "colour", "blue", UndefinedTermError, r"^\$: property 'colour'"),
        (("credentialSubject", "achievement"), "skillLevel", 3, UndefinedTermError, r"achievement: property"),
        (("credentialSubject",), "type", ["AchievementSubject", "Trophy"], UndefinedTermError, r"type 'Trophy'"),
        ((), "id", "credentials/3527", RelativeIriError, r"^\$\.id: 'credentials/3527'"),
        (("issuer",), "image", "logo.png", RelativeIriError, r"issuer\.image"),
        (("credentialSubject",), "result", [None], InvalidValueError, r"result\[0\]"),
        (("credentialSubject",), "achievement", {}, InvalidValueError, r"empty object"),
        ((), "name", {"@value": None}, InvalidValueError, r"\$\.name"),
        ((), "@reverse", {"name": "x"}, UnsupportedJsonLdError, r"@reverse"),
    ],
)
def test_safe_mode_refuses_what_pyld_would_drop_or_rewrite(path, key, value, error, where):
    document = _with(official_vector(), path, key, value)
    with pytest.raises(error, match=where):
        canonicalize(document)


def test_safe_mode_errors_are_value_errors_naming_the_term():
    document = _with(official_vector(), (), "colour", "blue")
    with pytest.raises(ValueError, match="not defined by the document's @context") as caught:
        canonicalize(document)
    assert isinstance(caught.value, JsonLdSafeModeError)
    assert caught.value.term == "colour"
    assert caught.value.path == "$"


def test_signing_refuses_a_credential_with_an_undefined_property():
    key = Ed25519PrivateKey.generate()
    document = _with(credential(7), ("credentialSubject",), "favouriteColour", "blue")
    with pytest.raises(UndefinedTermError, match="favouriteColour"):
        sign_eddsa_rdfc_2022(document, key, "did:web:example.org#key-1", "2024-01-01T00:00:00Z")


def test_verifying_refuses_a_signed_credential_with_an_added_undefined_property():
    key = Ed25519PrivateKey.generate()
    signed = sign_eddsa_rdfc_2022(credential(8), key, "did:web:example.org#key-1", "2024-01-01T00:00:00Z")
    assert verify_eddsa_rdfc_2022(signed, key.public_key())
    signed["credentialSubject"]["comment"] = "added after signing"
    with pytest.raises(UndefinedTermError):
        verify_eddsa_rdfc_2022(signed, key.public_key())


def test_an_unknown_context_is_still_refused_by_url():
    document = official_vector()
    document["@context"] = [*CONTEXTS, "https://example.org/context.json"]
    with pytest.raises(UnknownContextError, match=r"example\.org/context\.json"):
        canonicalize(document)


def test_concurrent_canonicalization_gives_the_single_threaded_results():
    documents = CORPUS[:40]
    expected = [plain_pyld(document) for document in documents]
    # Start from empty caches so the threads race to build the processed contexts too.
    canonical._INITIAL.children.clear()
    failures = []
    barrier = threading.Barrier(8)

    def work(offset):
        barrier.wait()
        for round_ in range(5):
            for index in range(len(documents)):
                position = (index * 7 + offset + round_) % len(documents)
                try:
                    if canonicalize(documents[position]) != expected[position]:
                        failures.append((offset, position, "different output"))
                except Exception as error:  # any failure under threads (pyld raised KeyError) is what we look for
                    failures.append((offset, position, repr(error)))

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
