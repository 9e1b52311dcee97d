"""Issuer admins design the certificates within limits, preview them live, and every certificate follows the design."""

from __future__ import annotations

import html
import io
import shutil
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from credentials.storage.models import AuditEvent, CertificateSettings

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")

DESIGN = {
    "primary": "#0b3d2e",
    "accent": "#7a4b00",
    "border": "double",
    "paper": "a4",
    "signatory_name": "Dr. Renata Ortiz",
    "signatory_title": "Assistant Superintendent for Learning",
}


def _admin(browser, build):
    admin = build.admin(email="admin@riverside.example.org", name="Dana Admin")
    browser.login(admin.email)
    return admin


def _png(width=120, height=40) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (20, 20, 60, 255)).save(out, format="PNG")
    return out.getvalue()


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_only_issuer_admins_reach_the_design(browser, build, client):
    build.issuer()
    assert client.get("/admin/certificate").status_code == 302
    assert client.get("/admin/certificate/preview.png").status_code == 302
    browser.login(build.user("teacher").email)
    assert client.get("/admin/certificate").status_code == 403
    assert client.get("/admin/certificate/preview.png").status_code == 403


def test_the_page_shows_the_defaults_and_a_preview_of_them(browser, build, client):
    _admin(browser, build)
    page = client.get("/admin/certificate").get_data(as_text=True)
    assert "The defaults are in use." in page and 'value="#1f3a5f"' in page and 'type="color"' in page
    src = html.unescape(page.split('id="certificate-preview-image" src="')[1].split('"')[0])
    preview = client.get(src)
    assert preview.status_code == 200 and preview.mimetype == "image/png"
    with Image.open(io.BytesIO(preview.data)) as image:
        assert image.width > image.height  # landscape


def test_the_live_preview_follows_the_query_and_refuses_illegible_colours(browser, build, client):
    _admin(browser, build)
    one = client.get("/admin/certificate/preview.png", query_string=DESIGN)
    other = client.get("/admin/certificate/preview.png", query_string={**DESIGN, "border": "ornate"})
    assert one.status_code == other.status_code == 200 and one.data != other.data
    bad = client.get(
        "/admin/certificate/preview.png", query_string={**DESIGN, "primary": "#ffff00"},
        headers={"Accept": "application/json"},
    )  # fmt: skip
    assert bad.status_code == 422 and "too light" in bad.get_json()["error"]["message"]


def test_saving_a_design_changes_every_certificate(browser, build, client, session, services, tmp_path):
    credential = build.credential()
    before = client.get(f"/c/{credential.uuid}.pdf").data
    _admin(browser, build)
    response = browser.upload("/admin/certificate", DESIGN, {"signature": ("signature.png", _png())})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    saved = session.scalar(select(CertificateSettings))
    assert saved.border_style == "double" and saved.signature_sha256 and saved.paper == "a4"
    assert session.scalar(select(AuditEvent.action).order_by(AuditEvent.seq.desc())) == "certificate_design.saved"
    after = client.get(f"/c/{credential.uuid}.pdf").data
    assert after != before
    assert round(float(PdfReader(io.BytesIO(after)).pages[0].mediabox.width)) == 842  # A4 is now the default
    if shutil.which("pdftotext"):
        text = _text(after, tmp_path)
        assert "Dr. Renata Ortiz" in text and "Assistant Superintendent for Learning" in text
    letter = client.get(f"/c/{credential.uuid}.pdf?paper=letter").data
    assert round(float(PdfReader(io.BytesIO(letter)).pages[0].mediabox.width)) == 792
    page = client.get("/admin/certificate").get_data(as_text=True)
    assert "Last saved" in page and "Remove the current signature image" in page


def test_a_bad_design_is_answered_beside_the_field_and_saves_nothing(browser, build, client, session):
    _admin(browser, build)
    cases = [
        ({"primary": "#ffff00"}, {}, "too light"),
        ({"accent": "yellow"}, {}, "#rrggbb"),
        ({"border": "flames"}, {}, "Not a valid choice"),
        ({"signatory_name": "  "}, {}, "Enter the name that signs the certificates."),
        ({"signatory_name": "n" * 81}, {}, "cannot be longer than 80"),
        ({}, {"signature": ("s.png", b"\x89PNG\r\n\x1a\nnot really")}, "signature"),
        ({}, {"signature": ("s.svg", b'<!DOCTYPE svg [<!ENTITY x "y">]><svg/>')}, "signature"),
        ({}, {"signature": ("s.png", b"\x89PNG" + b"0" * 600_000)}, "at most 512 KB"),
    ]
    for change, files, message in cases:
        response = browser.upload("/admin/certificate", {**DESIGN, **change}, files)
        assert response.status_code == 422, (change, files)
        assert message.lower() in html.unescape(response.get_data(as_text=True)).lower(), (change, message)
    assert session.scalar(select(func.count()).select_from(CertificateSettings)) == 0


def test_the_preview_button_works_without_javascript_and_saves_nothing(browser, build, client, session):
    _admin(browser, build)
    response = browser.submit("/admin/certificate", {**DESIGN, "action": "preview"})
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    src = page.split('id="certificate-preview-image" src="')[1].split('"')[0]
    assert "border=double" in src and "primary=%230b3d2e" in src
    assert client.get(src).status_code == 200
    assert session.scalar(select(func.count()).select_from(CertificateSettings)) == 0


@needs_pdftotext
def test_a_cached_certificate_is_served_without_rendering_again(client, build, services, count_queries):
    credential = build.credential()
    first = client.get(f"/c/{credential.uuid}.pdf").data
    with count_queries() as statements:
        again = client.get(f"/c/{credential.uuid}.pdf")
    assert again.data == first
    selects = [statement for statement in statements if statement.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, selects  # the revocation date and the design's fingerprint
    assert not any("document" in statement for statement in selects)
