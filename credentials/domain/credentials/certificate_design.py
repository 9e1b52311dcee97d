"""The district's certificate design (colours, border, default paper, signatory), the limits it must keep, and a
preview of it. Every cached certificate is keyed by the design's fingerprint, so saving a new design re-renders
certificates on their next download."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from ...pdf import (
    BORDER_STYLES,
    PAPERS,
    CertificateData,
    CertificateError,
    CertificateTheme,
    check_image,
    render_preview_png,
)
from ...storage.models import CertificateSettings, Issuer
from ..audit import Actor, record_event
from ..errors import InvalidInput
from ..people.organizations import require_issuer

DEFAULT_THEME = CertificateTheme()
DEFAULT_SIGNATORY_TITLE = "Professional Learning, on behalf of the district"
BORDER_LABELS = {
    "classic": "Classic: a framed rule",
    "double": "Double rule",
    "minimal": "Minimal: a thin line",
    "ornate": "Ornate: corner ornaments",
}
PAPER_LABELS = {"letter": "US Letter", "a4": "A4"}
MAX_SIGNATURE_BYTES = 512 * 1024
PREVIEW_DPI = 72
assert set(BORDER_LABELS) == set(BORDER_STYLES) and set(PAPER_LABELS) == set(PAPERS)


@dataclass(frozen=True)
class CertificateDesign:
    """How certificates look now. ``signature_image`` is loaded only when asked for (rendering)."""

    theme: CertificateTheme
    signatory_name: str
    signatory_title: str
    signature_sha256: str | None
    logo_sha256: str | None
    signature_image: bytes | None = None
    saved_at: datetime | None = None

    @property
    def has_signature(self) -> bool:
        return self.signature_sha256 is not None

    @property
    def fingerprint(self) -> str:
        """A short hash of everything the design puts on a certificate (the paper size is keyed separately)."""
        theme = self.theme
        parts = [theme.primary, theme.accent, theme.border, self.signatory_name, self.signatory_title]
        text = "\n".join([*parts, self.signature_sha256 or "-", self.logo_sha256 or "-"])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def certificate_design(session: Session, *, with_images: bool = False) -> CertificateDesign:
    """The saved design, or the defaults (signed by the district's name) when none was saved. Without images it is
    one small query, which is all a cached certificate download needs (its fingerprint and default paper)."""
    row = session.execute(
        select(Issuer.id, Issuer.name, Issuer.logo_sha256, CertificateSettings)
        .outerjoin(CertificateSettings, CertificateSettings.issuer_id == Issuer.id)
        .order_by(Issuer.id)
        .limit(1)
    ).first()
    if row is None:
        require_issuer(session)  # raises the district-not-set-up error
    saved: CertificateSettings | None = row.CertificateSettings
    if saved is None:
        return CertificateDesign(DEFAULT_THEME, row.name[:80], DEFAULT_SIGNATORY_TITLE, None, row.logo_sha256)
    signature = None
    if with_images and saved.signature_sha256 is not None:
        signature = session.scalar(
            select(CertificateSettings.signature_image).where(CertificateSettings.issuer_id == row.id)
        )
    return CertificateDesign(
        theme=CertificateTheme(saved.primary_colour, saved.accent_colour, saved.border_style, saved.paper),
        signatory_name=saved.signatory_name,
        signatory_title=saved.signatory_title,
        signature_sha256=saved.signature_sha256,
        logo_sha256=row.logo_sha256,
        signature_image=signature,
        saved_at=saved.updated_at,
    )


def checked_design(
    *, primary: str, accent: str, border: str, paper: str, signatory_name: str, signatory_title: str
) -> tuple[CertificateTheme, str, str]:
    """The theme and signatory if they keep within the limits; InvalidInput naming each field otherwise."""
    errors: dict[str, str] = {}
    primary, accent = (primary or "").strip().lower(), (accent or "").strip().lower()
    for field, value in (("primary", primary), ("accent", accent)):
        try:
            CertificateTheme(**{**_theme_fields(DEFAULT_THEME), field: value})
        except CertificateError as exc:
            errors[field] = _sentence(exc)
    if border not in BORDER_STYLES:
        errors["border"] = "Choose one of the border styles."
    if paper not in PAPERS:
        errors["paper"] = "Choose US Letter or A4."
    signatory_name, signatory_title = (
        " ".join((signatory_name or "").split()),
        " ".join((signatory_title or "").split()),
    )
    if not signatory_name:
        errors["signatory_name"] = "Enter the name that signs the certificates."
    elif len(signatory_name) > 80:
        errors["signatory_name"] = "At most 80 characters fit under the signature line."
    if len(signatory_title) > 120:
        errors["signatory_title"] = "At most 120 characters fit under the signatory's name."
    if errors:
        raise InvalidInput(errors)
    return CertificateTheme(primary, accent, border, paper), signatory_name, signatory_title


def save_certificate_design(
    session: Session,
    *,
    primary: str,
    accent: str,
    border: str,
    paper: str,
    signatory_name: str,
    signatory_title: str,
    signature: bytes | None,
    remove_signature: bool,
    actor: Actor,
    now: datetime,
) -> CertificateDesign:
    """Check and save the design (a new signature image replaces the old one); recorded in the audit trail."""
    theme, name, title = checked_design(
        primary=primary, accent=accent, border=border, paper=paper, signatory_name=signatory_name,
        signatory_title=signatory_title,
    )  # fmt: skip
    if signature is not None:
        _check_signature(signature)
    issuer = require_issuer(session)
    saved = session.get(CertificateSettings, issuer.id)
    if saved is None:
        saved = CertificateSettings(issuer_id=issuer.id)
        session.add(saved)
    saved.primary_colour, saved.accent_colour, saved.border_style, saved.paper = (
        theme.primary, theme.accent, theme.border, theme.paper,
    )  # fmt: skip
    saved.signatory_name, saved.signatory_title, saved.updated_at = name, title, now
    if signature is not None:
        saved.signature_image, saved.signature_sha256 = signature, hashlib.sha256(signature).hexdigest()
    elif remove_signature:
        saved.signature_image = saved.signature_sha256 = None
    record_event(
        session, actor=actor, action="certificate_design.saved", subject_type="issuer", subject_id=str(issuer.id),
        summary={"primary": theme.primary, "accent": theme.accent, "border": theme.border, "paper": theme.paper,
                 "signatory": name, "signature": "new" if signature else ("removed" if remove_signature else "kept")},
        now=now,
    )  # fmt: skip
    session.flush()
    return certificate_design(session)


def preview_png(
    session: Session,
    *,
    primary: str,
    accent: str,
    border: str,
    paper: str,
    signatory_name: str,
    signatory_title: str,
    public_url: str,
    today: date,
) -> bytes:
    """A PNG of a sample certificate in the given design (with the saved logo and signature), for the live preview."""
    theme, name, title = checked_design(
        primary=primary, accent=accent, border=border, paper=paper, signatory_name=signatory_name,
        signatory_title=signatory_title,
    )  # fmt: skip
    issuer = session.scalar(select(Issuer).order_by(Issuer.id).options(undefer(Issuer.logo)).limit(1))
    saved = certificate_design(session, with_images=True)
    sample = CertificateData(
        earner_name="Jordan Rivera",
        title="Checking for Understanding with Exit Tickets",
        competency="The educator designs exit tickets aligned to a lesson objective and uses the results to adjust "
        "the next lesson.",
        awarded_on=today,
        criteria=[
            ("Alignment to the objective", "Proficient"),
            ("Use of student data", "Exemplary"),
            ("Reflection on practice", "Proficient"),
        ],
        issuer_name=issuer.name[:120],
        issuer_url=issuer.url,
        signatory_name=name,
        signatory_title=title,
        page_url=f"{public_url}/c/00000000-0000-4000-8000-000000000000",
        credential_id=f"{public_url}/c/00000000-0000-4000-8000-000000000000",
        credential_json=b'{"preview": true}',
        credit_hours=10,
        issuer_logo=logo_png(issuer),
        signature_image=saved.signature_image,
    )
    return render_preview_png(sample, theme, paper, dpi=PREVIEW_DPI)


def logo_png(issuer: Issuer) -> bytes | None:
    """The district's logo as PNG for the certificate (a JPEG logo, checked when it was uploaded, is converted)."""
    if not issuer.logo:
        return None
    if issuer.logo_media_type == "image/png":
        return issuer.logo
    with Image.open(io.BytesIO(issuer.logo)) as image:
        out = io.BytesIO()
        image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB").save(out, format="PNG")
    return out.getvalue()


def _check_signature(data: bytes) -> None:
    if len(data) > MAX_SIGNATURE_BYTES:
        raise InvalidInput({"signature": f"The signature image must be at most {MAX_SIGNATURE_BYTES // 1024} KB."})
    try:
        check_image("signature", data)
    except CertificateError as exc:
        raise InvalidInput({"signature": _sentence(exc)}) from exc


def _theme_fields(theme: CertificateTheme) -> dict:
    return {"primary": theme.primary, "accent": theme.accent, "border": theme.border, "paper": theme.paper}


def _sentence(error: CertificateError) -> str:
    """The renderer's message without its field prefix, as a sentence."""
    text = str(error).split(": ", 1)[-1]
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
