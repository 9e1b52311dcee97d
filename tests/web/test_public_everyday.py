"""Issue 16, the public pages: the credential page, shared evidence, the catalog for teachers, and /verify results."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from sqlalchemy import select

from credentials.domain.audit import Actor
from credentials.domain.credentials import admin, issuance, revocation
from credentials.storage.database import transaction
from credentials.storage.models import Answer
from tests.builders import definition, png_bytes
from tests.conftest import csrf_from, encode_multipart

from .test_catalog_pages import publish, publish_many, statements

SYSTEM = Actor.system("test")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T")


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by the heading with this id."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def issued(services, build, *, reflection: str | None = None, share: bool = False):
    """A credential for an earned attempt, its reflection rewritten first when asked."""
    build.issuer_keys()
    attempt = build.earned(share=share)
    with transaction(services.session_factory) as session:
        if reflection is not None:
            answer = session.scalars(
                select(Answer).where(Answer.attempt_id == attempt.id, Answer.prompt_key == "reflection")
            ).one()
            answer.text = reflection
        return issuance.issue_for_attempt(session, services.signing, attempt.id, now=services.clock())


def from_record(services, build, email="ann.older@riverside.example.org"):
    build.issuer_keys()
    slug = build.published()
    with transaction(services.session_factory) as session:
        credential, _ = admin.issue_to_person(
            session, services.signing, name="Ann Older", email=email, microcredential=slug,
            awarded_on=date(2024, 5, 1), actor=SYSTEM, now=services.clock(),
        )  # fmt: skip
        return credential


# 1. The rubric as cards on a phone ---------------------------------------------------------------------------------


def test_the_credential_rubric_is_also_one_card_per_criterion_for_phones(client, build):
    credential = build.credential()
    rubric = section(client.get(f"/c/{credential.uuid}").get_data(as_text=True), "rubric")
    assert 'class="table-wrap rubric-wide"' in rubric
    cards = rubric[rubric.index('class="rubric-cards"') :]
    assert cards.count('<li class="rubric-card">') == 2
    for words in ("Level reached", "Required level", "What that level means", "Proficient", "Exemplary"):
        assert words in cards
    assert "The evidence shows this with insight." in cards
    css = (Path(__file__).parents[2] / "static" / "css" / "microcred.css").read_text()
    phone = css[css.index("/* ---- issue 16: public ---- */") :]
    assert re.search(r"@media \(max-width: 37\.5rem\) \{\s*\.rubric-wide \{ display: none; \}", phone)


def test_the_microcredential_rubric_is_also_one_card_per_criterion(client, services):
    publish(services)
    html = client.get("/microcredentials/exit-tickets").get_data(as_text=True)
    cards = section(html, "rubric")
    cards = cards[cards.index('class="rubric-cards"') :]
    assert cards.count('<li class="rubric-card">') == 2
    assert cards.count("rubric-card-required-label") == 2 and "Must reach: <strong>Proficient</strong>" in cards


# 2. Markdown rendered safely ---------------------------------------------------------------------------------------


def test_the_shared_reflection_and_evidence_answers_render_markdown(client, build, services):
    text = "I **regrouped** students daily.\n\n- first\n- second\n\n<script>alert(1)</script>"
    credential = issued(services, build, reflection=text, share=True)
    evidence = section(client.get(f"/c/{credential.uuid}").get_data(as_text=True), "evidence")
    assert "<strong>regrouped</strong>" in evidence and "<li>first</li>" in evidence
    assert "**" not in evidence and "<script>" not in evidence
    shared = client.get(f"/c/{credential.uuid}/evidence").get_data(as_text=True)
    assert "<strong>regrouped</strong>" in shared and "**" not in shared and "<script>" not in shared


def test_catalog_text_renders_markdown_and_list_previews_show_no_marks(client, services):
    publish(
        services,
        summary="Use *assessment* every day.",
        competency="The educator **adjusts** instruction.\n\n- same day\n- next lesson",
    )
    listing = client.get("/microcredentials").get_data(as_text=True)
    assert "Use assessment every day." in listing and "*assessment*" not in listing
    page = client.get("/microcredentials/exit-tickets").get_data(as_text=True)
    assert "<em>assessment</em>" in page and "<strong>adjusts</strong>" in page and "<li>next lesson</li>" in page
    assert "*" not in section(page, "competency")


# 3. Issued from a district record ----------------------------------------------------------------------------------


def test_a_credential_issued_from_a_record_says_so_and_shows_no_empty_rubric(client, build, services):
    credential = from_record(services, build)
    html = client.get(f"/c/{credential.uuid}").get_data(as_text=True)
    assert "Issued from a district record" in html
    assert "Trained reviewers scored" not in html and "—</strong>" not in html
    assert 'aria-labelledby="rubric"' not in html and "rubric-cards" not in html
    # The record's day is the day shown, in the district's zone (Chicago) as anywhere in the United States.
    assert "May 1, 2024" in html and "April 30, 2024" not in html
    scored = client.get(f"/c/{build.credential('exit-tickets').uuid}").get_data(as_text=True)
    assert "Issued from a district record" not in scored and "Trained reviewers scored" in scored


# 4. The evidence as a list -----------------------------------------------------------------------------------------


def test_the_evidence_section_lists_each_part_and_what_was_submitted(client, build):
    credential = build.credential()
    evidence = section(client.get(f"/c/{credential.uuid}").get_data(as_text=True), "evidence")
    assert '<ul class="evidence-list">' in evidence
    items = re.findall(r"<li>([^<]*)</li>", evidence)
    assert any(item.endswith("(1 file)") for item in items), evidence
    assert any(item.endswith("(written answer)") for item in items), evidence
    assert "; and" not in evidence
    assert "Scored by trained reviewers against:" in evidence


# 5. No sharing of a credential that is not valid -------------------------------------------------------------------


def test_a_revoked_or_suspended_credential_offers_no_linkedin_to_its_earner(browser, build, services):
    teacher = build.user("teacher", school=build.school(), name="María López")
    credential = build.credential(teacher=teacher)
    browser.login(teacher.email)
    assert "Add to LinkedIn profile" in browser.get(f"/c/{credential.uuid}").get_data(as_text=True)
    with transaction(services.session_factory) as session:
        revocation.suspend_credential(
            session, services.signing, credential.uuid, reason="Checking a record.", actor=SYSTEM, now=services.clock()
        )
    suspended = browser.get(f"/c/{credential.uuid}").get_data(as_text=True)
    assert "linkedin.com" not in suspended and "not offered for sharing" in suspended
    with transaction(services.session_factory) as session:
        revocation.unsuspend_credential(session, services.signing, credential.uuid, actor=SYSTEM, now=services.clock())
        revocation.revoke_credential(
            session, services.signing, credential.uuid, category="issued_in_error", reason="Wrong person.",
            actor=SYSTEM, now=services.clock(),
        )  # fmt: skip
    revoked = browser.get(f"/c/{credential.uuid}").get_data(as_text=True)
    assert "linkedin.com" not in revoked and "This credential is revoked" in revoked


# 6. /verify in plain words -----------------------------------------------------------------------------------------


def verify_page(client, filename: str, data: bytes) -> str:
    token = csrf_from(client.get("/verify").get_data(as_text=True))
    body, content_type = encode_multipart([("csrf_token", token)], [("file", filename, data)])
    response = client.post("/verify", data=body, content_type=content_type)
    return response.get_data(as_text=True)


def test_verify_shows_plain_words_the_badge_the_hours_and_links_the_credential(client, build):
    credential = build.credential()
    html = verify_page(client, "badge.png", client.get(f"/c/{credential.uuid}.png").data)
    assert "Verified" in html and "The credential inside a badge image (PNG)" in html
    assert "baked" not in html and "iTXt" not in html and "credential JSON" not in html
    page_url = f"https://microcred.test/c/{credential.uuid}"
    assert f'<a href="{page_url}" rel="nofollow noopener noreferrer">{page_url}</a>' in html
    assert "(on this site)" in html
    assert '<img class="verify-badge" src="/microcredentials/exit-tickets/badge?version=1"' in html
    assert "<dt>Credit hours</dt><dd>15</dd>" in html
    claims = section(html, "claims")
    assert not ISO_MOMENT.search(claims)
    us_date = r"<dt>Awarded</dt><dd><time datetime=\"\d{4}-\d{2}-\d{2}\">[A-Z][a-z]+ \d{1,2}, \d{4}</time>"
    assert re.search(us_date, claims)
    assert client.get("/microcredentials/exit-tickets/badge?version=1").status_code == 200


def test_verify_shows_an_inline_badge_but_never_fetches_one_from_elsewhere(client, build):
    credential = build.credential()
    document = json.loads(client.get(f"/c/{credential.uuid}.json").data)
    achievement = document["credentialSubject"]["achievement"]
    achievement["image"] = {"id": "data:image/png;base64,iVBORw0KGgo=", "type": "Image"}
    html = verify_page(client, "credential.json", json.dumps(document).encode())
    assert '<img class="verify-badge" src="data:image/png;base64,iVBORw0KGgo="' in html
    achievement["image"] = {"id": "https://elsewhere.example/badge.png", "type": "Image"}
    assert "verify-badge" not in verify_page(client, "credential.json", json.dumps(document).encode())
    achievement["image"] = {"id": "javascript:alert(1)", "type": "Image"}
    assert "verify-badge" not in verify_page(client, "credential.json", json.dumps(document).encode())


def test_an_image_without_a_credential_is_explained_without_file_format_terms(client):
    html = verify_page(client, "photo.png", png_bytes())
    assert "This PNG image has no credential inside it" in html
    assert "iTXt" not in html and "chunk" not in html and "baked" not in html


# 7. Teachers in the catalog ----------------------------------------------------------------------------------------


def test_the_catalog_marks_in_progress_and_the_page_offers_to_continue(browser, build):
    teacher = build.user("teacher", school=build.school())
    slug = build.published()
    browser.login(teacher.email)
    start = browser.get(f"/microcredentials/{slug}").get_data(as_text=True)
    assert "Start this micro-credential" in start and "standing-badge" not in start
    browser.submit(f"/microcredentials/{slug}/start", {}, page=f"/microcredentials/{slug}")
    listing = browser.get("/microcredentials").get_data(as_text=True)
    assert '<span class="standing-badge standing-in-progress">In progress</span>' in listing
    page = browser.get(f"/microcredentials/{slug}").get_data(as_text=True)
    assert "Continue your evidence" in page and "Start this micro-credential" not in page
    assert re.search(r'href="/attempts/\d+">Continue your evidence', page)


def test_an_earned_microcredential_says_so_and_links_the_credential(browser, build, services):
    teacher = build.user("teacher", school=build.school())
    credential = build.credential(teacher=teacher)
    publish(services, slug="other", title="Another micro-credential")
    browser.login(teacher.email)
    listing = browser.get("/microcredentials").get_data(as_text=True)
    assert listing.count("standing-badge") == 1
    assert '<span class="standing-badge standing-earned">Earned</span>' in listing
    assert f'href="/c/{credential.uuid}"' in listing
    page = browser.get("/microcredentials/exit-tickets").get_data(as_text=True)
    assert "You earned this micro-credential." in page and f'href="/c/{credential.uuid}">See your credential' in page
    assert "Start this micro-credential" not in page
    assert "Start this micro-credential" in browser.get("/microcredentials/other").get_data(as_text=True)


def test_a_credential_from_a_record_counts_as_earned_and_a_revoked_one_does_not(browser, build, services):
    credential = from_record(services, build, email="teacher.record@riverside.example.org")
    teacher = build.user("teacher", email="teacher.record@riverside.example.org", school=build.school())
    with transaction(services.session_factory) as session:
        from credentials.storage.models.issuance import IssuedCredential

        session.get(IssuedCredential, credential.id).recipient_id = teacher.id
    browser.login(teacher.email)
    assert "You earned this micro-credential." in browser.get("/microcredentials/exit-tickets").get_data(as_text=True)
    with transaction(services.session_factory) as session:
        revocation.revoke_credential(
            session, services.signing, credential.uuid, category="issued_in_error", reason="Wrong person.",
            actor=SYSTEM, now=services.clock(),
        )  # fmt: skip
    page = browser.get("/microcredentials/exit-tickets").get_data(as_text=True)
    assert "You earned this" not in page and "Start this micro-credential" in page


def test_earned_then_revoked_says_so_instead_of_offering_a_start_that_would_be_refused(browser, build, services):
    credential = build.credential()  # earned through review
    with transaction(services.session_factory) as session:
        from credentials.storage.models.issuance import IssuedCredential

        teacher_email = session.get(IssuedCredential, credential.id).recipient.email
        revocation.revoke_credential(
            session, services.signing, credential.uuid, category="issued_in_error", reason="Wrong person.",
            actor=SYSTEM, now=services.clock(),
        )  # fmt: skip
    browser.login(teacher_email)
    page = browser.get("/microcredentials/exit-tickets").get_data(as_text=True)
    assert "district has since revoked the credential" in " ".join(page.split())
    assert "Start this micro-credential" not in page and "You earned this micro-credential." not in page
    listed = browser.get("/microcredentials").get_data(as_text=True)
    assert '<span class="standing-badge standing-revoked">Revoked</span>' in listed


def test_a_teachers_catalog_runs_the_same_queries_for_3_and_40(client, browser, build, services, count_queries):
    teacher = build.user("teacher", school=build.school())
    publish_many(services, 3)
    browser.login(teacher.email)
    browser.submit("/microcredentials/mc-001/start", {}, page="/microcredentials/mc-001")
    urls = ["/microcredentials", "/microcredentials/mc-001"]
    small = [statements(client, count_queries, url) for url in urls]
    publish_many(services, 37, start=3)
    assert [statements(client, count_queries, url) for url in urls] == small
    assert "standing-in-progress" in client.get("/microcredentials").get_data(as_text=True)


def test_definition_builder_is_unchanged():
    # The tests above count on the builder's rubric: two criteria, "Proficient" required for each.
    criteria = definition()["rubric"]["criteria"]
    assert len(criteria) == 2 and {c["required_level"] for c in criteria} == {"proficient"}
