"""Badge images: an uploaded PNG, or an SVG proven free of script and outside references; otherwise one we draw.

An SVG is accepted only when every element, attribute and CSS property in it is on an allow-list of what static
drawings use (``svg_allowlist``), every address names something inside the image or is a PNG or JPEG carried in a
``data:`` address, and every ``url()`` is ``url(#id)``. CSS (style attributes, ``<style>`` and presentation
attributes) is read with tinycss2, which undoes escapes, so ``\\75 rl(`` and ``@\\69mport`` are seen for what they
are. The XML is parsed with defusedxml (no DTD, no entities) and processing instructions are refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import textwrap
from xml.etree.ElementTree import Element, TreeBuilder
from xml.sax.saxutils import escape

import tinycss2
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from ..errors import InvalidInput
from . import svg_allowlist

MAX_IMAGE_BYTES = 1024 * 1024
MAX_PIXELS = 4096
SVG_NS = "{http://www.w3.org/2000/svg}"
PNG = "image/png"
SVG = "image/svg+xml"
# A reference to something inside the image, and a PNG or JPEG carried in the address itself.
_FRAGMENT = re.compile(r"#[A-Za-z_][\w.\-:]*")
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg);base64,([A-Za-z0-9+/=\s]+)")
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
    target = _Target()
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        raise InvalidInput({field: "The SVG declares a DTD or entities; remove the DOCTYPE and upload it."}) from exc
    except (ParseError, ValueError) as exc:
        raise InvalidInput({field: "That SVG is not well-formed XML; export it again and upload it."}) from exc
    if root.tag != f"{SVG_NS}svg":
        raise InvalidInput({field: "That file is XML but not an SVG image (its root element is not <svg>)."})
    problem = target.instruction or next(filter(None, map(_svg_problem, root.iter())), None)
    if problem:
        raise InvalidInput({field: f"The SVG {problem}; remove it and upload the image again."})


class _Target(TreeBuilder):
    """Builds the tree and remembers the first processing instruction, which ElementTree would otherwise drop
    although a browser obeys it (``<?xml-stylesheet href="https://…"?>`` loads an outside stylesheet)."""

    instruction: str | None = None

    def pi(self, target, data=None):
        self.instruction = self.instruction or f"has a processing instruction (<?{target[:30]} …?>)"
        return super().pi(target, data)


def _svg_problem(element: Element) -> str | None:
    """What is wrong with one element: the element, an attribute, an address or a style outside the allow-lists."""
    if not isinstance(element.tag, str):
        return None
    namespace, name = _split(element.tag)
    if namespace == SVG_NS[1:-1]:
        if name not in svg_allowlist.ELEMENTS:
            return f"contains a <{name}> element, which is not allowed in a badge ({svg_allowlist.WHAT_IS_ALLOWED})"
    elif namespace not in svg_allowlist.EDITOR_NAMESPACES:
        what = "an HTML" if namespace == svg_allowlist.XHTML else "an"
        return f"contains {what} <{name}> element ({namespace or 'no namespace'}), which is not allowed in a badge"
    else:
        return None  # an editor's own notes (Inkscape, Illustrator ...), which no browser acts on
    for attribute, value in element.attrib.items():
        problem = _attribute_problem(name, attribute, value)
        if problem:
            return problem
    if name == "style":
        # A browser reads the text around child elements as one stylesheet; CSS is all a <style> may hold.
        if len(element):
            return "has elements inside a <style>, where only CSS belongs"
        problem = _stylesheet_problem(element.text or "")
        return f"has a <style> that {problem}" if problem else None
    return None


def _attribute_problem(element: str, attribute: str, value: str) -> str | None:
    namespace, name = _split(attribute)
    shown = f"{'xlink:' if namespace == svg_allowlist.XLINK else ''}{name}"
    if namespace == "" and name.lower().startswith("on"):
        return f"has an event handler ({name}) on <{element}>, which runs script"
    if namespace in svg_allowlist.EDITOR_NAMESPACES:
        return None
    if (namespace, name) not in _ALLOWED_NAMESPACED and not (
        namespace == "" and (name in svg_allowlist.ATTRIBUTES or name.startswith("data-"))
    ):
        return f"has an attribute {shown!r} on <{element}>, which is not allowed in a badge"
    if name == "href":
        return _address_problem(element, value)
    if name == "style":
        problem = _declarations_problem(value)
        return f"has a style on <{element}> that {problem}" if problem else None
    if name in svg_allowlist.PRESENTATION:
        problem = _value_problem(tinycss2.parse_component_value_list(value))
        return f"has {name}={value[:60]!r} on <{element}>, which {problem}" if problem else None
    return None


_ALLOWED_NAMESPACED = {
    (svg_allowlist.XLINK, "href"),
    (svg_allowlist.XLINK, "title"),
    (svg_allowlist.XML, "space"),
    (svg_allowlist.XML, "lang"),
}


def _address_problem(element: str, address: str) -> str | None:
    """Only a reference inside the image, or (for an image) a PNG or JPEG carried in a data: address, is allowed."""
    address = address.strip()
    if _FRAGMENT.fullmatch(address):
        return None
    embedded = _DATA_IMAGE.fullmatch(address)
    if embedded and element in ("image", "feImage"):
        try:
            image = base64.b64decode("".join(embedded[2].split()), validate=True)
        except binascii.Error:
            image = b""
        if image.startswith(b"\x89PNG\r\n\x1a\n" if embedded[1] == "png" else b"\xff\xd8\xff"):
            return None
        return f"embeds an image on <{element}> that is not the {embedded[1].upper()} it claims to be"
    return f"links to an outside resource ({address[:60]!r}) from <{element}>"


def _stylesheet_problem(css: str) -> str | None:
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule":
            return _at_rule_problem(rule)
        if rule.type == "error":
            return f"has CSS that could not be read ({rule.message})"
        problem = _declarations_problem(rule.content)  # selectors cannot load anything; declarations can
        if problem:
            return problem
    return None


def _declarations_problem(css) -> str | None:
    for declaration in tinycss2.parse_blocks_contents(css, skip_comments=True, skip_whitespace=True):
        if declaration.type == "at-rule":
            return _at_rule_problem(declaration)
        if declaration.type != "declaration":
            return "has CSS that could not be read"
        name = declaration.lower_name
        if name not in svg_allowlist.PROPERTIES and not name.startswith("-inkscape-"):
            return f"sets the CSS property {name!r}, which is not allowed in a badge"
        problem = _value_problem(declaration.value)
        if problem:
            return problem
    return None


def _at_rule_problem(rule) -> str:
    if rule.lower_at_keyword == "import":
        return "imports an outside stylesheet"
    return f"uses the CSS rule @{rule.lower_at_keyword[:30]}, which is not allowed in a badge"


def _value_problem(tokens) -> str | None:
    """Whether CSS tokens (names already unescaped by tinycss2, so ``\\75 rl(`` is ``url(``) load anything: url()
    may only name something inside the image (``url(#id)``), and only functions of colours, sizes and transforms."""
    pending = list(tokens)
    while pending:
        token = pending.pop()
        if token.type == "url":
            target = token.value
        elif token.type == "function" and token.lower_name == "url":
            strings = [t for t in token.arguments if t.type not in ("whitespace", "comment")]
            target = strings[0].value if len(strings) == 1 and strings[0].type == "string" else "?"
        elif token.type == "function":
            if token.lower_name not in svg_allowlist.CSS_FUNCTIONS:
                return f"uses the CSS function {token.lower_name[:30]}(), which is not allowed in a badge"
            pending.extend(token.arguments)
            continue
        elif token.type in ("() block", "[] block", "{} block"):
            pending.extend(token.content)
            continue
        elif token.type in ("error", "at-keyword"):
            return "has CSS that could not be read"
        else:
            continue
        if not _FRAGMENT.fullmatch(target.strip()):
            return f"loads an outside resource ({target[:60]!r})"
    return None


def _split(name: str) -> tuple[str, str]:
    """``{namespace}local`` -> ``(namespace, local)``; no namespace is ``""``."""
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return "", name


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
