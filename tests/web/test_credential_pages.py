"""Public credential routes: DID document, status lists, the credential page, downloads and content negotiation."""

import json

from sqlalchemy import select

from credentials.crypto.status_bitstring import StatusBitstring
from credentials.openbadges.baking import unbake_png, unbake_svg
from credentials.storage.models import IssuedCredential, OutboxMessage
from tests.web.test_review_pages import confirm_submission


def test_the_did_document_lists_the_issuer_keys(client, build, services):
    build.issuer_keys()
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200 and response.mimetype == "application/did+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    doc = response.get_json()
    assert doc["id"] == "did:web:microcred.test"
    types = sorted(m["type"] for m in doc["verificationMethod"])
    assert types == ["JsonWebKey", "Multikey"]
    assert doc["assertionMethod"] == [m["id"] for m in doc["verificationMethod"]]


def test_status_list_is_a_signed_credential_with_a_131072_bit_list(client, build):
    credential = build.credential()
    response = client.get(f"/status/{credential.status_list_id}")
    assert response.status_code == 200 and "max-age=60" in response.headers["Cache-Control"]
    doc = json.loads(response.data)
    assert doc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    bits = StatusBitstring.decode(doc["credentialSubject"]["encodedList"])
    assert len(bits) == 131_072 and not bits.get(credential.status_index)
    assert doc["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert client.get("/status/999").status_code == 404


def test_the_credential_page_shows_what_was_demonstrated(client, build):
    credential = build.credential()
    response = client.get(f"/c/{credential.uuid}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert credential.recipient_name in html
    assert "Checking for understanding with exit tickets" in html
    assert "Exit ticket design" in html and "Proficient" in html and "The evidence shows this clearly." in html
    assert "Add to LinkedIn profile" not in html  # only the earner sees it
    assert client.get("/c/00000000-0000-4000-8000-000000000000").status_code == 404


def test_the_earner_gets_a_linkedin_link_with_the_certification_fields(browser, build):
    teacher = build.user("teacher", school=build.school(), name="María López")
    credential = build.credential(teacher=teacher)
    browser.login(teacher.email)
    html = browser.get(f"/c/{credential.uuid}").get_data(as_text=True)
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in html
    assert f"certId={credential.uuid}" in html
    dashboard = browser.get("/my/microcredentials").get_data(as_text=True)
    for suffix in (".pdf", ".json", ".jwt", ".png", ".svg"):
        assert f'href="/c/{credential.uuid}{suffix}"' in dashboard


def test_content_negotiation_and_downloads_return_the_signed_document(client, build):
    credential = build.credential()
    stored = client.get(f"/c/{credential.uuid}.json")
    assert stored.mimetype == "application/ld+json"
    signed = json.loads(stored.data)
    negotiated = client.get(f"/c/{credential.uuid}", headers={"Accept": "application/ld+json"})
    assert negotiated.mimetype == "application/ld+json" and json.loads(negotiated.data) == signed
    assert "Accept" in negotiated.headers["Vary"]
    vc = client.get(f"/c/{credential.uuid}", headers={"Accept": "application/vc+ld+json"})
    assert json.loads(vc.data) == signed
    png = client.get(f"/c/{credential.uuid}.png")
    assert png.mimetype == "image/png" and json.loads(unbake_png(png.data)) == signed
    svg = client.get(f"/c/{credential.uuid}.svg")
    assert svg.mimetype == "image/svg+xml" and json.loads(unbake_svg(svg.data)) == signed
    eddsa = client.get(f"/c/{credential.uuid}.jwt").get_data(as_text=True)
    rs256 = client.get(f"/c/{credential.uuid}.jwt?alg=RS256").get_data(as_text=True)
    assert eddsa.count(".") == 2 and rs256.count(".") == 2 and eddsa != rs256
    assert client.get(f"/c/{credential.uuid}.jwt?alg=HS256").status_code == 404


def test_an_earned_review_submitted_on_the_web_issues_the_credential_at_once(browser, build, services, session):
    build.issuer_keys()
    slug = build.published()
    reviewer = build.reviewer(slug=slug, email="rita@riverside.example.org")
    attempt = build.submitted(slug)
    from credentials.storage.models import Assignment

    assignment = session.scalars(select(Assignment).where(Assignment.attempt_id == attempt.id)).one()
    browser.login(reviewer.email)
    scores = {"level-design": "proficient", "level-reflection": "exemplary", "overall": "Clear evidence."}
    browser.submit(f"/reviews/{assignment.id}", {**scores, "action": "submit"})  # saved; the summary comes next
    response = confirm_submission(browser, f"/reviews/{assignment.id}")
    assert response.status_code == 302
    session.rollback()
    credential = session.scalars(select(IssuedCredential).where(IssuedCredential.attempt_id == attempt.id)).one()
    mail = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "credential")).one()
    assert credential.uuid in mail.body_text


