"""Whatever a verifier hands us, turned into a credential to check: credential JSON with an embedded proof, a compact
VC-JWT, a baked PNG or SVG badge, or a certificate PDF with the credential attached.

Everything here is untrusted: sizes are capped before anything is parsed, JSON may nest at most ``MAX_JSON_DEPTH``
levels (a VC-JWT's header as well as its payload), images go through the hardened unbaking code (chunk limits, no XML
entities), and every refusal is an ``InputError`` with a sentence and an HTTP status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from credentials.crypto.vc_jwt import JwtError, b64url_decode, credential_from_payload, parse_json_object
from credentials.openbadges.baking import PNG_SIGNATURE, BakingError, is_compact_jws, unbake_png, unbake_svg

from .json_depth import JsonTooDeep, check_depth, load_json

MAX_INPUT_BYTES = 10 * 1024 * 1024
PDF_SIGNATURE = b"%PDF-"
UTF8_BOM = b"\xef\xbb\xbf"

# How the credential was presented, in words for the people reading the report (and the API's "format").
JSON_FORMAT = "a signed credential file (JSON)"
JWT_FORMAT = "a signed credential token (VC-JWT)"
PNG_BADGE = "a badge image (PNG)"
SVG_BADGE = "a badge image (SVG)"
CERTIFICATE_PDF = "a certificate PDF"
# What the image-reading code says when an image simply holds no credential, and the plain sentence people get.
NO_CREDENTIAL_INSIDE = "has no baked credential"


class InputError(ValueError):
    """Input that holds no credential we can check; ``status`` is the HTTP status an API answers with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


class PdfExtractor(Protocol):
    """Takes the credential out of a certificate PDF (its JSON or VC-JWT, as bytes or text); raises ``InputError``
    with a sentence when the PDF holds none. Certificates are the issuer's format, so the caller supplies this."""

    def __call__(self, pdf: bytes, /) -> bytes | str: ...


@dataclass(frozen=True)
class Presented:
    """A credential as presented: how it came (``format``), its JSON, and the VC-JWT when that is its proof.

    For a VC-JWT, ``document`` is read from the token's payload before the signature is checked; the proof check
    verifies it.
    """

    format: str
    document: dict
    token: str | None = None


def read_input(data: bytes | str | dict, *, extract_pdf: PdfExtractor | None = None) -> Presented:
    """The credential inside ``data`` (bytes of a file, pasted text, or parsed JSON; a certificate PDF only with
    ``extract_pdf``); ``InputError`` otherwise."""
    if isinstance(data, dict):
        try:
            check_depth(data)
        except JsonTooDeep as exc:
            raise InputError(f"The credential {exc}.", 422) from None
        return Presented(JSON_FORMAT, data)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, bytes | bytearray):
        raise InputError(
            "Send a credential: a badge image (PNG or SVG), a certificate PDF, or the credential file (JSON or VC-JWT)."
        )
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"The input is larger than the {MAX_INPUT_BYTES // (1024 * 1024)} MB accepted.", 413)
    data = bytes(data)
    if data.startswith(PNG_SIGNATURE):
        return _from_text(_unbaked(unbake_png, data, "PNG"), PNG_BADGE)
    if data.startswith(PDF_SIGNATURE):
        return _from_text(_from_pdf(data, extract_pdf), CERTIFICATE_PDF)
    head = data[:4096].lstrip(UTF8_BOM + b" \t\r\n")
    if head.startswith(b"<"):
        if b"<svg" not in data[: 64 * 1024]:
            raise InputError("The file looks like XML or HTML but is not an SVG image.", 415)
        return _from_text(_unbaked(unbake_svg, data, "SVG"), SVG_BADGE)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            "The file is not a badge image (PNG or SVG), a certificate PDF or a credential file (JSON or VC-JWT): "
            "upload one of those, or paste the credential.",
            415,
        ) from None
    return _from_text(text, "")


def _from_text(text: str, container: str) -> Presented:
    text = text.strip()
    if not text:
        raise InputError("The input is empty: paste or upload a credential.")
    if text.startswith(("{", "[")):
        label = f"the credential inside {container}" if container else JSON_FORMAT
        return Presented(label, _parse_json(text))
    if is_compact_jws(text):
        label = f"the credential inside {container}, as a VC-JWT" if container else JWT_FORMAT
        return Presented(label, _jwt_credential(text), token=text)
    if container:
        raise InputError(f"What is inside {container} is not a credential (neither JSON nor a VC-JWT).", 422)
    raise InputError(
        "The input is neither JSON nor a VC-JWT (three base64url parts separated by dots). "
        "Paste the credential JSON or the token, or upload the badge image or certificate."
    )


def _parse_json(text: str) -> dict:
    try:
        document = load_json(text)
    except JsonTooDeep as exc:
        raise InputError(f"The JSON {exc}.") from None
    except ValueError as exc:
        raise InputError(f"The JSON is malformed: {exc}.") from None
    if not isinstance(document, dict):
        raise InputError("The JSON is not an object; a credential is a JSON object.", 422)
    return document


def _jwt_credential(token: str) -> dict:
    header, payload, _signature = token.split(".")
    try:
        # Only the proof check reads the header, and says what else is wrong with it; it must never meet a deep one.
        load_json(b64url_decode(header, "header"))
    except JsonTooDeep as exc:
        raise InputError(f"The VC-JWT cannot be read: its header {exc}.", 422) from None
    except (JwtError, ValueError):
        pass
    try:
        document = load_json(b64url_decode(payload, "payload"), parse=lambda data: parse_json_object(data, "payload"))
    except JsonTooDeep as exc:
        raise InputError(f"The VC-JWT cannot be read: its payload {exc}.", 422) from None
    except JwtError as exc:
        raise InputError(f"The VC-JWT cannot be read: {exc}.", 422) from None
    return credential_from_payload(document)  # type: ignore[arg-type]


def _unbaked(unbake, data: bytes, kind: str) -> str:
    try:
        return unbake(data)
    except BakingError as exc:
        if NO_CREDENTIAL_INSIDE in str(exc):
            raise InputError(
                f"This {kind} image has no credential inside it. Upload the badge image downloaded from the "
                "credential's page, or its certificate PDF, or paste the credential.",
                422,
            ) from None
        raise InputError(f"No credential could be read from the {kind} image: {_plain_words(str(exc))}.", 422) from None


def _plain_words(problem: str) -> str:
    """The image reader's message without the file format's own terms (chunk names), for people."""
    for term, words in (
        ("openbadgecredential iTXt chunk", "credential inside the image"),
        ("openbadgecredential chunk", "credential inside the image"),
        ("openbadges:credential element", "credential inside the image"),
    ):
        problem = problem.replace(term, words)
    return problem


def _from_pdf(data: bytes, extract_pdf: PdfExtractor | None) -> str:
    if extract_pdf is None:
        raise InputError(
            "Certificate PDFs are not read here: send the credential file (JSON or VC-JWT) or the badge image.", 415
        )
    extracted = extract_pdf(data)
    try:
        return extracted.decode("utf-8") if isinstance(extracted, bytes) else str(extracted)
    except UnicodeDecodeError:
        raise InputError("The credential attached to the PDF is not UTF-8 text.", 422) from None
