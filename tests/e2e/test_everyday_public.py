"""Issue 16, the public pages in the browser: the credential page (scored, from a district record, revoked), the shared
evidence page, the catalog as a teacher sees it (Earned / In progress) and /verify's result, each at laptop and phone
width (strict where the issue found the page cut off on a phone) and scanned for accessibility.

The data is set up through domain functions and builders; only the visits go through the browser.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from credentials.domain.audit import Actor
from credentials.domain.credentials import admin, issuance, revocation
from credentials.domain.portfolio import attempts
from credentials.storage.database import transaction
from credentials.storage.models import Answer, User
from credentials.storage.models.issuance import IssuedCredential
from tests.builders import Builders, definition

from .accessibility import Scanner
from .browsing import VIEWPORT, Account, Album, Person

pytestmark = pytest.mark.e2e

PASSWORD = "lakeside public passphrase"
SYSTEM = Actor.system("test")
REFLECTION = "I **regrouped** students every day.\n\n- Group A re-read the text\n- Group B wrote a summary"


@dataclass
class Cast:
    teacher: Account
    scored: str  # uuids of credentials
    from_record: str
    revoked: str


@pytest.fixture(scope="module")
def cast(live) -> Cast:
    services = live.services
    build = Builders(services)
    account = Account("Ada Alvarez", "ada.alvarez@lakeside.example.org", PASSWORD)
    teacher = build.user(
        "teacher", school=build.school("Cedar Elementary"), email=account.email, name=account.name, password=PASSWORD
    )
    build.issuer_keys()
    slug = build.published(
        definition(summary="Design *exit tickets*, read them the same day, and use them to plan the next lesson.")
    )
    attempt = build.earned(slug, teacher, share=True)
    with transaction(services.session_factory) as session:
        answer = session.scalars(
            select(Answer).where(Answer.attempt_id == attempt.id, Answer.prompt_key == "reflection")
        ).one()
        answer.text = REFLECTION
        scored = issuance.issue_for_attempt(session, services.signing, attempt.id, now=services.clock()).uuid
    in_progress = build.published(definition(slug="family-talk", title="Talking with families"))
    old = build.published(definition(slug="conversations", title="Structured academic conversations"))
    with transaction(services.session_factory) as session:
        attempts.start_attempt(session, session.get(User, teacher.id), in_progress, now=services.clock())
        record, _ = admin.issue_to_person(
            session, services.signing, name="Ann Older", email="ann.older@lakeside.example.org",
            microcredential=old, awarded_on=date(2024, 5, 1), actor=SYSTEM, now=services.clock(),
        )  # fmt: skip
        revoked, _ = admin.issue_to_person(
            session, services.signing, name=account.name, email=account.email,
            microcredential=old, awarded_on=date(2024, 6, 1), actor=SYSTEM, now=services.clock(),
        )  # fmt: skip
        session.get(IssuedCredential, revoked.id).recipient_id = teacher.id
        revocation.revoke_credential(
            session, services.signing, revoked.uuid, category="issued_in_error", reason="Wrong person.",
            actor=SYSTEM, now=services.clock(),
        )  # fmt: skip
        return Cast(account, scored, record.uuid, revoked.uuid)


@pytest.fixture(scope="module")
def album(artifacts) -> Album:
    shutil.rmtree(artifacts / "everyday-public", ignore_errors=True)
    return Album(artifacts / "everyday-public")


@pytest.fixture(scope="module")
def scanner(browser, axe_script, artifacts, live) -> Scanner:
    out = artifacts / "everyday-public-accessibility"
    shutil.rmtree(out, ignore_errors=True)
    return Scanner(browser, axe_script, out, base_url=live.url, viewport=VIEWPORT)


@pytest.fixture
def person(browser, live, album):
    opened: list[Person] = []

    def open_for(label: str, account: Account | None = None) -> Person:
        someone = Person(browser, live.url, album, label, account)
        opened.append(someone)
        if account:
            someone.sign_in()
        return someone

    yield open_for
    for someone in opened:
        someone.close()


def check(scanner: Scanner, album: Album, page: Page, label: str, *, strict: bool = False, replay=None) -> None:
    album.at_both_sizes(page, label, strict=strict)
    found = scanner.scan(label, page, replay=replay)
    assert not found.blocking, scanner.report()


def test_the_credential_page_on_a_phone(cast, person, album, scanner):
    visitor = person("employer")
    page = visitor.page
    page.goto(f"/c/{cast.scored}")
    expect(page.get_by_role("heading", name="Rubric results")).to_be_visible()
    evidence = page.locator("section[aria-labelledby=evidence]")
    expect(evidence.locator("strong", has_text="regrouped")).to_be_visible()
    expect(evidence.get_by_text("**")).to_have_count(0)
    check(scanner, album, page, "1-4 credential page", strict=True)
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator(".rubric-cards")).to_be_visible()
    expect(page.locator(".rubric-wide")).to_be_hidden()
    page.goto(f"/c/{cast.scored}/evidence")
    expect(page.locator("strong", has_text="regrouped")).to_be_visible()
    check(scanner, album, page, "2 shared evidence page", strict=True)


def test_a_credential_from_a_district_record(cast, person, album, scanner):
    page = person("employer").page
    page.goto(f"/c/{cast.from_record}")
    expect(page.get_by_role("heading", name="Issued from a district record")).to_be_visible()
    expect(page.get_by_role("heading", name="Rubric results")).to_have_count(0)
    check(scanner, album, page, "3 credential from a record", strict=True)


def test_a_revoked_credential_is_not_offered_for_sharing(cast, person, album, scanner):
    teacher = person("teacher", cast.teacher)
    page = teacher.page
    page.goto(f"/c/{cast.revoked}")
    expect(page.locator(".verdict-headline")).to_contain_text("Revoked")
    expect(page.get_by_role("link", name="Add to LinkedIn profile")).to_have_count(0)
    page.goto(f"/c/{cast.scored}")
    expect(page.get_by_role("link", name="Add to LinkedIn profile")).to_be_visible()
    page.goto(f"/c/{cast.revoked}")
    check(scanner, album, page, "5 revoked credential seen by its earner", strict=True)


def test_the_catalog_as_a_teacher(cast, person, album, scanner):
    page = person("teacher", cast.teacher).page
    page.goto("/microcredentials")
    expect(page.locator(".standing-earned")).to_have_text("Earned")
    expect(page.locator(".standing-in-progress")).to_have_text("In progress")
    expect(page.get_by_text("*exit tickets*")).to_have_count(0)
    check(scanner, album, page, "7 catalog with earned and in progress", strict=True)
    page.goto("/microcredentials/exit-tickets")
    expect(page.get_by_text("You earned this micro-credential.")).to_be_visible()
    expect(page.get_by_role("button", name="Start this micro-credential")).to_have_count(0)
    check(scanner, album, page, "1-7 earned micro-credential page", strict=True)
    page.goto("/microcredentials/family-talk")
    expect(page.get_by_role("link", name="Continue your evidence")).to_be_visible()
    check(scanner, album, page, "7 micro-credential in progress", strict=True)


def test_verify_shows_the_badge_and_plain_words(cast, person, album, scanner, live):
    page = person("employer").page
    badge = page.request.get(f"{live.url}/c/{cast.scored}.png").body()

    def verify(target: Page) -> None:
        target.goto("/verify")
        target.get_by_label("Upload a file").set_input_files(
            files=[{"name": "badge.png", "mimeType": "image/png", "buffer": badge}]
        )
        target.get_by_role("button", name="Verify").click()
        expect(target.get_by_role("heading", name="Verification result")).to_be_visible()

    verify(page)
    expect(page.get_by_text("The credential inside a badge image (PNG)")).to_be_visible()
    expect(page.locator("img.verify-badge")).to_be_visible()
    assert page.locator("img.verify-badge").evaluate("img => img.naturalWidth") > 0, "the badge did not load"
    expect(page.get_by_role("link", name=f"{live.url}/c/{cast.scored}")).to_be_visible()
    check(scanner, album, page, "6 verify result", strict=True, replay=verify)
