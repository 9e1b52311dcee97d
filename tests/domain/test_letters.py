"""Letters: the text and HTML parts of an e-mail, rendered from the same parts."""

from __future__ import annotations

from credentials.domain.letters import Action, Letter, Quote, letterhead

HOSTILE = Letter(
    subject='Feedback <on> "you"',
    to="<script>alert(1)</script> O'Brien",
    paragraphs=("Fish & chips <b>bold</b>", Quote("first line\n<img src=x onerror=alert(1)>")),
    action=Action('Open "it"', 'https://microcred.test/attempts/1?a=1&b="2"'),
    also=(Action("Your queue", "https://microcred.test/reviews"),),
    details=(("Due <soon>", "December 2, 2026"),),
    postscript=("Ignore <this>.",),
    signature="Riverside & Co <District>",
)


def test_the_html_part_escapes_everything():
    page = HOSTILE.html()
    for raw in ("<script>", "<b>", "<img", "<soon>", "<this>", "<District>", "<on>"):
        assert raw not in page, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Brien" in page
    assert "Fish &amp; chips &lt;b&gt;bold&lt;/b&gt;" in page
    assert 'href="https://microcred.test/attempts/1?a=1&amp;b=&quot;2&quot;"' in page
    assert "<title>Feedback &lt;on&gt; &quot;you&quot;</title>" in page
    assert '<html lang="en">' in page and "<script" not in page


def test_the_text_part_has_the_same_parts_in_order():
    text = HOSTILE.text()
    assert text == (
        "Hello <script>alert(1)</script> O'Brien,\n\n"
        "Fish & chips <b>bold</b>\n\n"
        "    first line\n    <img src=x onerror=alert(1)>\n\n"
        'Open "it":\nhttps://microcred.test/attempts/1?a=1&b="2"\n\n'
        "Your queue:\nhttps://microcred.test/reviews\n\n"
        "Due <soon>: December 2, 2026\n\n"
        "Ignore <this>.\n\n"
        "Riverside & Co <District>\n"
    )


def test_the_letterhead_names_the_district_and_the_configured_address(build, services, session):
    build.issuer()
    head = letterhead(session)
    assert head.district == "Riverside Unified School District"
    assert head.link("/attempts/3") == "https://microcred.test/attempts/3"
    assert head.email == "credentials@riverside.example.org" and head.time_zone == "America/Chicago"
