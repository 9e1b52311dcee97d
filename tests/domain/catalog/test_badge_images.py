import base64
import io
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image

from credentials.domain.catalog.badge_images import check_badge_image, generated_badge_svg
from credentials.domain.errors import InvalidInput

DEMO_CATALOG = Path(__file__).resolve().parents[3] / "credentials" / "domain" / "demo" / "catalog"

CLEAN_SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">
  <defs><linearGradient id="g"><stop offset="0" stop-color="#114b7a"/></linearGradient></defs>
  <style>circle { fill: url(#g); }</style>
  <circle cx="5" cy="5" r="4" style="stroke: url(#g)"/>
  <use xlink:href="#g"/>
</svg>"""


def png(size=(16, 16)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (1, 2, 3)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_png_and_a_clean_svg_are_accepted():
    assert check_badge_image(png()) == "image/png"
    assert check_badge_image(CLEAN_SVG) == "image/svg+xml"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script> element"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event handler (onload)"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://tracker.example/p.png"/></svg>',
            "outside resource ('https://tracker.example/p.png')",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<use x:href="a.svg#i"/></svg>',
            "outside resource ('a.svg#i')",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>', "<foreignObject>"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text></a></svg>',
            "contains a <a> element, which is not allowed in a badge",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://x.example/s.css);</style></svg>',
            "imports an outside stylesheet",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url(https://x.example/f)"/></svg>',
            "loads an outside resource",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="href" to="javascript:alert(1)"/></svg>',
            "<set> element",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
            "DTD or entities",
        ),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><unclosed></svg>", "not well-formed"),
        (b"<html xmlns='http://www.w3.org/1999/xhtml'/>", None),
        (b"<?xml version='1.0'?><html/>", "not an SVG image"),
        (b"GIF89a\x01\x00\x01\x00", "neither a PNG nor an SVG"),
        (b"", "empty"),
        (png()[:40], "damaged or incomplete"),
        (png((5000, 1)), "at most 4096 a side"),
        (b"<svg " + b" " * (1024 * 1024) + b"/>", "at most 1 MB"),
    ],
)
def test_unsafe_or_unusable_images_are_refused_with_what_to_fix(data, message):
    with pytest.raises(InvalidInput) as caught:
        check_badge_image(data)
    if message:
        assert message in caught.value.errors["image"]


SVG_OPEN = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
PNG_URI = b"data:image/png;base64," + base64.b64encode(png())


def svg(body: bytes, prolog: bytes = b"") -> bytes:
    return prolog + SVG_OPEN + body + b"</svg>"


# Each way an SVG could run script or reach outside itself, and what the refusal says.
VECTORS = {
    "CSS escape for url( in a style": (
        svg(rb'<rect style="fill: \75 rl(https://x.example/t.png)"/>'),
        "outside resource ('https://x.example/t.png')",
    ),
    "CSS escape inside url in a style": (svg(rb'<rect style="fill: u\rl(https://x.example/t)"/>'), "outside resource"),
    "CSS escape for @import": (
        svg(rb"<style>@\69mport url(https://x.example/s.css);</style>"),
        "imports an outside stylesheet",
    ),
    "@import in a style element": (
        svg(b'<style>@import "https://x.example/s.css";</style>'),
        "imports an outside stylesheet",
    ),
    "@import split around an element": (
        svg(b"<style>@imp<g/>ort url(https://x.example/s.css);</style>"),
        "elements inside a <style>",
    ),
    "@font-face": (
        svg(b"<style>@font-face { font-family: a; src: url(https://x.example/f.woff) }</style>"),
        "@font-face",
    ),
    "url() in a presentation attribute": (
        svg(b'<rect fill="url(https://x.example/p#g)"/>'),
        "outside resource ('https://x.example/p#g')",
    ),
    "quoted url() in a presentation attribute": (
        svg(b"<rect filter='url(\"https://x.example/f.svg#f\")'/>"),
        "outside resource",
    ),
    "escaped url( in a presentation attribute": (
        svg(rb'<rect fill="\75 rl(https://x.example/p)"/>'),
        "outside resource",
    ),
    "image-set()": (svg(b"<rect style=\"fill: image-set('https://x.example/a.png' 1x)\"/>"), "image-set()"),
    "a property that loads": (
        svg(b'<rect style="cursor: url(https://x.example/c.cur), auto"/>'),
        "property 'cursor'",
    ),
    "a custom property carrying a url": (
        svg(b'<rect style="--a: url(https://x.example/a); fill: var(--a)"/>'),
        "property '--a'",
    ),
    "xml-stylesheet": (
        svg(b"<rect/>", b'<?xml-stylesheet type="text/css" href="https://x.example/s.css"?>'),
        "<?xml-stylesheet",
    ),
    "an instruction inside": (svg(b"<?php echo 1; ?><rect/>"), "processing instruction"),
    "XHTML img": (
        svg(b'<h:img xmlns:h="http://www.w3.org/1999/xhtml" src="https://x.example/t.png"/>'),
        "HTML <img>",
    ),
    "XHTML meta refresh": (
        svg(b'<meta xmlns="http://www.w3.org/1999/xhtml" http-equiv="refresh" content="0;url=https://x.example"/>'),
        "HTML <meta>",
    ),
    "SVG-namespace meta": (
        svg(b'<meta http-equiv="refresh" content="0;url=https://x.example"/>'),
        "<meta> element",
    ),
    "XHTML form": (
        svg(b'<form xmlns="http://www.w3.org/1999/xhtml" action="https://x.example"><input/></form>'),
        "HTML <form>",
    ),
    "XHTML script": (
        svg(b'<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'),
        "HTML <script>",
    ),
    "foreignObject": (
        svg(b'<foreignObject width="9" height="9"><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>'),
        "<foreignObject>",
    ),
    "xlink:href to http": (
        svg(b'<image xlink:href="http://x.example/t.png" width="9" height="9"/>'),
        "outside resource ('http://x.example/t.png')",
    ),
    "use href to https": (
        svg(b'<use href="https://x.example/sprite.svg#i"/>'),
        "outside resource ('https://x.example/sprite.svg#i')",
    ),
    "use of a data: document": (svg(b'<use href="data:image/svg+xml;base64,PHN2Zy8+#x"/>'), "outside resource"),
    "an SVG in a data: image": (svg(b'<image href="data:image/svg+xml;base64,PHN2Zy8+"/>'), "outside resource"),
    "a GIF in a data: image": (
        svg(b'<image href="data:image/gif;base64,R0lGODlhAQABAAAAACw="/>'),
        "outside resource",
    ),
    "a data: image that is not what it says": (
        svg(b'<image href="data:image/png;base64,PHN2Zy8+"/>'),
        "not the PNG it claims",
    ),
    "entities": (
        b'<!DOCTYPE svg [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + svg(b"<text>&e;</text>"),
        "DTD or entities",
    ),
    "animation": (svg(b'<rect><animate attributeName="fill" to="red"/></rect>'), "<animate> element"),
    "an unknown attribute": (svg(b'<rect formaction="https://x.example"/>'), "attribute 'formaction'"),
    "an xml:base": (svg(b'<g xml:base="https://x.example/"><use href="#a"/></g>'), "attribute 'base'"),
    "a namespace no editor uses": (svg(b'<x:thing xmlns:x="https://evil.example/ns"/>'), "<thing> element"),
}


@pytest.mark.parametrize("vector", VECTORS)
def test_every_way_out_of_the_image_is_refused(vector):
    data, says = VECTORS[vector]
    with pytest.raises(InvalidInput) as caught:
        check_badge_image(data)
    message = caught.value.errors["image"]
    assert says in message, message
    assert message.startswith("The SVG ")


INKSCAPE = svg(
    b'<sodipodi:namedview xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" pagecolor="#fff"/>'
    b'<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><cc:Work xmlns:cc="http://creat'
    b'ivecommons.org/ns#"><dc:format xmlns:dc="http://purl.org/dc/elements/1.1/">image/svg+xml</dc:format></cc:W'
    b"ork></rdf:RDF></metadata>"
    b'<g xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" inkscape:label="Layer 1" inkscape:groupmode='
    b'"layer"><text xml:space="preserve" style="font-size:10.58px;line-height:1.25;font-family:sans-serif;-inkscape'
    b"-font-specification:'sans-serif, Normal';stroke-width:0.26\">Badge</text></g>"
)
ILLUSTRATOR = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<!-- Generator: Adobe Illustrator 27.0.0 -->\n<svg version="1.1" '
    b'id="Layer_1" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" x="0px" y="0px" '
    b'viewBox="0 0 200 200" style="enable-background:new 0 0 200 200;" xml:space="preserve">'
    b'<style type="text/css">.st0{fill:#1E6B34;}.st1{fill:url(#SVGID_1_);} .st2:not(.x){opacity:.5}</style>'
    b'<linearGradient id="SVGID_1_" gradientUnits="userSpaceOnUse" x1="0" y1="0" x2="200" y2="0">'
    b'<stop offset="0" style="stop-color:#114B7A"/></linearGradient><circle class="st0" cx="100" cy="100" r="90"/>'
    b'<g data-name="Seal"><image style="overflow:visible;" width="16" height="16" xlink:href="' + PNG_URI + b'" '
    b'transform="matrix(1 0 0 1 92 92)"/></g></svg>'
)
FIGMA = svg(
    b'<g filter="url(#f)"><rect width="9" height="9" rx="2" fill="#fff" style="mask-type:alpha"/></g><defs>'
    b'<filter id="f" x="0" y="0" width="9" height="9" filterUnits="userSpaceOnUse" color-interpolation-filters='
    b'"sRGB"><feFlood flood-opacity="0" result="BackgroundImageFix"/><feColorMatrix in="SourceAlpha" type="matrix"'
    b' values="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 127 0" result="hardAlpha"/><feOffset dy="4"/><feGaussianBlur '
    b'stdDeviation="2"/><feBlend mode="normal" in2="BackgroundImageFix" result="s"/></filter>'
    b'<pattern id="p" patternContentUnits="objectBoundingBox" width="1" height="1"><use xlink:href="#i" '
    b'transform="scale(0.01)"/></pattern><image id="i" width="9" height="9" xlink:href="' + PNG_URI + b'"/></defs>'
)


@pytest.mark.parametrize("data", [INKSCAPE, ILLUSTRATOR, FIGMA], ids=["Inkscape", "Illustrator", "Figma"])
def test_drawings_as_editors_save_them_are_accepted(data):
    assert check_badge_image(data) == "image/svg+xml"


@pytest.mark.parametrize("path", sorted(DEMO_CATALOG.glob("*.json")), ids=lambda p: p.stem)
def test_the_demo_badges_are_drawn_and_pass_the_check(path):
    doc = json.loads(path.read_text())
    assert "image" not in doc  # the demo micro-credentials use the drawn badge
    drawn = generated_badge_svg(doc["title"], seed=doc["slug"], credit_hours=doc["credit_hours"])
    assert check_badge_image(drawn.encode()) == "image/svg+xml"


def test_the_generated_badge_is_well_formed_svg_with_escaped_text():
    svg = generated_badge_svg('Tickets <script>alert("x")</script> & more', seed="exit-tickets", credit_hours=15)
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "15 credit hours" in svg
    assert check_badge_image(svg.encode()) == "image/svg+xml"
    assert generated_badge_svg("A", seed="a") == generated_badge_svg("A", seed="a")
