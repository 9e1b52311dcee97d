"""Issue 16, words: the audit trail reads as sentences with names (laptop and phone, axe-clean), and the printed
certificate names the district once and prints its address once (its first page saved as a PNG to look at).

The data is set up through domain functions; only the visits go through the browser."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from credentials.domain.audit import Actor
from credentials.domain.credentials import revocation
from credentials.storage.database import transaction
from credentials.storage.models import User
from tests.builders import Builders, definition

from .accessibility import Scanner
from .browsing import LAPTOP, Account, Album, Person

pytestmark = pytest.mark.e2e

PASSWORD = "lakeside words passphrase"
ADMIN = Account(name="Alex Admin", email="alex.admin@lakeside.example.org", password=PASSWORD)
TITLE = "Checking for understanding with exit tickets"


@dataclass
class Scene:
    kept_uuid: str
    revoked_uuid: str


@pytest.fixture(scope="module")
def scene(live) -> Scene:
    build = Builders(live.services)
    admin = build.admin(email=ADMIN.email, name=ADMIN.name, password=PASSWORD)
    slug = build.published(definition())
    maria = build.user("teacher", email="maria.lopez@lakeside.example.org", name="Maria Lopez", password=PASSWORD)
    build.reviewer(slug=slug, email="grace.kim@lakeside.example.org", name="Grace Kim", password=PASSWORD)
    revoked = build.credential(slug, maria)
    kept = build.credential(
        build.published(definition(slug="family-talk", title="Talking with families about learning")),
        build.user("teacher", email="aisha.okafor@lakeside.example.org", name="Aisha Okafor", password=PASSWORD),
    )
    with transaction(live.services.session_factory) as session:
        revocation.revoke_credential(
            session, live.services.signing, revoked.uuid, category="superseded",
            reason="Re-issued with the corrected name; the earlier credential named the wrong school year.",
            actor=Actor.user(session.get(User, admin.id)), now=live.services.clock(),
        )  # fmt: skip
    return Scene(kept_uuid=kept.uuid, revoked_uuid=revoked.uuid)


@pytest.fixture(scope="module")
def album(artifacts) -> Album:
    return Album(artifacts / "everyday-words")


@pytest.fixture(scope="module")
def scanner(browser, axe_script, artifacts, live) -> Scanner:
    return Scanner(browser, axe_script, artifacts / "everyday-words" / "accessibility", base_url=live.url,
                   viewport=LAPTOP)  # fmt: skip


def test_the_audit_trail_reads_as_sentences_at_both_sizes(scene, browser, live, album, scanner):
    admin = Person(browser, live.url, album, "admin", ADMIN)
    try:
        admin.sign_in()
        page = admin.page
        page.goto("/admin/audit")
        expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
        revoked = page.locator(".audit-sentence").filter(has_text="Alex Admin revoked")
        expect(revoked).to_have_text(
            f"Alex Admin revoked Maria Lopez's credential for {TITLE}: replaced by a corrected credential — "
            "“Re-issued with the corrected name; the earlier credential named the wrong school year.”"
        )
        expect(revoked.get_by_role("link", name=f"Maria Lopez's credential for {TITLE}")).to_have_attribute(
            "href", f"/admin/credentials/{scene.revoked_uuid}"
        )
        expect(page.locator(".audit-sentence").filter(has_text="Grace Kim scored").first).to_contain_text(": earned")
        # The raw record, folded away; opened, it wraps instead of running off the right edge.
        first = page.locator(".audit-details").first
        first.locator("summary").click()
        expect(first.locator(".audit-raw")).to_be_visible()
        album.at_both_sizes(page, "audit trail", strict=True)
        scan = scanner.scan("audit trail", page)
        assert not scan.blocking, scanner.report()
        assert not admin.problems, admin.problems
    finally:
        admin.close()


def test_the_certificate_names_the_district_once_and_its_address_once(scene, live, album, artifacts, tmp_path):
    pdftoppm, pdftotext = (pytest.importorskip("shutil").which(tool) for tool in ("pdftoppm", "pdftotext"))
    if not (pdftoppm and pdftotext):
        pytest.skip("poppler-utils is not installed")
    import urllib.request

    with urllib.request.urlopen(f"{live.url}/c/{scene.kept_uuid}.pdf", timeout=60) as response:  # noqa: S310
        pdf = response.read()
    (tmp_path / "certificate.pdf").write_bytes(pdf)
    png = album.next_path("certificate first page")
    first_page = ["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"]
    subprocess.run([pdftoppm, *first_page, "certificate.pdf", str(png.with_suffix(""))], cwd=tmp_path, check=True)
    assert png.exists()
    text = subprocess.run([pdftotext, "-raw", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # The default design signs with the district's name: once there (the header prints it in capitals).
    assert lines.count("Lakeside Unified School District") == 1
    assert "".join(text.split()).count(f"{live.url}/c/{scene.kept_uuid}") == 1
