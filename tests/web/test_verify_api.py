"""POST /api/v1/verify and the /verify page: our credentials in every form, other issuers', status, and bad input."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import update

from credentials.domain.credentials.status_lists import set_status
from credentials.openbadges.baking import bake_png, bake_svg
from credentials.storage.models import IssuedCredential
from tests.builders import definition, png_bytes
from tests.conftest import encode_multipart
from tests.verification import foreign


def verify(client, data, content_type="application/json"):
    return client.post("/api/v1/verify", data=data, content_type=content_type)


def test_our_credential_verifies_in_all_four_forms(client, build):
    credential = build.credential()
    forms = {
        "application/json": client.get(f"/c/{credential.uuid}.json").data,
        "text/plain": client.get(f"/c/{credential.uuid}.jwt").data,
        "image/png": client.get(f"/c/{credential.uuid}.png").data,
        "image/svg+xml": client.get(f"/c/{credential.uuid}.svg").data,
    }
    for content_type, data in forms.items():
        response = verify(client, data, content_type)
        assert response.status_code == 200, response.get_json()
        report = response.get_json()
        assert report["verified"] is True and report["status"] == "verified", (content_type, report)
        assert {c["check"]: c["result"] for c in report["checks"]} == {
            "structure": "passed", "schema": "passed", "proof": "passed", "key": "passed", "issuer": "passed",
            "validity": "passed", "status": "passed",
        }  # fmt: skip
        assert report["credential"]["earner"] == credential.recipient_name
    rs256 = client.get(f"/c/{credential.uuid}.jwt?alg=RS256").data
    assert verify(client, rs256, "text/plain").get_json()["status"] == "verified"


def test_a_multipart_upload_and_the_report_schema(client, build):
    from jsonschema import Draft201909Validator

    from credentials.schemas import VERIFICATION_REPORT, load_schema

    credential = build.credential()
    body, content_type = encode_multipart([], [("file", "badge.png", client.get(f"/c/{credential.uuid}.png").data)])
    report = verify(client, body, content_type).get_json()
    assert report["status"] == "verified" and report["format"] == "the credential inside a badge image (PNG)"
    Draft201909Validator(load_schema(VERIFICATION_REPORT)).validate(report)
    body, content_type = encode_multipart(
        [("credential", client.get(f"/c/{credential.uuid}.jwt").get_data(as_text=True))], []
    )
    assert verify(client, body, content_type).get_json()["status"] == "verified"


def test_a_tampered_credential_is_reported_with_the_reason(client, build):
    credential = build.credential()
    document = json.loads(client.get(f"/c/{credential.uuid}.json").data)
    document["credentialSubject"]["identifier"][1]["identityHash"] = "Somebody Else"
    report = verify(client, json.dumps(document)).get_json()
    assert report["verified"] is False and report["status"] == "invalid"
    assert report["headline"] == "Could not be verified" and "does not match this document" in report["reason"]


def test_another_issuers_did_key_credential_verifies(client):
    report = verify(client, json.dumps(foreign.did_key_credential())).get_json()
    assert report["status"] == "verified", report


def test_revoked_suspended_and_expired(client, build, services, session, clock):
    credential = build.credential()
    data = client.get(f"/c/{credential.uuid}.json").data
    with session.begin():
        session.execute(
            update(IssuedCredential).where(IssuedCredential.id == credential.id).values(suspended_at=clock.now)
        )
    assert verify(client, data).get_json()["status"] == "suspended"
    with session.begin():
        set_status(session, services.signing, credential.status_list_id, credential.status_index, True, now=clock.now)
        session.execute(
            update(IssuedCredential).where(IssuedCredential.id == credential.id)
            .values(revoked_at=clock.now, revoked_category="issued_in_error", suspended_at=None)
        )  # fmt: skip
    report = verify(client, data).get_json()
    assert report["status"] == "revoked" and "(Issued in error)" in report["reason"]
    assert [c["result"] for c in report["checks"] if c["check"] == "status"] == ["failed", "failed"]

    fresh = build.credential(build.published(definition(slug="expiring", validity_months=12)))
    with session.begin():
        valid_until = session.get(IssuedCredential, fresh.id).valid_until
    clock.now = valid_until + timedelta(days=1)
    report = verify(client, client.get(f"/c/{fresh.uuid}.json").data).get_json()
    assert report["status"] == "expired" and report["reason"].startswith("Expired on")


def test_a_revoked_issuer_key_fails_with_the_reason(client, build, session, clock):
    from credentials.domain.audit import Actor
    from credentials.domain.credentials import issuer_keys

    credential = build.credential()
    data = client.get(f"/c/{credential.uuid}.json").data
    with session.begin():
        issuer_keys.revoke_key(
            session, credential.key_id, reason="laptop stolen", actor=Actor.system("test"), now=clock.now
        )
    report = verify(client, data).get_json()
    assert report["status"] == "invalid"
    assert f"Signing key {credential.key_id} was revoked on September 1, 2026: laptop stolen" in report["reason"]


@pytest.mark.parametrize(
    ("data", "content_type", "status", "words"),
    [
        (b'{"@context": [', "application/json", 400, "malformed"),
        (b"[1, 2]", "application/json", 422, "not an object"),
        (b"hello", "text/plain", 400, "neither JSON nor a VC-JWT"),
        (b"\x89PNG\r\n\x1a\nnot really", "image/png", 422, "PNG"),
        (b"<html></html>", "text/plain", 415, "not an SVG"),
        (b"{}", "application/xml", 415, "not accepted"),
        (b"", "application/json", 400, "empty"),
        (b"%PDF-1.7\ntrailer\n<<>>\n%%EOF\n", "application/pdf", 422, "No credential could be read from the PDF"),
    ],
)
def test_bad_input_is_a_clear_json_error(client, data, content_type, status, words):
    response = verify(client, data, content_type)
    assert response.status_code == status and response.is_json
    assert words in response.get_json()["error"]["message"]


def test_a_50_mb_upload_is_refused_before_it_is_read(client):
    response = client.post("/api/v1/verify", data=b"{" + b" " * (50 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 413 and response.get_json()["error"]["status"] == 413


def test_the_api_needs_no_csrf_token_and_the_openapi_document_describes_it(client):
    assert verify(client, json.dumps(foreign.did_key_credential())).status_code == 200
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.0") and "/verify" in spec["paths"]
    operation = spec["paths"]["/verify"]["post"]
    assert {"application/json", "text/plain", "multipart/form-data"} <= set(operation["requestBody"]["content"])
    assert set(operation["responses"]) >= {"200", "400", "413", "415", "422"}
    assert spec["components"]["schemas"]["VerificationReport"]["properties"]["status"]["enum"][0] == "verified"


def test_the_verify_page_form_works_without_javascript(browser, build, client):
    credential = build.credential()
    assert 'name="csrf_token"' in browser.get("/verify").get_data(as_text=True)
    png = client.get(f"/c/{credential.uuid}.png").data
    response = browser.upload("/verify", {}, {"file": ("badge.png", png)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Verified" in html and credential.recipient_name in html
    pasted = browser.submit("/verify", {"credential": client.get(f"/c/{credential.uuid}.jwt").get_data(as_text=True)})
    assert "Verified" in pasted.get_data(as_text=True)
    bad = browser.submit("/verify", {"credential": "not a credential"})
    assert bad.status_code == 400 and "could not be read" in bad.get_data(as_text=True)


def test_the_verify_form_keeps_csrf(client):
    response = client.post("/verify", data={"credential": "{}"})
    assert response.status_code == 400 and "expired or did not come from this site" in response.get_data(as_text=True)


DEEP_HEADER = foreign.jwt_with(header_extra=foreign.nested(1000))
DEEP_PAYLOAD = foreign.jwt_with(payload_extra=foreign.nested(1000))
DEEP_JSON = json.dumps(foreign.did_key_credential())[:-1] + f', "x": {foreign.nested(1000)}}}'
PLAIN_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"/>'


@pytest.mark.parametrize(
    ("text", "part"),
    [(DEEP_HEADER, "its header"), (DEEP_PAYLOAD, "its payload"), (DEEP_JSON, "The JSON")],
    ids=["jwt-header", "jwt-payload", "json"],
)
@pytest.mark.parametrize("container", ["text", "png", "svg", "multipart"])
def test_json_nested_1000_levels_is_refused_by_the_api(client, text, part, container):
    if container == "png":
        response = verify(client, bake_png(png_bytes(), text), "image/png")
    elif container == "svg":
        response = verify(client, bake_svg(PLAIN_SVG, text).encode(), "image/svg+xml")
    elif container == "multipart":
        response = verify(client, *encode_multipart([("credential", text)], []))
    else:
        response = verify(client, text, "text/plain")
    assert response.status_code in (400, 422) and response.is_json
    assert f"{part} is nested more than 32 levels deep" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("text", [DEEP_HEADER, DEEP_PAYLOAD, DEEP_JSON], ids=["jwt-header", "jwt-payload", "json"])
def test_json_nested_1000_levels_is_refused_by_the_verify_page(browser, text):
    for response in (
        browser.submit("/verify", {"credential": text}),
        browser.upload("/verify", {}, {"file": ("badge.png", bake_png(png_bytes(), text))}),
        browser.upload("/verify", {}, {"file": ("badge.svg", bake_svg(PLAIN_SVG, text).encode())}),
    ):
        html = response.get_data(as_text=True)
        assert response.status_code in (400, 422) and "The credential could not be read" in html
        assert "is nested more than 32 levels deep" in html


def test_the_openapi_document_names_the_configured_address_whatever_the_host_header(client, settings):
    spec = client.get("/api/v1/openapi.json", headers={"Host": "attacker.example"}).get_json()
    assert spec["servers"] == [{"url": f"{settings.public_url}/api/v1"}]
    assert "attacker.example" not in json.dumps(spec)
    assert spec["paths"]["/verify"]["post"]["responses"]["503"]["headers"]["Retry-After"]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        " javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "//evil.example/",
        "https:alert(1)",
    ],
)
def test_the_report_links_no_address_but_http_and_https(browser, url):
    key = foreign.test_key()
    did = foreign.did_key(key)
    document = foreign.unsigned(did)
    document["issuer"]["url"] = url
    credential = foreign.signed(document, key, f"{did}#{did.split(':')[-1]}")
    html = browser.submit("/verify", {"credential": json.dumps(credential)}).get_data(as_text=True)
    issuer = html[html.index("<dt>Issuer</dt>") :].split("</div>", 1)[0]
    assert "<a " not in issuer and "href" not in issuer
    assert str(escape(url)) in issuer


def test_the_report_links_an_https_issuer_address(browser):
    html = browser.submit("/verify", {"credential": json.dumps(foreign.did_key_credential())}).get_data(as_text=True)
    assert '<a href="https://www.imsglobal.org" rel="nofollow noopener noreferrer">' in html
