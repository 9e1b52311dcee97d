"""The pictures on a certificate: an issuer's logo and a signature (PNG or SVG, checked), and the QR code we draw."""

from __future__ import annotations

import io
import warnings
from typing import Literal

import segno
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from PIL import Image

from .errors import CertificateError

ImageKind = Literal["png", "svg"]

MAX_IMAGE_BYTES = 2 * 1024 * 1024
# A logo prints at about 1 inch; more pixels than this only cost memory while decoding.
MAX_IMAGE_PIXELS = 4096 * 4096
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}svg"
QR_DARK = "#111111"  # near-black whatever the theme: scanners want the strongest contrast


def image_kind(data: bytes) -> ImageKind:
    """Tell a PNG from an SVG by content (never by a name or a declared type)."""
    return "png" if data.startswith(PNG_MAGIC) else "svg"


def check_image(name: str, data: object) -> ImageKind:
    """Accept a PNG or SVG within size limits, refusing anything else with a sentence that names the field."""
    if not isinstance(data, bytes) or not data:
        raise CertificateError(f"{name}: must be the bytes of a PNG or SVG image")
    if len(data) > MAX_IMAGE_BYTES:
        raise CertificateError(f"{name}: larger than {MAX_IMAGE_BYTES // 1024 // 1024} MB")
    if data.startswith(PNG_MAGIC):
        _check_png(name, data)
        return "png"
    _check_svg(name, data)
    return "svg"


def _check_png(name: str, data: bytes) -> None:
    try:
        # Pillow warns (DecompressionBombWarning) rather than fails between its limit and twice it; make that an error.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise CertificateError(f"{name}: {width}×{height} pixels is too large for a certificate image")
                image.verify()
    except CertificateError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise CertificateError(f"{name}: not a readable PNG image ({error})") from None


def _check_svg(name: str, data: bytes) -> None:
    try:
        # No DTD at all: that rules out entity expansion and external entities before WeasyPrint parses the SVG.
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SyntaxError, ValueError) as error:
        raise CertificateError(f"{name}: not a PNG, and not a well-formed SVG without a DTD ({error})") from None
    if root.tag != SVG_NAMESPACE:
        raise CertificateError(f"{name}: not a PNG, and the XML is not an SVG image (root element {root.tag!r})")


def qr_code_svg(url: str) -> bytes:
    """A QR code of ``url`` as a scalable SVG (viewBox only, so CSS decides its printed size)."""
    # A fixed mask spares segno scoring all eight (a third of its time); in print any mask scans well.
    code = segno.make_qr(url, error="m", mask=4)
    out = io.BytesIO()
    code.save(out, kind="svg", dark=QR_DARK, light="#ffffff", border=2, xmldecl=False, omitsize=True)
    return out.getvalue()
