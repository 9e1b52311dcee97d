"""The rendered certificate: what it says, where the QR code leads, what it carries, and that it fits one page."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date

import pytest
from PIL import Image
from pypdf import PdfReader

from credentials.pdf import (
    BORDER_STYLES,
    CertificateTheme,
    extract_credential,
    harfbuzz_subset_available,
    render_certificate,
    render_preview_png,
    template_version,
)

from .conftest import CREDENTIAL_ID, CREDENTIAL_JSON, PAGE_URL, certificate_data, pdf_text, require_tool

LONGEST_NAME = "Maximiliana Esperanza Concepción de la Santísima Trinidad Fernández-Rodríguez y Villanueva, Ed.D., NBCT"
LETTER = (792, 612)
A4 = (841.89, 595.28)


def words(text: str) -> str:
    return " ".join(text.split())


def test_pdf_shows_name_title_and_credential_id(default_pdf):
    text = words(pdf_text(default_pdf))
    assert "María López" in text
    assert "Formative Assessment with Exit Tickets" in text
    assert CREDENTIAL_ID in text
    assert "Riverside Unified School District" in text
    assert "March 4, 2025" in text
    assert "12.5 hours" in text
    assert "Instructional response" in text and "Advanced" in text


def test_qr_code_decodes_to_the_public_page(default_pdf, tmp_path):
    zbarimg = require_tool("zbarimg")
    (tmp_path / "certificate.pdf").write_bytes(default_pdf)
    subprocess.run(
        [require_tool("pdftoppm"), "-r", "150", "-png", "-singlefile", "certificate.pdf", "page"],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    result = subprocess.run(
        [zbarimg, "--quiet", "--raw", str(tmp_path / "page.png")], capture_output=True, check=True, timeout=60
    )
    assert result.stdout.decode().strip() == PAGE_URL
    assert PAGE_URL in words(pdf_text(default_pdf)).replace(" ", "")


def test_signed_credential_is_attached_unchanged(default_pdf):
    assert extract_credential(default_pdf) == CREDENTIAL_JSON
    assert PdfReader(io.BytesIO(default_pdf)).attachments == {"credential.json": [CREDENTIAL_JSON]}


def test_markup_in_a_name_prints_as_text():
    pdf = render_certificate(certificate_data(earner_name="<b>Maria</b> <img src=x>"), CertificateTheme())
    assert "<b>Maria</b> <img src=x>" in words(pdf_text(pdf))


def test_revoked_certificate_carries_a_revoked_stamp_with_its_date(default_pdf):
    revoked = render_certificate(certificate_data(revoked=True, revoked_on=date(2025, 6, 1)), CertificateTheme())
    text = words(pdf_text(revoked, raw=True))
    assert "REVOKED" in text
    assert "on June 1, 2025" in text
    assert "REVOKED" not in words(pdf_text(default_pdf, raw=True))


@pytest.mark.parametrize(("paper", "size"), [("letter", LETTER), ("a4", A4)])
def test_page_is_landscape_letter_or_a4(paper, size):
    pdf = render_certificate(certificate_data(), CertificateTheme(paper="a4"), paper)
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(size, abs=0.5)


def test_theme_paper_is_the_default():
    pdf = render_certificate(certificate_data(), CertificateTheme(paper="a4"))
    assert float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width) == pytest.approx(A4[0], abs=0.5)


def test_metadata_names_the_certificate_and_its_issuer(default_pdf):
    metadata = PdfReader(io.BytesIO(default_pdf)).metadata
    assert metadata.title == "Formative Assessment with Exit Tickets — María López"
    assert metadata.author == "Riverside Unified School District"
    assert metadata.subject.startswith("Designs, administers and acts on daily exit tickets")
    assert metadata.creation_date.date() == date(2025, 3, 4)


def embedded_fonts(pdf: bytes) -> list[tuple[str, bool]]:
    fonts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.append((str(font["/BaseFont"]), embedded))
    return fonts


def test_only_our_fonts_are_embedded(default_pdf):
    fonts = embedded_fonts(default_pdf)
    assert fonts
    for name, embedded in fonts:
        # A 6-letter subset tag, then the family our @font-face rules give Source Serif/Sans Pro.
        assert re.fullmatch(r"/[A-Z]{6}\+Certificate-(Serif|Sans)(-[A-Za-z-]+)?", name), name
        assert embedded, name


@pytest.mark.parametrize("border", BORDER_STYLES)
@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_longest_text_fits_on_one_page_without_overflowing(border, paper):
    data = certificate_data(
        earner_name=LONGEST_NAME + "x" * (120 - len(LONGEST_NAME)),
        title="Culturally Responsive Formative Assessment Practices for Multilingual Learners in Secondary "
        "Mathematics and Science Classrooms: Advanced",
        competency="w" * 40 + " is a word far too long to break anywhere but at a character; " + "c" * 298,
        criteria=[
            (f"Criterion {n:02}: " + "evidence " * 7 + "all", "Exceeds expectations with distinction!!!")
            for n in range(12)
        ],
        signatory_name="S" * 80,
        signatory_title="T" * 120,
        issuer_name="Independent School District of the Greater Metropolitan Area, Office of Professional Learning",
        revoked=True,
        revoked_on=date(2025, 6, 1),
    )
    pdf = render_certificate(data, CertificateTheme(border=border), paper)
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    width = float(page.mediabox.width)
    bbox = subprocess.run(
        [require_tool("pdftotext"), "-bbox", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    assert right_edges
    # Every word stays inside the page margin (0.35in = 25.2pt), so nothing runs off the paper.
    assert max(right_edges) <= width - 25.2


def test_preview_is_a_png_of_the_page():
    png = render_preview_png(certificate_data(), CertificateTheme(border="ornate"), "letter")
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (1056, 816)  # 11 x 8.5 inches at 96 dpi


def test_template_version_is_a_stable_short_hash():
    version = template_version()
    assert re.fullmatch(r"[0-9a-f]{16}", version)
    assert template_version() == version


def test_harfbuzz_subsetter_is_found_where_it_is_installed():
    if not harfbuzz_subset_available():
        message = "libharfbuzz-subset0 is not installed: fonts are subset by fontTools, about 6 times slower"
        if __import__("os").environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
