"""Badge images: an uploaded PNG, or an SVG proven free of script and outside references; otherwise one we draw."""

from __future__ import annotations

import hashlib
import io
import re
import textwrap
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from ..errors import InvalidInput

MAX_IMAGE_BYTES = 1024 * 1024
MAX_PIXELS = 4096
SVG_NS = "{http://www.w3.org/2000/svg}"
PNG = "image/png"
SVG = "image/svg+xml"
_FORBIDDEN_ELEMENTS = {
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "audio",
    "video",
    "handler",
    "listener",
    "set",
    "animate",
    "animatemotion",
    "animatetransform",
    "discard",
}
_SAFE_DATA_URI = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")
_URL_IN_CSS = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)
# Calm, accessible colour pairs (white text on each passes WCAG AA at large sizes).
_PALETTE = (
    ("#114b7a", "#0b3558"),
    ("#1e6b34", "#134522"),
    ("#7a2e8e", "#521e60"),
    ("#a4401a", "#6e2a10"),
    ("#0f6b6b", "#094545"),
    ("#5b4a14", "#3b300c"),
)


def check_badge_image(data: bytes, *, field: str = "image") -> str:
    """The media type of an uploaded badge image, decided from its bytes; ``InvalidInput`` saying what to fix."""
    if not data:
        raise InvalidInput({field: "The file is empty."})
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidInput({field: f"The image is {len(data) // 1024} KB; use one of at most 1 MB."})
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        _check_png(data, field)
        return PNG
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype")):
        _check_svg(data, field)
        return SVG
    raise InvalidInput({field: "That file is neither a PNG nor an SVG image; upload a PNG or an SVG."})


def _check_png(data: bytes, field: str) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidInput({field: "That PNG is damaged or incomplete; export it again and upload it."}) from exc
    if width > MAX_PIXELS or height > MAX_PIXELS:
        raise InvalidInput({field: f"The image is {width} x {height} pixels; use at most {MAX_PIXELS} a side."})


def _check_svg(data: bytes, field: str) -> None:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InvalidInput({field: "The SVG declares a DTD or entities; remove the DOCTYPE and upload it."}) from exc
    except (ParseError, ValueError) as exc:
        raise InvalidInput({field: "That SVG is not well-formed XML; export it again and upload it."}) from exc
    if root.tag != f"{SVG_NS}svg":
        raise InvalidInput({field: "That file is XML but not an SVG image (its root element is not <svg>)."})
    for element in root.iter():
        problem = _svg_problem(element)
        if problem:
            raise InvalidInput({field: f"The SVG {problem}; remove it and upload the image again."})


def _svg_problem(element: Element) -> str | None:
    name = element.tag.rsplit("}", 1)[-1].lower() if isinstance(element.tag, str) else ""
    if name in _FORBIDDEN_ELEMENTS:
        return f"contains a <{name}> element, which could run code or change the image"
    for attribute, value in element.attrib.items():
        local = attribute.rsplit("}", 1)[-1].lower()
        if local.startswith("on"):
            return f"has an event handler ({local}) on <{name}>, which runs script"
        if local == "href" and not (value.startswith("#") or _SAFE_DATA_URI.match(value)):
            return f"links to an outside resource ({value[:60]!r}) from <{name}>"
        if local == "style" and _css_problem(value):
            return f"has a style on <{name}> that {_css_problem(value)}"
        if "javascript:" in value.lower().replace(" ", ""):
            return f"has a javascript: address on <{name}>"
    if name == "style" and element.text and _css_problem(element.text):
        return f"has a <style> that {_css_problem(element.text)}"
    return None


def _css_problem(css: str) -> str | None:
    if "@import" in css.lower():
        return "imports an outside stylesheet"
    for target in _URL_IN_CSS.findall(css):
        if target and not target.startswith("#") and not _SAFE_DATA_URI.match(target):
            return f"loads an outside resource ({target[:60]!r})"
    return None


def generated_badge_svg(title: str, *, seed: str, credit_hours: float | None = None) -> str:
    """A badge drawn for a micro-credential without an uploaded image: a shield with its title."""
    light, dark = _PALETTE[int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(_PALETTE)]
    lines = textwrap.wrap(title, width=16, break_long_words=True)[:4]
    if len(textwrap.wrap(title, width=16)) > 4:
        lines[-1] = lines[-1][:14].rstrip() + "…"
    top = 250 - (len(lines) - 1) * 19
    text = "".join(
        f'<text x="200" y="{top + i * 38}" font-size="32" font-weight="700">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    credits = (
        f'<text x="200" y="352" font-size="20">{credit_hours:g} credit hour{"s" if credit_hours != 1 else ""}</text>'
        if credit_hours
        else ""
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 440" width="400" height="440" role="img" '
        f'aria-label="{escape(title, {chr(34): "&quot;"})}">'
        f'<path d="M200 8 L384 72 V232 C384 340 300 404 200 432 C100 404 16 340 16 232 V72 Z" fill="{dark}"/>'
        f'<path d="M200 28 L364 86 V232 C364 326 290 384 200 410 C110 384 36 326 36 232 V86 Z" fill="{light}"/>'
        '<g fill="#ffffff" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" text-anchor="middle">'
        '<text x="200" y="120" font-size="18" letter-spacing="3">MICRO-CREDENTIAL</text>'
        f"{text}{credits}</g></svg>"
    )


def generated_badge_png(title: str, *, seed: str, credit_hours: float | None = None) -> bytes:
    """The drawn badge as a 400x440 PNG (for baking when a micro-credential has no PNG image of its own)."""
    light, dark = _PALETTE[int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(_PALETTE)]
    image = Image.new("RGBA", (400, 440), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon([(200, 8), (384, 72), (384, 232), (300, 390), (200, 432), (100, 390), (16, 232), (16, 72)], dark)
    draw.polygon([(200, 28), (364, 86), (364, 232), (290, 374), (200, 410), (110, 374), (36, 232), (36, 86)], light)
    small, large = ImageFont.load_default(size=18), ImageFont.load_default(size=30)
    draw.text((200, 120), "MICRO-CREDENTIAL", fill="white", font=small, anchor="mm")
    lines = textwrap.wrap(title, width=16, break_long_words=True)[:4]
    top = 250 - (len(lines) - 1) * 19
    for i, line in enumerate(lines):
        draw.text((200, top + i * 38), line, fill="white", font=large, anchor="mm")
    if credit_hours:
        label = f"{credit_hours:g} credit hour{'s' if credit_hours != 1 else ''}"
        draw.text((200, 352), label, fill="white", font=small, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
