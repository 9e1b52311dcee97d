import hashlib
import io
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from PIL import Image

from credentials.domain.audit import Actor
from credentials.domain.catalog import microcredentials
from credentials.storage.database import transaction

from ..builders import definition

SYSTEM = Actor.system("test")
BADGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def publish(
    services,
    slug="exit-tickets",
    title="Checking for understanding with exit tickets",
    *,
    image=None,
    draft_only=False,
    **overrides,
):
    with transaction(services.session_factory) as session:
        version = microcredentials.create_microcredential(
            session, definition(slug=slug, title=title, **overrides), image=image, actor=SYSTEM, now=services.clock()
        )
        if not draft_only:
            microcredentials.publish_version(session, version, actor=SYSTEM, now=services.clock())


def publish_many(services, count: int, start: int = 0):
    with transaction(services.session_factory) as session:
        for n in range(start, start + count):
            doc = definition(slug=f"mc-{n:03d}", title=f"Micro-credential {n:03d}", tags=[f"tag {n}", "shared"])
            version = microcredentials.create_microcredential(session, doc, actor=SYSTEM, now=services.clock())
            microcredentials.publish_version(session, version, actor=SYSTEM, now=services.clock())


def new_version(services, slug="exit-tickets", *, publish_it=True, **overrides):
    with transaction(services.session_factory) as session:
        draft = microcredentials.start_new_version(session, slug, actor=SYSTEM, now=services.clock())
        microcredentials.save_draft(
            session, draft, {**draft.definition, **overrides}, actor=SYSTEM, now=services.clock()
        )
        if publish_it:
            microcredentials.publish_version(session, draft, actor=SYSTEM, now=services.clock())


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (20, 80, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def text_of(response) -> str:
    """The page's text with tags removed and whitespace collapsed, to check sentences that span markup."""
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())
    return re.sub(r" ([.,;])", r"\1", text)


