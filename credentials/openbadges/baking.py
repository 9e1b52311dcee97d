"""Baked badges: an OpenBadgeCredential embedded in a PNG or SVG image (Open Badges 3.0 §5.3 "Baked Badge").

PNG (§5.3.1): one ``iTXt`` chunk with keyword ``openbadgecredential``, compression flag 0 ("Compression MUST NOT be
used"), empty language tag and translated keyword; its text is the credential JSON (embedded proof) or the compact
JWS (VC-JWT). The spec does not say where the chunk goes; we put it straight after ``IHDR`` so a reader that follows
the spec's "parse until the first iTXt with that keyword" stops early. Baking again replaces the chunk, as the spec
lets the implementor choose.

SVG (§5.3.2): ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` on the root and an
``<openbadges:credential>`` element directly after the ``<svg>`` tag. A VC-JWT goes in its ``verify`` attribute;
credential JSON goes in the element body wrapped in CDATA.

Images come from outside (uploads, verification requests), so unbaking checks every length, CRC and count before it
trusts anything, and SVG is parsed with defusedxml (no DTD, no entities, no external references).
"""

from __future__ import annotations

import re
import struct
import zlib
from xml.etree import ElementTree

import defusedxml
import defusedxml.ElementTree

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
OB3_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_PNG_CHUNKS = 10_000
MAX_SVG_BYTES = 5 * 1024 * 1024
# A PNG chunk length is at most 2**31 - 1 (PNG §5.3); anything longer is corrupt.
MAX_CHUNK_LENGTH = 2**31 - 1
CDATA_END = "]]>"
JWS_PATTERN = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class BakingError(ValueError):
    """An image that cannot be baked or unbaked; the message is a sentence for a person."""


# --- PNG -----------------------------------------------------------------------------------------------------------


