"""Builders for certificate input, and the command-line tools some checks read PDFs with."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import replace
from datetime import date

import pytest
from PIL import Image, ImageDraw

from credentials.pdf import CertificateData, CertificateTheme, render_certificate

PAGE_URL = "https://credentials.riverside.example.org/c/6f1d2c7e-8a3b-4c55-9d0e-2b7f4a1c9e88"
CREDENTIAL_ID = "urn:uuid:6f1d2c7e-8a3b-4c55-9d0e-2b7f4a1c9e88"
CREDENTIAL_JSON = b'{"@context": ["https://www.w3.org/ns/credentials/v2"], "proof": {"proofValue": "z3FXQ"}}'
TOOLS = {"pdftotext": "poppler-utils", "pdftoppm": "poppler-utils", "zbarimg": "zbar-tools"}


def png_bytes(width: int = 240, height: int = 80, colour=(31, 58, 95, 255)) -> bytes:
    """A small PNG drawn on the spot (a logo or a signature stand-in)."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((4, 4, width - 4, height - 4), outline=colour, width=6)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def certificate_data(**overrides) -> CertificateData:
    """A complete, valid certificate; keyword arguments replace fields."""
    data = CertificateData(
        earner_name="María López",
        title="Formative Assessment with Exit Tickets",
        competency="Designs, administers and acts on daily exit tickets to adjust the next lesson for every student.",
        awarded_on=date(2025, 3, 4),
        credit_hours=12.5,
        valid_until=date(2028, 3, 4),
        criteria=[("Alignment to learning target", "Proficient"), ("Instructional response", "Advanced")],
        issuer_name="Riverside Unified School District",
        issuer_url="https://riverside.example.org",
        issuer_logo=png_bytes(),
        signatory_name="Dr. Angela Brooks",
        signatory_title="Assistant Superintendent, Curriculum and Instruction",
        signature_image=png_bytes(300, 80, (20, 30, 90, 255)),
        page_url=PAGE_URL,
        credential_id=CREDENTIAL_ID,
        credential_json=CREDENTIAL_JSON,
    )
    return replace(data, **overrides)


@pytest.fixture(scope="session")
def default_pdf() -> bytes:
    """One rendering of the default certificate, shared by the checks that only read it."""
    return render_certificate(certificate_data(), CertificateTheme())


def require_tool(name: str) -> str:
    """The path of a command-line tool; skip when it is missing, except in CI (CI=true), where that is a failure."""
    path = shutil.which(name)
    if path:
        return path
    why = f"{name} is not installed (Debian package {TOOLS[name]})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why}, and CI must run this check")
    pytest.skip(why)


def pdf_text(pdf: bytes, *, raw: bool = False) -> str:
    """The text pdftotext reads from a PDF (raw: in content-stream order, which keeps rotated words whole)."""
    command = [require_tool("pdftotext"), *(["-raw"] if raw else []), "-", "-"]
    return subprocess.run(command, input=pdf, capture_output=True, check=True, timeout=60).stdout.decode()