class Outline(HTMLParser):
    """Headings, form controls with their labels, images and table headers of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.headings, self.controls, self.labels, self.images, self.headers = [], [], set(), [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append(attrs)
        elif tag == "img":
            self.images.append(attrs)
        elif tag == "th":
            self.headers.append(attrs)

    def check_accessibility(self):
        assert self.headings.count(1) == 1 and self.headings[0] == 1
        for before, after in zip(self.headings, self.headings[1:], strict=False):
            assert after <= before + 1, self.headings  # no skipped heading level
        for control in self.controls:
            assert control.get("id") in self.labels, control
        for image in self.images:
            assert "alt" in image, image
        for header in self.headers:
            assert header.get("scope") in ("col", "row"), header


def test_the_catalog_is_open_to_everyone_and_in_the_navigation(client, browser, build, services):
    publish(services)
    response = client.get("/microcredentials")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/microcredentials"' in html and ">Micro-credentials</a>" in html
    assert "Checking for understanding with exit tickets" in html
    assert 'href="/microcredentials/exit-tickets"' in html
    assert 'src="/microcredentials/exit-tickets/badge?version=1"' in html
    assert "1 micro-credential." in text_of(response)
    Outline(html).check_accessibility()
    build.user("teacher", email="t@riverside.example.org")
    browser.login("t@riverside.example.org")
    home = browser.get("/").get_data(as_text=True)
    assert 'href="/microcredentials"' in home


def test_search_and_filters_through_the_query_string(client, services):
    publish(
        services,
        "exit-tickets",
        "Exit tickets",
        tags=["formative assessment"],
        grade_bands=["3-5"],
        credit_hours=10,
        subject_areas=["Mathematics"],
    )
    publish(
        services,
        "number-talks",
        "Number talks",
        tags=["discourse"],
        grade_bands=["K-2"],
        credit_hours=30,
        subject_areas=["Mathematics"],
    )
    publish(
        services,
        "lab-safety",
        "Lab safety",
        tags=["routines"],
        grade_bands=["9-12"],
        credit_hours=45,
        subject_areas=["Science"],
    )

    def found(query: str) -> list[str]:
        html = client.get(f"/microcredentials?{query}").get_data(as_text=True)
        return re.findall(r'<h2 class="card-title"><a href="/microcredentials/([a-z0-9-]+)"', html)

    assert found("") == ["exit-tickets", "lab-safety", "number-talks"]
    assert found("q=TALKS") == ["number-talks"]
    assert found("tag=routines") == ["lab-safety"]
    assert found("subject=Mathematics") == ["exit-tickets", "number-talks"]
    assert found("grade=K-2") == ["number-talks"]
    assert found("credits=up-to-10") == ["exit-tickets"]
    assert found("credits=20-40&subject=Mathematics") == ["number-talks"]
    assert found("grade=nonsense&credits=nonsense") == found("")  # unknown values are ignored
    page = client.get("/microcredentials?subject=Mathematics&grade=3-5").get_data(as_text=True)
    assert '<option value="Mathematics" selected>Mathematics (1)</option>' in page
    assert '<option value="3-5" selected>3-5 (1)</option>' in page
    assert "Clear the search" in page


def test_empty_states(client, services):
    assert "No micro-credentials have been published yet." in text_of(client.get("/microcredentials"))
    publish(services, draft_only=True)
    assert "No micro-credentials have been published yet." in text_of(client.get("/microcredentials"))
    publish(services, "number-talks", "Number talks")
    response = client.get("/microcredentials?q=zebra")
    assert response.status_code == 200
    assert "No micro-credentials match your search." in text_of(response)


def test_pages_link_to_each_other_keeping_the_search(client, services):
    publish_many(services, 45)
    html = client.get("/microcredentials?q=micro&tag=shared&page=2").get_data(as_text=True)
    assert "Page 2 of 3" in html
    assert html.count('<li class="catalog-card">') == 20
    assert 'href="/microcredentials?q=micro&amp;tag=shared&amp;page=3" rel="next"' in html
    assert 'href="/microcredentials?q=micro&amp;tag=shared&amp;page=1" rel="prev"' in html
    assert client.get("/microcredentials?page=abc").status_code == 200


def test_the_page_a_teacher_reads_to_decide(client, services):
    publish(services, validity_months=36)
    response = client.get("/microcredentials/exit-tickets")
    assert response.status_code == 200
    html, text = response.get_data(as_text=True), text_of(response)
    assert "<h1>Checking for understanding with exit tickets</h1>" in html
    assert "Version 1" in text
    for fact in (
        "Credit hours 15",
        "36 months",
        "Reviewers per submission 1 reviewer",
        "Attempts allowed Up to 3",
        "Within 10 business days",
        "Grade bands 3-5, 6-8",
        "All subjects",
        "formative assessment",
    ):
        assert fact in text, fact
    doc = definition()
    assert doc["competency"] in text and doc["key_method"]["description"] in text
    for component in doc["key_method"]["components"]:
        assert f"<li>{component}</li>" in html
    assert "Wiliam, D. (2011). Embedded Formative Assessment." in text
    assert '<a href="https://example.org/exit-tickets" rel="noopener">Exit ticket templates</a>' in html
    assert "Learning Forward: Data" in text and "(DATA)" in text
    # The submission template: parts, prompts, kinds, limits, required or optional.
    for expected in (
        "Part 1: Overview questions",
        "Part 2: Classroom artifacts",
        "Part 3: Reflection",
        "Describe your class.",
        "Text answer Required · Up to 300 words",
        "File upload Required · Up to 3 files: PDF, Image",
        "Link Optional · One web address",
    ):
        assert expected in text, expected
    Outline(html).check_accessibility()
    assert 'alt="Badge of the micro-credential Checking for understanding with exit tickets"' in html


def test_the_full_rubric_is_a_table(client, services):
    publish(
        services,
        rubric={**definition()["rubric"], "decision_rule": {"kind": "every_criterion_or_points", "min_points": 5}},
    )
    html = client.get("/microcredentials/exit-tickets").get_data(as_text=True)
    table = html[html.index('<table class="rubric">') : html.index("</table>")]
    assert "<caption>" in table
    for level in ("Not yet", "Proficient", "Exemplary"):
        assert f'<th scope="col">{level}</th>' in table
    for criterion in definition()["rubric"]["criteria"]:
        assert criterion["name"] in table and criterion["description"] in table
        for level in criterion["levels"]:
            assert level["description"] in table
    assert table.count('<th scope="row">') == 2
    assert table.count("Required level</span>") == 2
    assert "0 points" in table and "2 points" in table and "3 points" in table
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert (
        "Decision rule: A submission earns the micro-credential when every criterion reaches its required "
        "level (marked “Required level”), or when its points add up to at least 5 of the 6 available." in text
    )


def test_older_versions_stay_readable_with_a_notice(client, services, clock):
    publish(services)
    clock.advance(days=30)
    new_version(services, title="Exit tickets, second edition")
    current = client.get("/microcredentials/exit-tickets")
    assert "Exit tickets, second edition" in current.get_data(as_text=True) and "Version 2" in text_of(current)
    assert "was replaced" not in text_of(current)
    old = client.get("/microcredentials/exit-tickets?version=1")
    assert old.status_code == 200
    text = text_of(old)
    assert "Checking for understanding with exit tickets" in text
    assert "Version 1 was replaced by version 2 on October 1, 2026." in text
    assert 'href="/microcredentials/exit-tickets"' in old.get_data(as_text=True)
    assert 'src="/microcredentials/exit-tickets/badge?version=1"' in old.get_data(as_text=True)
    with transaction(services.session_factory) as session:
        microcredentials.retire_microcredential(session, "exit-tickets", actor=SYSTEM, now=services.clock())
    retired = text_of(client.get("/microcredentials/exit-tickets"))
    assert "This micro-credential was retired on October 1, 2026; it takes no new attempts." in retired
    assert "retired altogether" in text_of(client.get("/microcredentials/exit-tickets?version=1"))


@pytest.mark.parametrize(
    "url",
    [
        "/microcredentials/in-the-works",
        "/microcredentials/in-the-works/badge",
        "/microcredentials/no-such-thing",
        "/microcredentials/no-such-thing/badge",
        "/microcredentials/exit-tickets?version=2",  # a draft
        "/microcredentials/exit-tickets/badge?version=2",
        "/microcredentials/exit-tickets?version=7",
        "/microcredentials/exit-tickets?version=abc",
        "/microcredentials/exit-tickets?version=-1",
    ],
)
def test_drafts_and_unknown_addresses_are_not_found(client, services, url):
    publish(services, "in-the-works", "In the works", draft_only=True)
    publish(services)
    new_version(services, publish_it=False, title="Exit tickets, secret draft")
    response = client.get(url)
    assert response.status_code == 404
    assert b"secret draft" not in response.data and b"In the works" not in response.data


def test_the_drawn_badge_is_a_sandboxed_svg_that_caches(client, services):
    publish(services, title="Exit tickets", credit_hours=15)
    response = client.get("/microcredentials/exit-tickets/badge")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<svg") and b"Exit tickets" in response.data
    assert response.headers["Content-Security-Policy"] == BADGE_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    etag = response.headers["ETag"]
    assert etag
    again = client.get("/microcredentials/exit-tickets/badge", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_an_uploaded_badge_is_served_as_uploaded_for_its_version(client, services):
    image = png()
    publish(services, image=microcredentials.ImageChange(data=image))
    with transaction(services.session_factory) as session:
        draft = microcredentials.start_new_version(session, "exit-tickets", actor=SYSTEM, now=services.clock())
        microcredentials.save_draft(
            session,
            draft,
            draft.definition,
            image=microcredentials.ImageChange(remove=True),
            actor=SYSTEM,
            now=services.clock(),
        )
        microcredentials.publish_version(session, draft, actor=SYSTEM, now=services.clock())
    old = client.get("/microcredentials/exit-tickets/badge?version=1")
    assert (old.status_code, old.mimetype, old.data) == (200, "image/png", image)
    assert old.headers["Content-Security-Policy"] == BADGE_CSP
    assert old.headers["ETag"].strip('"') == hashlib.sha256(image).hexdigest()
    assert client.get("/microcredentials/exit-tickets/badge").mimetype == "image/svg+xml"


def test_markup_in_a_definition_is_shown_as_text(client, services):
    publish(
        services,
        title='<script>alert("t")</script> Exit tickets',
        summary="Summary with <img src=x onerror=alert(1)> in it, which must stay text.",
    )
    for url in ("/microcredentials", "/microcredentials/exit-tickets"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; Exit tickets" in html, url
    badge = client.get("/microcredentials/exit-tickets/badge").data
    assert b"<script>" not in badge and b"&lt;script&gt;" in badge


def statements(client, count_queries, url: str) -> int:
    with count_queries() as seen:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(seen)


def test_list_and_detail_pages_run_the_same_queries_for_3_and_40(client, services, count_queries):
    urls = ["/microcredentials", "/microcredentials?q=micro&tag=shared&grade=3-5", "/microcredentials/mc-001"]
    publish_many(services, 3)
    small = [statements(client, count_queries, url) for url in urls]
    publish_many(services, 37, start=3)
    assert [statements(client, count_queries, url) for url in urls] == small
    assert client.get("/microcredentials").get_data(as_text=True).count('<li class="catalog-card">') == 20
    assert small[0] <= 6 and small[2] <= 4  # the search (plus BEGIN on SQLite); two for a page; the district
