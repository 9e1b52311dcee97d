"""Hostile input: each gets a clear report or error, within 10 s and 100 MB, and the worker carries on."""

from __future__ import annotations

import json
import struct
import time
import tracemalloc
import zlib
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials.verification import InputError, RemoteFetcher, Verifier

from . import foreign

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
LIMIT_SECONDS = 10
LIMIT_BYTES = 100 * 1024 * 1024


@contextmanager
def within_limits():
    """Fails the test if the block takes longer than 10 s or allocates more than 100 MB at its peak."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        yield
    finally:
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < LIMIT_SECONDS, f"took {elapsed:.1f} s"
    assert peak < LIMIT_BYTES, f"peak allocation {peak / 1e6:.0f} MB"


@pytest.fixture
def verifier():
    return Verifier(RemoteFetcher(allow_private=True, timeout=2.0), did_web_scheme="http")


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_many_itxt_chunks(count: int) -> bytes:
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    text = chunk(b"iTXt", b"comment\0\0\0\0\0" + b"x" * 16)
    return b"\x89PNG\r\n\x1a\n" + header + text * count + chunk(b"IEND", b"")


def test_malformed_json(verifier):
    with within_limits(), pytest.raises(InputError, match="malformed") as raised:
        verifier.verify(b'{"@context": ["https://www.w3.org/ns/credentials/v2",', now=NOW)
    assert raised.value.status == 400


def test_deeply_nested_json(verifier):
    with within_limits(), pytest.raises(InputError, match="nested more than 32 levels deep"):
        verifier.verify(b"[" * 200_000 + b"]" * 200_000, now=NOW)


def test_a_50_mb_input_is_refused_without_parsing(verifier):
    data = b"{" + b" " * (50 * 1024 * 1024)
    with within_limits(), pytest.raises(InputError) as raised:
        verifier.verify(data, now=NOW)
    assert raised.value.status == 413


def test_a_png_with_many_itxt_chunks(verifier):
    png = png_with_many_itxt_chunks(200_000)
    with within_limits(), pytest.raises(InputError, match="PNG") as raised:
        verifier.verify(png, now=NOW)
    assert raised.value.status == 422


@pytest.mark.parametrize(
    "svg",
    [
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        b"<openbadges:credential>&xxe;</openbadges:credential></svg>",
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9))
        + b']><svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        b"<openbadges:credential>&j;</openbadges:credential></svg>",
    ],
    ids=["external-entity", "entity-expansion-bomb"],
)
def test_svgs_with_entities_are_refused(verifier, svg):
    with within_limits(), pytest.raises(InputError, match="SVG") as raised:
        verifier.verify(svg, now=NOW)
    assert raised.value.status == 422


@pytest.mark.parametrize("alg", ["none", "HS256", "HS512"])
def test_jwts_with_none_or_hmac(verifier, alg):
    from credentials.crypto.vc_jwt import b64url_encode

    did = foreign.did_key(foreign.test_key())
    header = b64url_encode(f'{{"alg":"{alg}","kid":"{did}#k","typ":"JWT"}}'.encode())
    payload = b64url_encode(b'{"iss":"x"}')
    with within_limits():
        report = verifier.verify(f"{header}.{payload}.c2lnbmF0dXJl", now=NOW)
    assert report.status == "invalid" and "is not accepted" in report.reason


def test_a_proof_made_for_a_different_document(verifier):
    other = foreign.did_key_credential(name="Something else")
    credential = {**foreign.did_key_credential(), "proof": other["proof"]}
    with within_limits():
        report = verifier.verify(credential, now=NOW)
    assert report.status == "invalid" and "different document" in report.reason


def test_a_pdf_is_read_only_with_an_extractor(verifier):
    credential = foreign.did_key_credential()
    with pytest.raises(InputError, match="Certificate PDFs are not read here") as raised:
        verifier.verify(b"%PDF-1.7 a certificate", now=NOW)
    assert raised.value.status == 415
    report = verifier.verify(b"%PDF-1.7", now=NOW, extract_pdf=lambda pdf: json.dumps(credential).encode())
    assert report.verified and report.format == "the credential inside a certificate PDF"
    with pytest.raises(InputError, match="not UTF-8") as raised:
        verifier.verify(b"%PDF-1.7", now=NOW, extract_pdf=lambda pdf: b"\xff")
    assert raised.value.status == 422


def did_web_credential(server):
    key = Ed25519PrivateKey.generate()
    did = f"did:web:127.0.0.1%3A{server.port}"
    return foreign.signed(foreign.unsigned(did), key, f"{did}#key-1")


def test_a_did_document_url_that_never_answers(verifier, server):
    def silent(handler):
        server.stop.wait(30)

    server.routes["/.well-known/did.json"] = silent
    with within_limits():
        report = verifier.verify(did_web_credential(server), now=NOW)
    assert report.status == "invalid"
    assert "did not answer within 2 s" in {c.check: c.message for c in report.checks}["key"]


@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "streamed"])
def test_a_did_document_url_that_answers_1_gb(verifier, server, declare_length):
    def flood(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if declare_length:
            handler.send_header("Content-Length", str(1024**3))
        handler.end_headers()
        block = b" " * (1024 * 1024)
        try:
            for _ in range(1024):
                if server.stop.is_set():
                    return
                handler.wfile.write(block)
        except OSError:
            return  # the verifier hung up, as it should

    server.routes["/.well-known/did.json"] = flood
    with within_limits():
        report = verifier.verify(did_web_credential(server), now=NOW)
    assert report.status == "invalid"
    assert "larger than the 1000000 bytes accepted" in {c.check: c.message for c in report.checks}["key"]


def test_the_fetcher_refuses_private_addresses_by_default(server):
    credential = did_web_credential(server)
    verifier = Verifier(RemoteFetcher(timeout=2.0), did_web_scheme="http")
    with within_limits():
        report = verifier.verify(credential, now=NOW)
    assert report.status == "invalid" and server.hits["/.well-known/did.json"] == 0


@pytest.mark.parametrize("part", ["header", "payload"])
@pytest.mark.parametrize("levels", [33, 1000, 200_000])
def test_a_vc_jwt_nested_too_deeply(verifier, part, levels):
    token = foreign.jwt_with(**{f"{part}_extra": foreign.nested(levels)})
    # Read from a certificate PDF too: every container ends in the same reader.
    for data, options in ((token, {}), (b"%PDF-1.7", {"extract_pdf": lambda pdf: token})):
        with within_limits(), pytest.raises(InputError, match=f"its {part} is nested more than 32 levels") as raised:
            verifier.verify(data, now=NOW, **options)
        assert raised.value.status == 422


def test_a_parsed_credential_nested_too_deeply(verifier):
    credential = foreign.did_key_credential()
    for _ in range(40):
        credential = {"wrapped": credential}
    with pytest.raises(InputError, match="The credential is nested more than 32 levels deep") as raised:
        verifier.verify(credential, now=NOW)
    assert raised.value.status == 422


def test_credentials_nested_32_levels_verify_and_33_are_refused(verifier):
    """Profiles nest through parentOrg as deep as an issuer likes; 32 levels go through every check."""
    key = foreign.test_key()
    did = foreign.did_key(key)
    document = foreign.unsigned(did)
    # The credential (1), its issuer (2) and each parentOrg with its type array: the innermost array is level 32.
    innermost = organisation = {"id": "https://example.org/org/0", "type": ["Profile"], "name": "Department"}
    for number in range(1, 29):
        organisation = {"id": f"https://example.org/org/{number}", "type": ["Profile"], "name": "Body",
                        "parentOrg": organisation}  # fmt: skip
    document["issuer"]["parentOrg"] = organisation
    credential = foreign.signed(document, key, f"{did}#{did.split(':')[-1]}")
    report = verifier.verify(json.dumps(credential), now=NOW)
    assert report.status == "verified", report.as_dict()

    innermost["type"] = [["Profile"]]  # in the unsigned copy: it is refused before any proof is looked at
    with pytest.raises(InputError, match="nested more than 32 levels"):
        verifier.verify(json.dumps(document), now=NOW)
