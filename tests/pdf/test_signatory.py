"""The signatory block and the verify block print each thing once: no district name twice, no empty signature line,
and the page address once when it is also the credential's id (as it is for every credential we issue)."""

from __future__ import annotations

from credentials.pdf import CertificateTheme, render_certificate
from credentials.pdf.render import _html

from .conftest import CREDENTIAL_ID, PAGE_URL, certificate_data, pdf_text

DISTRICT = "Riverside Unified School District"
DEFAULT_TITLE = "Professional Learning, on behalf of the district"


def lines(pdf: bytes) -> list[str]:
    """The printed lines in the order they were laid out."""
    return [line.strip() for line in pdf_text(pdf, raw=True).splitlines() if line.strip()]


def squeezed(pdf: bytes) -> str:
    """The text without any white space, so an address broken over two lines reads whole."""
    return "".join(pdf_text(pdf).split())


def test_the_default_design_names_the_district_once_in_the_signatory_block():
    # What a district that never saved a design gets: signed by its own name, no signature image, and the page
    # address doubling as the credential's id.
    pdf = render_certificate(
        certificate_data(
            signatory_name=DISTRICT, signatory_title=DEFAULT_TITLE, signature_image=None, credential_id=PAGE_URL
        ),
        CertificateTheme(),
    )

    text = lines(pdf)
    assert text.count(DISTRICT) == 1  # the header prints it in capitals; the signatory block once
    assert text[text.index(DISTRICT) + 1] == DEFAULT_TITLE
    assert squeezed(pdf).count(PAGE_URL) == 1
    assert "CREDENTIAL ID" not in text and "Credential ID" not in text
    assert "VERIFY THIS CREDENTIAL" in text


def test_a_named_signatory_is_followed_by_title_and_district():
    pdf = render_certificate(certificate_data(), CertificateTheme())

    text = lines(pdf)
    name = text.index("Dr. Angela Brooks")
    assert text[name + 1 : name + 3] == ["Assistant Superintendent, Curriculum and Instruction", DISTRICT]
    assert text.count(DISTRICT) == 1
    # A credential id that differs from the page address is printed under its own label.
    assert squeezed(pdf).count(PAGE_URL) == 1 and squeezed(pdf).count(CREDENTIAL_ID) == 1
    assert "CREDENTIAL ID" in text


def test_no_signature_image_leaves_no_empty_signature_line():
    # The line to sign on is drawn under a signature image only; pdftotext cannot see a rule, the page's HTML can.
    assert 'class="signature"' in page_html(certificate_data())
    assert 'class="signature"' not in page_html(certificate_data(signature_image=None))


def page_html(data) -> str:
    return _html(data, CertificateTheme(), "letter", compact=False)
