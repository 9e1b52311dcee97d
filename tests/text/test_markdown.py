"""Markdown rendered for a page, with nothing a writer types able to run or load anything."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from credentials.text.markdown import to_html, to_plain_text


def test_emphasis_lists_and_links_render():
    html = to_html("I used **exit tickets** and *cold calls*.\n\n- one\n- two\n\n[notes](https://example.org/n)")
    assert "<strong>exit tickets</strong>" in html and "<em>cold calls</em>" in html
    assert "<ul>\n<li>one</li>" in html
    assert '<a href="https://example.org/n" rel="nofollow noopener noreferrer">notes</a>' in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "<a href='https://x' onclick='alert(1)'>x</a>",
        "![tracker](https://example.org/pixel.png)",
        "<iframe src=https://example.org></iframe>",
        '<svg onload="alert(1)">',
    ],
)
def test_nothing_active_survives(text):
    tags = Tags()
    tags.feed(to_html(text))
    assert {name for name, _ in tags.seen} <= {"p", "a"}
    for _name, attributes in tags.seen:
        for attribute, value in attributes:
            assert attribute in ("href", "rel")
            assert attribute != "href" or value.startswith(("https:", "http:", "mailto:"))


class Tags(HTMLParser):
    """Every element and its attributes, as a browser would parse them."""

    def __init__(self):
        super().__init__()
        self.seen: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, attrs))


def test_a_writers_headings_sit_below_the_page_headings():
    assert to_html("# Big\n\n## Bigger") == "<h3>Big</h3>\n<h3>Bigger</h3>\n"


def test_plain_text_keeps_the_words_only():
    assert to_plain_text("**Exit tickets** & *cold calls*\n\n- one") == "Exit tickets & cold calls one"
    assert to_html(None) == to_plain_text("") == ""
