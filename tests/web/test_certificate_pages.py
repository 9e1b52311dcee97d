"""The certificate PDF of a credential, and the evidence page an earner may share."""

import json
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from credentials.domain.audit import Actor
from credentials.domain.credentials import revocation
from credentials.pdf import extract_credential
from credentials.storage.database import transaction

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout


@needs_pdftotext
def test_the_certificate_carries_the_signed_credential_and_is_cached(client, build, services, tmp_path):
    credential = build.credential()
    response = client.get(f"/c/{credential.uuid}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    signed = json.loads(client.get(f"/c/{credential.uuid}.json").data)
    assert json.loads(extract_credential(response.data)) == signed
    text = text_of(response.data, tmp_path)
    assert credential.recipient_name in text and credential.uuid in text.replace("\n", "")
    assert len(list((services.settings.instance_dir / "certificates").glob("*.pdf"))) == 1
    assert client.get(f"/c/{credential.uuid}.pdf").data == response.data
    a4 = PdfReader(__import__("io").BytesIO(client.get(f"/c/{credential.uuid}.pdf?paper=a4").data))
    assert round(float(a4.pages[0].mediabox.width)) == 842
    assert client.get(f"/c/{credential.uuid}.pdf?paper=tabloid").status_code == 404


@needs_pdftotext
def test_a_revoked_credential_s_certificate_is_marked(client, build, services, tmp_path):
    credential = build.credential()
    assert "REVOKED" not in text_of(client.get(f"/c/{credential.uuid}.pdf").data, tmp_path)
    with transaction(services.session_factory) as session:
        revocation.revoke_credential(session, services.signing, credential.uuid, category="issued_in_error",
                                     reason="Wrong person", actor=Actor.system("t"), now=services.clock())  # fmt: skip
    assert "REVOKED" in text_of(client.get(f"/c/{credential.uuid}.pdf").data, tmp_path)


def test_the_evidence_page_exists_only_when_shared(client, build):
    slug = build.published()
    private = build.credential(slug)
    assert client.get(f"/c/{private.uuid}/evidence").status_code == 404
    shared = build.credential(slug, share=True)
    page = client.get(f"/c/{shared.uuid}/evidence")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Twenty-six fourth graders." in html and "tickets.pdf" in html
    link = html.split('href="/c/' + shared.uuid + "/evidence/files/", 1)[1].split('"', 1)[0]
    download = client.get(f"/c/{shared.uuid}/evidence/files/{link}")
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/c/{private.uuid}/evidence/files/{link}").status_code == 404


def test_the_certificate_itself_verifies_on_the_api_and_the_verify_page(browser, build, client):
    from tests.conftest import csrf_from, encode_multipart

    credential = build.credential()
    pdf = client.get(f"/c/{credential.uuid}.pdf").data
    report = client.post("/api/v1/verify", data=pdf, content_type="application/pdf").get_json()
    assert report["verified"] and report["status"] == "verified", report
    assert report["format"] == "the credential inside a certificate PDF"
    page = client.get("/verify").get_data(as_text=True)
    body, content_type = encode_multipart([("csrf_token", csrf_from(page))], [("file", "certificate.pdf", pdf)])
    html = client.post("/verify", data=body, content_type=content_type).get_data(as_text=True)
    assert "Verified" in html and "The credential inside a certificate PDF" in html


def test_a_certificate_with_a_tampered_attachment_fails(client, build):
    from credentials.pdf import CertificateTheme, render_certificate
    from tests.pdf.conftest import certificate_data

    credential = build.credential()
    signed = json.loads(client.get(f"/c/{credential.uuid}.json").data)
    signed["credentialSubject"]["identifier"][1]["identityHash"] = "Someone Else"
    forged = render_certificate(
        certificate_data(credential_json=json.dumps(signed).encode("utf-8")), CertificateTheme(), "letter"
    )
    report = client.post("/api/v1/verify", data=forged, content_type="application/pdf").get_json()
    assert not report["verified"] and report["status"] == "invalid", report
    proof = next(check for check in report["checks"] if check["check"] == "proof")
    assert proof["result"] == "failed" and "signature does not match" in proof["message"]
