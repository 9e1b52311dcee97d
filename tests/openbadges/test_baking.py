"""Baked badges (OB 3.0 §5.3): PNG iTXt and SVG element, round trips and hostile images."""

import io
import json
import struct
import time
import zlib

import pytest
from PIL import Image

from credentials.openbadges.baking import (
    PNG_SIGNATURE,
    BakingError,
    bake_png,
    bake_svg,
    detect_and_unbake,
    read_png_chunks,
    unbake_png,
    unbake_svg,
)

CREDENTIAL_JSON = json.dumps(
    {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:5a1c2e7e-8f3d-4d7a-9b1e-0c6f2b9d4a11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Exit Tickets — niveau avancé <b>&amp;</b> ]]> done",
        "proof": [{"type": "DataIntegrityProof", "proofValue": "z3FXQ"}],
    },
    ensure_ascii=False,
)
COMPACT_JWS = "eyJhbGciOiJFZERTQSIsImtpZCI6ImsiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJodHRwczovL2V4LmV4In0.c2lnbmF0dXJl"

SVG = """<?xml version="1.0" encoding="UTF-8"?>
<!-- badge artwork -->
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64"
     height="64"><circle cx="32" cy="32" r="30" fill="#2a6"/></svg>
"""


def chunk(chunk_type: bytes, data: bytes, crc: int | None = None) -> bytes:
    crc = zlib.crc32(chunk_type + data) if crc is None else crc
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", crc)


def itxt(text: bytes, compressed: bool = False) -> bytes:
    body = zlib.compress(text) if compressed else text
    return chunk(b"iTXt", b"openbadgecredential\0" + (b"\1\0" if compressed else b"\0\0") + b"\0\0" + body)


@pytest.fixture(scope="module")
def png():
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (30, 160, 90, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def assemble(png_bytes: bytes, *extra: bytes) -> bytes:
    """A PNG with extra raw chunks inserted after IHDR (signature + 25-byte IHDR chunk)."""
    head = len(PNG_SIGNATURE) + 25
    return png_bytes[:head] + b"".join(extra) + png_bytes[head:]


# --- PNG -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [CREDENTIAL_JSON, COMPACT_JWS])
def test_png_round_trip_gives_exactly_the_same_text(png, text):
    baked = bake_png(png, text)
    assert unbake_png(baked) == text
    assert detect_and_unbake(baked) == text


def test_baked_png_is_still_a_valid_image(png):
    baked = bake_png(png, CREDENTIAL_JSON)
    with Image.open(io.BytesIO(baked)) as image:
        image.load()
        assert image.size == (8, 8)
        assert image.getpixel((0, 0)) == (30, 160, 90, 255)
        # Pillow reads the iTXt chunk too: an independent check of its layout.
        assert image.text["openbadgecredential"] == CREDENTIAL_JSON


def test_png_chunk_is_uncompressed_itxt_right_after_ihdr(png):
    chunks = read_png_chunks(bake_png(png, COMPACT_JWS))
    assert chunks[0][0] == b"IHDR"
    assert chunks[1] == (b"iTXt", b"openbadgecredential\0\0\0\0\0" + COMPACT_JWS.encode())
    assert chunks[-1] == (b"IEND", b"")
    assert [c for c in chunks if c[0] not in (b"iTXt",)] == read_png_chunks(png)


def test_rebaking_replaces_the_chunk(png):
    baked = bake_png(bake_png(png, CREDENTIAL_JSON), COMPACT_JWS)
    assert sum(1 for c in read_png_chunks(baked) if c[0] == b"iTXt") == 1
    assert unbake_png(baked) == COMPACT_JWS


def test_other_text_chunks_are_kept(png):
    other = chunk(b"iTXt", b"Comment\0\0\0\0\0hello")
    baked = bake_png(assemble(png, other, chunk(b"tEXt", b"Author\0me")), COMPACT_JWS)
    types = [c[0] for c in read_png_chunks(baked)]
    assert types.count(b"iTXt") == 2 and b"tEXt" in types
    assert unbake_png(baked) == COMPACT_JWS


def test_two_credential_chunks_are_refused(png):
    doubled = assemble(png, itxt(b"one"), itxt(b"two"))
    with pytest.raises(BakingError, match="more than one"):
        unbake_png(doubled)


def test_compressed_credential_chunk_is_refused(png):
    with pytest.raises(BakingError, match=r"compressed, which Open Badges 3\.0 forbids"):
        unbake_png(assemble(png, itxt(COMPACT_JWS.encode(), compressed=True)))


def test_png_without_credential_is_refused(png):
    with pytest.raises(BakingError, match="no baked credential"):
        unbake_png(png)


def test_crc_mismatch_is_refused(png):
    baked = bytearray(bake_png(png, COMPACT_JWS))
    baked[len(PNG_SIGNATURE) + 25 + 8 + 30] ^= 0x01  # one bit inside the iTXt text
    with pytest.raises(BakingError, match="iTXt chunk fails its CRC check"):
        unbake_png(bytes(baked))


def test_twenty_thousand_tiny_chunks_are_refused_fast(png):
    flood = chunk(b"tEXt", b"k\0v") * 20_000
    # CPU time, not wall time: another process on a loaded machine must not fail the test.
    started = time.process_time()
    with pytest.raises(BakingError, match="more than 10,000 chunks"):
        unbake_png(assemble(png, flood))
    assert time.process_time() - started < 1.0


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda data: b"GIF89a" + data[6:], "signature is missing"),
        (lambda data: data[:-6], "truncated"),
        (lambda data: data[:-12], "no IEND"),
        (lambda data: PNG_SIGNATURE + chunk(b"IDAT", b"x") + data[8:], "does not start with an IHDR"),
        (lambda data: assemble(data, struct.pack(">I", 0x7FFFFFF0) + b"tEXt"), "more than the file holds"),
        (lambda data: assemble(data, chunk(b"t3Xt", b"")), "invalid type"),
        (lambda data: assemble(data, chunk(b"iTXt", b"openbadgecredential")), "malformed"),
        (lambda data: assemble(data, itxt(b"\xff\xfe")), "not valid UTF-8"),
        (lambda data: data + bytes(21 * 1024 * 1024), "larger than 20 MB"),
    ],
)
def test_broken_pngs_are_refused(png, mangle, message):
    with pytest.raises(BakingError, match=message):
        unbake_png(mangle(png))


