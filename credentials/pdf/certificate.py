"""What a certificate shows (``CertificateData``) and how it looks (``CertificateTheme``), checked on construction.

Every limit here exists so that the layout fits on one page and a hostile value cannot make rendering slow: the
renderer trusts these objects once they exist.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, get_args
from urllib.parse import urlsplit

from .errors import CertificateError
from .images import check_image

Paper = Literal["letter", "a4"]
BorderStyle = Literal["classic", "double", "minimal", "ornate"]
PAPERS: tuple[str, ...] = get_args(Paper)
BORDER_STYLES: tuple[str, ...] = get_args(BorderStyle)

MAX_NAME = 150
MAX_TITLE = 150
MAX_COMPETENCY = 400
MAX_CRITERIA = 12
MAX_CRITERION = 80
MAX_LEVEL = 40
MAX_ISSUER = 120
MAX_SIGNATORY_NAME = 80
MAX_SIGNATORY_TITLE = 120
MAX_URL = 300
MAX_CREDENTIAL_JSON = 2 * 1024 * 1024
MAX_CREDIT_HOURS = 1000.0

# WCAG 2.x: 4.5:1 for body text in the primary colour; 3:1 for the accent, which only draws rules and ornaments.
MIN_PRIMARY_CONTRAST = 4.5
MIN_ACCENT_CONTRAST = 3.0

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on one certificate, as plain values."""

    earner_name: str
    title: str
    competency: str
    awarded_on: date
    criteria: list[tuple[str, str]]
    issuer_name: str
    issuer_url: str
    signatory_name: str
    signatory_title: str
    page_url: str
    credential_id: str
    credential_json: bytes = field(repr=False)
    credit_hours: float | None = None
    valid_until: date | None = None
    issuer_logo: bytes | None = field(default=None, repr=False)
    signature_image: bytes | None = field(default=None, repr=False)
    revoked: bool = False
    revoked_on: date | None = None

    def __post_init__(self) -> None:
        _text("earner_name", self.earner_name, MAX_NAME)
        _text("title", self.title, MAX_TITLE)
        _text("competency", self.competency, MAX_COMPETENCY)
        _text("issuer_name", self.issuer_name, MAX_ISSUER)
        _text("signatory_name", self.signatory_name, MAX_SIGNATORY_NAME)
        _text("signatory_title", self.signatory_title, MAX_SIGNATORY_TITLE)
        _url("issuer_url", self.issuer_url)
        _url("page_url", self.page_url)
        _text("credential_id", self.credential_id, MAX_URL)
        _date("awarded_on", self.awarded_on)
        if len(self.criteria) > MAX_CRITERIA:
            raise CertificateError(f"criteria: at most {MAX_CRITERIA} fit on a certificate, got {len(self.criteria)}")
        for index, pair in enumerate(self.criteria):
            if not (isinstance(pair, tuple | list) and len(pair) == 2):
                raise CertificateError(f"criteria[{index}]: expected (criterion name, level reached)")
            _text(f"criteria[{index}].criterion", pair[0], MAX_CRITERION)
            _text(f"criteria[{index}].level", pair[1], MAX_LEVEL)
        if self.credit_hours is not None:
            hours = self.credit_hours
            if isinstance(hours, bool) or not isinstance(hours, int | float) or not math.isfinite(hours):
                raise CertificateError("credit_hours: must be a number")
            if not 0 < hours <= MAX_CREDIT_HOURS:
                raise CertificateError(f"credit_hours: must be more than 0 and at most {MAX_CREDIT_HOURS:g}")
        if self.valid_until is not None:
            _date("valid_until", self.valid_until)
            if self.valid_until < self.awarded_on:
                raise CertificateError("valid_until: must not be before awarded_on")
        if not isinstance(self.credential_json, bytes) or not self.credential_json:
            raise CertificateError("credential_json: the signed credential is required, as bytes")
        if len(self.credential_json) > MAX_CREDENTIAL_JSON:
            raise CertificateError(f"credential_json: larger than {MAX_CREDENTIAL_JSON // 1024 // 1024} MB")
        if self.issuer_logo is not None:
            check_image("issuer_logo", self.issuer_logo)
        if self.signature_image is not None:
            check_image("signature_image", self.signature_image)
        if self.revoked:
            if self.revoked_on is None:
                raise CertificateError("revoked_on: required when the credential is revoked")
            _date("revoked_on", self.revoked_on)
        elif self.revoked_on is not None:
            raise CertificateError("revoked_on: given, but revoked is false")


@dataclass(frozen=True)
class CertificateTheme:
    """An issuer's colours, border and default paper, within limits that keep the certificate legible."""

    primary: str = "#1f3a5f"
    accent: str = "#9a7b3c"
    border: BorderStyle = "classic"
    paper: Paper = "letter"

    def __post_init__(self) -> None:
        _legible("primary", self.primary, MIN_PRIMARY_CONTRAST, "text is printed in it")
        _legible("accent", self.accent, MIN_ACCENT_CONTRAST, "rules and ornaments are drawn in it")
        if self.border not in BORDER_STYLES:
            raise CertificateError(f"border: must be one of {', '.join(BORDER_STYLES)}, got {self.border!r}")
        check_paper(self.paper)


def check_paper(paper: str) -> None:
    """Refuse a paper size the layout was not designed for."""
    if paper not in PAPERS:
        raise CertificateError(f"paper: must be one of {', '.join(PAPERS)}, got {paper!r}")


def contrast_with_white(colour: str) -> float:
    """The WCAG 2.x contrast ratio between ``#rrggbb`` and white (1 to 21)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def _legible(name: str, colour: object, minimum: float, why: str) -> None:
    if not isinstance(colour, str) or not HEX_COLOUR.fullmatch(colour):
        raise CertificateError(f"{name}: must be a colour written #rrggbb, got {colour!r}")
    ratio = contrast_with_white(colour)
    if ratio < minimum:
        raise CertificateError(
            f"{name}: {colour} is too light on a white page (contrast {ratio:.1f}:1, at least {minimum:g}:1 is "
            f"needed because {why}); choose a darker colour"
        )


def _text(name: str, value: object, limit: int) -> None:
    if not isinstance(value, str) or not value.strip():
        raise CertificateError(f"{name}: must be non-empty text")
    if len(value) > limit:
        raise CertificateError(f"{name}: at most {limit} characters fit on a certificate, got {len(value)}")
    # Control and format characters (bidi overrides among them) could hide or reorder what the page says.
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        raise CertificateError(f"{name}: contains control characters")


def _url(name: str, value: object) -> None:
    _text(name, value, MAX_URL)
    parts = urlsplit(str(value))
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise CertificateError(f"{name}: must be an http(s) URL, got {value!r}")


def _date(name: str, value: object) -> None:
    if not isinstance(value, date):
        raise CertificateError(f"{name}: must be a date")