def read_png_chunks(png_bytes: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, data) chunks of a PNG, checking signature, lengths, CRCs, chunk count, IHDR first and IEND last."""
    if not isinstance(png_bytes, bytes | bytearray):
        raise BakingError("a PNG image must be bytes")
    if len(png_bytes) > MAX_IMAGE_BYTES:
        raise BakingError(f"the image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    if not png_bytes.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image: the PNG signature is missing")
    chunks: list[tuple[bytes, bytes]] = []
    offset = len(PNG_SIGNATURE)
    while offset < len(png_bytes):
        if len(chunks) >= MAX_PNG_CHUNKS:
            raise BakingError(f"the PNG has more than {MAX_PNG_CHUNKS:,} chunks; refusing it")
        if offset + 12 > len(png_bytes):
            raise BakingError("the PNG is truncated inside a chunk header")
        length, chunk_type = struct.unpack(">I4s", png_bytes[offset : offset + 8])
        if length > MAX_CHUNK_LENGTH or offset + 12 + length > len(png_bytes):
            raise BakingError(f"a PNG chunk claims {length:,} bytes, more than the file holds")
        if not chunk_type.isalpha() or not chunk_type.isascii():
            raise BakingError(f"the PNG has a chunk with an invalid type {chunk_type!r}")
        data = bytes(png_bytes[offset + 8 : offset + 8 + length])
        (crc,) = struct.unpack(">I", png_bytes[offset + 8 + length : offset + 12 + length])
        if zlib.crc32(chunk_type + data) != crc:
            raise BakingError(f"the PNG {chunk_type.decode('ascii')} chunk fails its CRC check; the file is corrupt")
        chunks.append((chunk_type, data))
        offset += 12 + length
        if chunk_type == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR":
        raise BakingError("the PNG does not start with an IHDR chunk")
    if chunks[-1][0] != b"IEND":
        raise BakingError("the PNG has no IEND chunk; the file is truncated")
    return chunks


def write_png_chunks(chunks: list[tuple[bytes, bytes]]) -> bytes:
    """A PNG datastream from (type, data) chunks, with lengths and CRCs computed."""
    parts = [PNG_SIGNATURE]
    for chunk_type, data in chunks:
        crc = struct.pack(">I", zlib.crc32(chunk_type + data))
        parts.append(struct.pack(">I", len(data)) + chunk_type + data + crc)
    return b"".join(parts)


def itxt_keyword(data: bytes) -> bytes:
    """The keyword of an iTXt chunk (the bytes before the first NUL), or the whole data if it has none."""
    return data.split(b"\0", 1)[0]


def parse_itxt(data: bytes) -> str:
    """The text of an ``openbadgecredential`` iTXt chunk (PNG §11.3.4.5), which must not be compressed (OB §5.3.1)."""
    try:
        _keyword, rest = data.split(b"\0", 1)
        compression_flag, compression_method = rest[0], rest[1]
        _language, rest = rest[2:].split(b"\0", 1)
        _translated, text = rest.split(b"\0", 1)
    except (ValueError, IndexError) as error:
        raise BakingError("the openbadgecredential iTXt chunk is malformed") from error
    if compression_flag != 0:
        raise BakingError("the openbadgecredential iTXt chunk is compressed, which Open Badges 3.0 forbids")
    if compression_method != 0:
        raise BakingError("the openbadgecredential iTXt chunk has an unknown compression method")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BakingError("the baked credential text is not valid UTF-8") from error


def bake_png(png_bytes: bytes, credential_text: str) -> bytes:
    """A copy of the PNG with the credential (JSON or compact JWS) in an uncompressed ``openbadgecredential`` iTXt."""
    text = check_credential_text(credential_text)
    chunks = [chunk for chunk in read_png_chunks(png_bytes) if not is_credential_chunk(chunk)]
    # keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, UTF-8 text.
    itxt = KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0" + text.encode("utf-8")
    return write_png_chunks([chunks[0], (b"iTXt", itxt), *chunks[1:]])


def unbake_png(png_bytes: bytes) -> str:
    """The credential text baked into a PNG; ``BakingError`` if there is none, more than one, or the PNG is bad."""
    found = [data for chunk_type, data in read_png_chunks(png_bytes) if is_credential_chunk((chunk_type, data))]
    if not found:
        raise BakingError("the PNG has no baked credential (no openbadgecredential iTXt chunk)")
    if len(found) > 1:
        raise BakingError("the PNG has more than one openbadgecredential chunk, which Open Badges 3.0 forbids")
    return parse_itxt(found[0])


def is_credential_chunk(chunk: tuple[bytes, bytes]) -> bool:
    """Whether a chunk is an iTXt with keyword ``openbadgecredential``."""
    chunk_type, data = chunk
    return chunk_type == b"iTXt" and itxt_keyword(data) == KEYWORD


# --- SVG -----------------------------------------------------------------------------------------------------------


def bake_svg(svg_text: str, credential_text: str) -> str:
    """A copy of the SVG with ``<openbadges:credential>`` first in the root (``verify`` for a JWS, else CDATA)."""
    if not isinstance(svg_text, str):
        raise BakingError("bake_svg takes the SVG as text; decode the file as UTF-8 first")
    text = check_credential_text(credential_text)
    root = parse_svg(svg_text)
    existing = root.findall(f".//{{{OB3_NAMESPACE}}}credential")
    if existing:
        # Re-baking would need us to cut the old element out of the source text; refuse instead (OB §5.3.2 allows it).
        raise BakingError("the SVG already contains a baked credential; bake the original image instead")
    if is_compact_jws(text):
        element = f'<openbadges:credential verify="{text}"></openbadges:credential>'
    else:
        # "]]>" cannot appear inside CDATA; split it across two sections, which parsers join back into one text.
        body = text.replace(CDATA_END, "]]]]><![CDATA[>")
        element = f"<openbadges:credential><![CDATA[{body}]]></openbadges:credential>"
    start, end = root_start_tag_span(svg_text)
    tag = svg_text[start:end]
    bound = re.search(r"\sxmlns:openbadges\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", tag)
    if bound is None:
        closing = 2 if tag.endswith("/>") else 1
        tag = f'{tag[:-closing]} xmlns:openbadges="{OB3_NAMESPACE}"{tag[-closing:]}'
    elif OB3_NAMESPACE not in bound.groups():
        raise BakingError("the SVG binds the openbadges prefix to another namespace")
    baked = f"{tag[:-2]}>{element}</{root_tag_name(tag)}>" if tag.endswith("/>") else tag + element
    result = svg_text[:start] + baked + svg_text[end:]
    # The edit is textual, so check it: the result must parse and give back exactly the text we were given
    # (XML line-end normalisation, for one, would change a credential containing a carriage return).
    if unbake_svg(result) != text:
        raise BakingError("the credential could not be baked into this SVG without changing its text")
    return result


def unbake_svg(svg_bytes: bytes | str) -> str:
    """The credential text baked into an SVG: the ``verify`` attribute, else the element's text."""
    root = parse_svg(svg_bytes)
    found = root.findall(f".//{{{OB3_NAMESPACE}}}credential")
    if not found:
        raise BakingError("the SVG has no baked credential (no openbadges:credential element)")
    if len(found) > 1:
        raise BakingError("the SVG has more than one openbadges:credential element, which Open Badges 3.0 forbids")
    element = found[0]
    verify = element.get("verify")
    # Surrounding whitespace is dropped: SVGs baked by other tools indent the CDATA section, as the spec's example does.
    text = (verify if verify is not None else "".join(element.itertext())).strip()
    if not text:
        raise BakingError("the SVG's openbadges:credential element is empty")
    return text