def test_bake_refuses_empty_or_padded_text(png):
    for text in ("", "   ", f" {COMPACT_JWS}", None):
        with pytest.raises(BakingError, match=r"non-empty text|whitespace"):
            bake_png(png, text)


# --- SVG -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [CREDENTIAL_JSON, COMPACT_JWS])
def test_svg_round_trip_gives_exactly_the_same_text(text):
    baked = bake_svg(SVG, text)
    assert unbake_svg(baked.encode("utf-8")) == text
    assert unbake_svg(baked) == text
    assert detect_and_unbake(baked.encode("utf-8")) == text


def test_svg_follows_the_spec_layout():
    baked = bake_svg(SVG, COMPACT_JWS)
    # The namespace joins the root's attributes; the element comes directly after the <svg> start tag.
    start_tag_end = 'height="64" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
    assert f'{start_tag_end}<openbadges:credential verify="{COMPACT_JWS}"></openbadges:credential><circle' in baked
    assert baked.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!-- badge artwork -->\n<svg ')
    json_baked = bake_svg(SVG, CREDENTIAL_JSON)
    assert "<openbadges:credential><![CDATA[{" in json_baked and "verify=" not in json_baked


def test_self_closing_and_prefixed_svg_roots_bake():
    empty = '<svg xmlns="http://www.w3.org/2000/svg" width="1"/>'
    assert unbake_svg(bake_svg(empty, COMPACT_JWS)) == COMPACT_JWS
    prefixed = '<s:svg xmlns:s="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"/>'
    baked = bake_svg(prefixed, CREDENTIAL_JSON)
    assert baked.endswith("</s:svg>") and baked.count("xmlns:openbadges") == 1
    assert unbake_svg(baked) == CREDENTIAL_JSON


def test_svg_baked_by_another_tool_with_indented_cdata_unbakes():
    # The spec's own example indents the CDATA section inside the element.
    text = CREDENTIAL_JSON.replace("]]>", "")
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
      <openbadges:credential>
        <![CDATA[
          {text}
        ]]>
      </openbadges:credential>
    </svg>"""
    assert unbake_svg(svg) == text


def test_svg_rebaking_and_duplicates_are_refused():
    with pytest.raises(BakingError, match="already contains a baked credential"):
        bake_svg(bake_svg(SVG, COMPACT_JWS), COMPACT_JWS)
    ns = 'xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"'
    element = "<openbadges:credential>x</openbadges:credential>"
    doubled = f"<svg {ns}><openbadges:credential verify='a.b.c'/><g>{element}</g></svg>"
    with pytest.raises(BakingError, match="more than one"):
        unbake_svg(doubled)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
  <openbadges:credential>&lol9;</openbadges:credential>
</svg>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
  <openbadges:credential>&secret;</openbadges:credential>
</svg>
"""


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_entity_attacks_are_refused(hostile):
    started = time.perf_counter()
    with pytest.raises(BakingError, match="DTD, entities or external references"):
        unbake_svg(hostile.encode())
    with pytest.raises(BakingError, match="DTD, entities or external references"):
        detect_and_unbake(hostile.encode())
    with pytest.raises(BakingError):
        bake_svg(hostile, COMPACT_JWS)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        ("<svg xmlns='http://www.w3.org/2000/svg'><g></svg>", "not well-formed"),
        ("<html xmlns='http://www.w3.org/1999/xhtml'/>", "root element is not <svg>"),
        ("<svg/>", "root element is not <svg>"),
        ("<svg xmlns='http://www.w3.org/2000/svg'/>", "no baked credential"),
        (
            "<svg xmlns='http://www.w3.org/2000/svg' xmlns:openbadges='https://purl.imsglobal.org/ob/v3p0'>"
            "<openbadges:credential> </openbadges:credential></svg>",
            "is empty",
        ),
        ("<svg xmlns='http://www.w3.org/2000/svg'>" + " " * (6 * 1024 * 1024) + "</svg>", "larger than 5 MB"),
    ],
)
def test_bad_svgs_are_refused(svg, message):
    with pytest.raises(BakingError, match=message):
        unbake_svg(svg.encode())


def test_openbadges_prefix_bound_elsewhere_is_refused():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://example.org/other"/>'
    with pytest.raises(BakingError, match="another namespace"):
        bake_svg(svg, COMPACT_JWS)


def test_detect_refuses_other_formats():
    for data in (b"GIF89a....", b"", b"%PDF-1.7", b"<html></html>"):
        with pytest.raises(BakingError, match="neither a PNG nor an SVG"):
            detect_and_unbake(data)


def test_unknown_itxt_compression_method_and_bytes_svg_input_are_refused(png):
    odd = chunk(b"iTXt", b"openbadgecredential\0\0\x07\0\0" + COMPACT_JWS.encode())
    with pytest.raises(BakingError, match="unknown compression method"):
        unbake_png(assemble(png, odd))
    with pytest.raises(BakingError, match="takes the SVG as text"):
        bake_svg(SVG.encode(), COMPACT_JWS)
