"""Printable, verifiable certificates: WeasyPrint with a locked-down URL fetcher and only our own fonts.

Self-contained on purpose (no Flask, no domain or storage imports): the web layer builds a ``CertificateData`` and a
``CertificateTheme`` and caches PDFs by ``template_version()``.
"""

import warnings

with warnings.catch_warnings():
    # WeasyPrint warns at import when libharfbuzz-subset is missing; harfbuzz_subset_available() lets the service log
    # that once at start-up instead of failing an import under warnings-as-errors.
    warnings.filterwarnings("ignore", message="HarfBuzz-Subset will be required", category=DeprecationWarning)
    import weasyprint  # noqa: F401

from .certificate import BORDER_STYLES, PAPERS, BorderStyle, CertificateData, CertificateTheme, Paper
from .errors import CertificateError
from .extract import extract_credential
from .harfbuzz import harfbuzz_subset_available
from .images import check_image
from .render import render_certificate, render_preview_png, template_version

__all__ = [
    "BORDER_STYLES",
    "PAPERS",
    "BorderStyle",
    "CertificateData",
    "CertificateError",
    "CertificateTheme",
    "Paper",
    "check_image",
    "extract_credential",
    "harfbuzz_subset_available",
    "render_certificate",
    "render_preview_png",
    "template_version",
]
