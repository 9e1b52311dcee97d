import io
from xml.etree import ElementTree

import pytest
from PIL import Image

from credentials.domain.catalog.badge_images import check_badge_image, generated_badge_svg
from credentials.domain.errors import InvalidInput

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
        (b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>', "<foreignobject>"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text></a></svg>',
            "outside resource",
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


def test_the_generated_badge_is_well_formed_svg_with_escaped_text():
    svg = generated_badge_svg('Tickets <script>alert("x")</script> & more', seed="exit-tickets", credit_hours=15)
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "15 credit hours" in svg
    assert check_badge_image(svg.encode()) == "image/svg+xml"
    assert generated_badge_svg("A", seed="a") == generated_badge_svg("A", seed="a")