def test_without_keys_the_decision_stands_and_issuance_waits(browser, build, services, session, caplog):
    slug = build.published()
    reviewer = build.reviewer(slug=slug, email="rita@riverside.example.org")
    attempt = build.submitted(slug)
    from credentials.storage.models import Assignment, Attempt

    assignment = session.scalars(select(Assignment).where(Assignment.attempt_id == attempt.id)).one()
    browser.login(reviewer.email)
    scores = {"level-design": "proficient", "level-reflection": "exemplary", "overall": "Clear evidence."}
    browser.submit(f"/reviews/{assignment.id}", {**scores, "action": "submit"})
    confirm_submission(browser, f"/reviews/{assignment.id}")
    session.rollback()
    assert session.get(Attempt, attempt.id).status == "earned"
    assert session.scalars(select(IssuedCredential)).all() == []
    assert "microcred keys generate" in caplog.text


# --- The verdict on the credential page -----------------------------------------------------------------------------


def _verdict(client, credential) -> str:
    html = client.get(f"/c/{credential.uuid}").get_data(as_text=True)
    start = html.index('class="verdict')
    return html[start : html.index("</section>", start)]


def test_the_page_says_verified_first_with_the_checks_qr_code_and_card(client, build):
    credential = build.credential()
    html = client.get(f"/c/{credential.uuid}").get_data(as_text=True)
    assert html.index("verdict-headline") < html.index('id="credential-title"')
    verdict = _verdict(client, credential)
    assert "Verified" in verdict and "<details" in verdict
    assert "eddsa-rdfc-2022" in verdict and f"Issuer key {credential.key_id} is active." in verdict
    assert "Dates of validity" in verdict and "Revoked or suspended" in verdict and "Open Badges format" in verdict
    assert 'src="data:image/svg+xml' in html and "QR code that opens this credential" in html
    for suffix in (".json", ".jwt", ".jwt?alg=RS256", ".png", ".svg", ".pdf"):
        assert f'href="/c/{credential.uuid}{suffix}"' in html
    assert f'<meta property="og:url" content="https://microcred.test/c/{credential.uuid}">' in html
    assert 'property="og:title"' in html and 'property="og:image"' in html and 'property="og:description"' in html


def test_the_page_shows_revoked_suspended_and_expired(client, build, services, session, clock):
    from datetime import timedelta

    from sqlalchemy import update

    from credentials.domain.credentials.status_lists import set_status
    from tests.builders import definition

    credential = build.credential(build.published(definition(slug="expiring", validity_months=12)))
    with session.begin():
        session.execute(
            update(IssuedCredential).where(IssuedCredential.id == credential.id).values(suspended_at=clock.now)
        )
    assert "Suspended" in _verdict(client, credential)
    with session.begin():
        set_status(session, services.signing, credential.status_list_id, credential.status_index, True, now=clock.now)
        session.execute(
            update(IssuedCredential).where(IssuedCredential.id == credential.id)
            .values(revoked_at=clock.now, revoked_category="superseded", suspended_at=None)
        )  # fmt: skip
    verdict = _verdict(client, credential)
    assert "Revoked" in verdict and "September 1, 2026 (Replaced by a corrected credential)" in verdict
    with session.begin():
        session.execute(update(IssuedCredential).where(IssuedCredential.id == credential.id).values(revoked_at=None))
        valid_until = session.get(IssuedCredential, credential.id).valid_until
    clock.now = valid_until + timedelta(days=1)
    verdict = _verdict(client, credential)
    assert "Expired" in verdict and "Expired on" in verdict


def test_a_revoked_issuer_key_turns_the_page_to_could_not_be_verified(client, build, session, clock):
    from credentials.domain.audit import Actor
    from credentials.domain.credentials import issuer_keys

    credential = build.credential()
    assert "Verified" in _verdict(client, credential)
    with session.begin():
        issuer_keys.revoke_key(
            session, credential.key_id, reason="key leaked", actor=Actor.system("test"), now=clock.now
        )
    verdict = _verdict(client, credential)
    assert "Could not be verified" in verdict
    assert f"Signing key {credential.key_id} was revoked on September 1, 2026: key leaked" in verdict


def test_the_page_caches_the_proof_and_reads_status_in_one_query(client, build, count_queries, services):
    credential = build.credential()
    first = client.get(f"/c/{credential.uuid}").get_data(as_text=True)  # checks the proof and caches it
    with count_queries() as statements:
        response = client.get(f"/c/{credential.uuid}")
    assert response.status_code == 200
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # The credential's status, and the district's name and time zone that every page's header and dates use.
    assert len(selects) == 2 and "FROM issuers" in selects[1], selects
    assert "document" not in selects[0]  # a cached view neither loads nor parses the signed document
    assert response.get_data(as_text=True) == first
