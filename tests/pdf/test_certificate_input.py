"""What a certificate accepts: themes within legible limits, and input that fits one page and cannot hurt."""

from __future__ import annotations

from datetime import date

import pytest

from credentials.pdf import CertificateError, CertificateTheme, render_certificate
from credentials.pdf.certificate import contrast_with_white

from .conftest import certificate_data


def test_default_theme_is_legible():
    theme = CertificateTheme()
    assert contrast_with_white(theme.primary) >= 4.5
    assert contrast_with_white(theme.accent) >= 3.0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"primary": "navy"}, "primary: must be a colour written #rrggbb"),
        ({"primary": "#12345"}, "primary: must be a colour written #rrggbb"),
        ({"primary": "#1f3a5f; }"}, "primary: must be a colour written #rrggbb"),
        ({"primary": "#ffd700"}, "primary: #ffd700 is too light on a white page"),
        ({"accent": "#f0f0f0"}, "accent: #f0f0f0 is too light on a white page"),
        ({"border": "dotted"}, "border: must be one of classic, double, minimal, ornate"),
        ({"paper": "legal"}, "paper: must be one of letter, a4"),
    ],
)
def test_theme_refuses_illegible_or_unknown_values(fields, message):
    with pytest.raises(CertificateError, match=message):
        CertificateTheme(**fields)


def test_contrast_message_says_what_to_do():
    with pytest.raises(CertificateError) as error:
        CertificateTheme(primary="#7fa7d9")
    assert "at least 4.5:1" in str(error.value)
    assert "choose a darker colour" in str(error.value)


def test_render_refuses_an_unknown_paper():
    with pytest.raises(CertificateError, match="paper"):
        render_certificate(certificate_data(), CertificateTheme(), "tabloid")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>"""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"earner_name": "   "}, "earner_name: must be non-empty text"),
        ({"earner_name": "x" * 151}, "earner_name: at most 150 characters"),
        ({"earner_name": "Ann\u202eekim"}, "earner_name: contains control characters"),
        ({"title": "T" * 151}, "title: at most 150 characters"),
        ({"competency": "c" * 401}, "competency: at most 400 characters"),
        ({"page_url": "javascript:alert(1)"}, "page_url: must be an http\\(s\\) URL"),
        ({"issuer_url": "file:///etc/passwd"}, "issuer_url: must be an http\\(s\\) URL"),
        ({"valid_until": date(2020, 1, 1)}, "valid_until: must not be before awarded_on"),
        ({"credit_hours": 0}, "credit_hours: must be more than 0"),
        ({"credit_hours": float("nan")}, "credit_hours: must be a number"),
        ({"criteria": [("Criterion", "Level")] * 13}, "criteria: at most 12"),
        ({"criteria": [("Criterion",)]}, "criteria\\[0\\]: expected"),
        ({"credential_json": b""}, "credential_json: the signed credential is required"),
        ({"revoked": True}, "revoked_on: required when the credential is revoked"),
        ({"revoked_on": date(2025, 5, 1)}, "revoked_on: given, but revoked is false"),
        ({"issuer_logo": b"GIF89a..."}, "issuer_logo: not a PNG, and not a well-formed SVG"),
        ({"issuer_logo": BILLION_LAUGHS}, "issuer_logo: not a PNG, and not a well-formed SVG without a DTD"),
        ({"issuer_logo": b"<html xmlns='http://www.w3.org/1999/xhtml'/>"}, "issuer_logo: .* not an SVG image"),
        ({"signature_image": b"\x89PNG\r\n\x1a\nbroken"}, "signature_image: not a readable PNG"),
        ({"signature_image": b"<svg/>" * 400_000}, "signature_image: larger than 2 MB"),
    ],
)
def test_data_refuses_what_cannot_be_printed_safely(fields, message):
    with pytest.raises(CertificateError, match=message):
        certificate_data(**fields)


def test_data_accepts_an_svg_logo():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
    assert certificate_data(issuer_logo=svg, signature_image=None).issuer_logo == svg