def parse_svg(svg: bytes | str) -> ElementTree.Element:
    """The root of an SVG parsed with defusedxml; DTDs, entities and external references are refused."""
    if not isinstance(svg, bytes | bytearray | str):
        raise BakingError("an SVG image must be bytes or text")
    size = len(svg.encode("utf-8")) if isinstance(svg, str) else len(svg)
    if size > MAX_SVG_BYTES:
        raise BakingError(f"the SVG is larger than {MAX_SVG_BYTES // (1024 * 1024)} MB")
    try:
        root = defusedxml.ElementTree.fromstring(svg, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as error:
        raise BakingError("the SVG uses a DTD, entities or external references, which are refused") from error
    except ElementTree.ParseError as error:
        raise BakingError(f"the SVG is not well-formed XML ({error})") from error
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise BakingError("not an SVG image: the root element is not <svg> in the SVG namespace")
    return root


def root_start_tag_span(svg_text: str) -> tuple[int, int]:
    """Where the root ``<svg ...>`` start tag begins and ends in the source text."""
    # Skip the prolog: XML declaration, processing instructions and comments (a DTD was refused by parse_svg).
    position = 0
    prolog = re.compile(r"\s*(<\?.*?\?>|<!--.*?-->)", re.DOTALL)
    while match := prolog.match(svg_text, position):
        position = match.end()
    match = re.compile(r"\s*(<[A-Za-z_][\w.:-]*(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/?>)").match(
        svg_text, position
    )
    if not match:
        raise BakingError("could not find the root <svg> start tag")
    return match.start(1), match.end(1)


def root_tag_name(tag: str) -> str:
    """The qualified element name of a start tag such as ``<svg:svg ...>``."""
    return re.match(r"<([^\s/>]+)", tag).group(1)  # type: ignore[union-attr]


# --- Shared --------------------------------------------------------------------------------------------------------


def check_credential_text(credential_text: str) -> str:
    """Refuse empty or non-string credential text before it is baked."""
    if not isinstance(credential_text, str) or not credential_text.strip():
        raise BakingError("the credential to bake must be non-empty text (JSON or a compact JWS)")
    if credential_text != credential_text.strip():
        # Unbaking an SVG strips surrounding whitespace; refusing it here keeps bake and unbake exact inverses.
        raise BakingError("the credential text must not start or end with whitespace")
    if len(credential_text) > MAX_SVG_BYTES:
        raise BakingError("the credential text is too large to bake")
    return credential_text


def is_compact_jws(text: str) -> bool:
    """Whether text is a compact JWS (three base64url parts) rather than credential JSON."""
    return JWS_PATTERN.fullmatch(text) is not None


def detect_and_unbake(data: bytes) -> str:
    """The credential baked into an image, recognising PNG by its signature and SVG by its root element."""
    if not isinstance(data, bytes | bytearray):
        raise BakingError("image data must be bytes")
    if data.startswith(PNG_SIGNATURE):
        return unbake_png(bytes(data))
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and b"<svg" in data[: 64 * 1024]:
        return unbake_svg(bytes(data))
    raise BakingError("the file is neither a PNG nor an SVG image")
