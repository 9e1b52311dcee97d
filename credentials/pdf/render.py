"""Render a certificate to PDF (one landscape page, credential attached) and to a PNG preview of that page."""

from __future__ import annotations

import hashlib
import io
import threading
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path

import jinja2
import pypdfium2
import weasyprint
from weasyprint import CSS, HTML, Attachment

from ..text.dates import us_date
from .certificate import CertificateData, CertificateTheme, Paper, check_paper
from .errors import CertificateError
from .fetcher import IMAGE_SCHEME, SandboxedFetcher
from .fonts import OwnFontsOnly, font_face_css, font_files
from .images import image_kind, qr_code_svg

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "certificates"
TEMPLATE = "certificate.html"
ATTACHMENT_NAME = "credential.json"
PREVIEW_DPI = 96
# (longest text in characters, CSS class) for the earner's name and the title: shorter text prints larger.
NAME_SIZES = ((28, "xl"), (44, "l"), (70, "m"), (100, "s"))
TITLE_SIZES = ((50, "l"), (90, "m"), (120, "s"))

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# A font configuration registers our font files once; WeasyPrint's is not safe to share between threads.
_per_thread = threading.local()


def render_certificate(data: CertificateData, theme: CertificateTheme, paper: Paper | None = None) -> bytes:
    """The certificate as a one-page landscape PDF with the signed credential attached as credential.json."""
    paper = paper or theme.paper
    check_paper(paper)
    fetcher = SandboxedFetcher(TEMPLATE_DIR, _images(data))
    font_config = _font_config()
    for compact in (False, True):
        # A long title, competency and many criteria can need the tighter spacing of the compact layout.
        html = HTML(string=_html(data, theme, paper, compact=compact), url_fetcher=fetcher, media_type="print")
        document = html.render(font_config=font_config, stylesheets=[_stylesheet(font_config)])
        if len(document.pages) == 1:
            break
    else:
        raise CertificateError("the certificate's text does not fit on one page; shorten the title or competency")
    stamp = datetime.combine(data.awarded_on, time(0))
    attachment = Attachment(
        file_obj=io.BytesIO(data.credential_json),
        url_fetcher=fetcher,
        name=ATTACHMENT_NAME,
        description="Signed Open Badges 3.0 credential this certificate was printed from",
        created=stamp,
        modified=stamp,
        relationship="Data",
    )
    return document.write_pdf(attachments=[attachment])


def render_preview_png(
    data: CertificateData, theme: CertificateTheme, paper: Paper | None = None, dpi: int = PREVIEW_DPI
) -> bytes:
    """A PNG of the certificate's page, for an admin previewing a theme (96 dpi unless asked otherwise)."""
    if not 24 <= dpi <= 300:
        raise CertificateError("dpi: must be between 24 and 300")
    pdf = pypdfium2.PdfDocument(render_certificate(data, theme, paper))
    try:
        page = pdf[0]
        bitmap = page.render(scale=dpi / 72)
        image = bitmap.to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        image.close()
        bitmap.close()
        page.close()
    finally:
        pdf.close()
    return out.getvalue()


@lru_cache(maxsize=1)
def template_version() -> str:
    """A short hash of the layout (template, CSS, assets), the font files and WeasyPrint's version, for PDF caches."""
    digest = hashlib.sha256(f"weasyprint {weasyprint.__version__}\n".encode())
    for path in sorted(p for p in TEMPLATE_DIR.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(TEMPLATE_DIR).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    for name, path in sorted(font_files().items()):
        digest.update(f"font {name}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _font_config() -> OwnFontsOnly:
    if getattr(_per_thread, "font_config", None) is None:
        _per_thread.font_config = OwnFontsOnly()
    return _per_thread.font_config


def _stylesheet(font_config: OwnFontsOnly) -> CSS:
    """Our @font-face rules and certificate.css, parsed once per thread (for its font configuration): parsing them
    was about a third of every render. Only the theme's two colours are parsed per certificate."""
    if getattr(_per_thread, "stylesheet", None) is None:
        text = font_face_css() + "\n" + (TEMPLATE_DIR / "certificate.css").read_text(encoding="utf-8")
        fetcher = SandboxedFetcher(TEMPLATE_DIR, {})
        _per_thread.stylesheet = CSS(string=text, url_fetcher=fetcher, font_config=font_config, media_type="print")
    return _per_thread.stylesheet


def _images(data: CertificateData) -> dict[str, tuple[bytes, str]]:
    images = {"qr": (qr_code_svg(data.page_url), "image/svg+xml")}
    for key, content in (("logo", data.issuer_logo), ("signature", data.signature_image)):
        if content is not None:
            images[key] = (content, "image/png" if image_kind(content) == "png" else "image/svg+xml")
    return images


def _html(data: CertificateData, theme: CertificateTheme, paper: Paper, *, compact: bool) -> str:
    context = {
        "data": data,
        "theme": theme,
        "paper": paper,
        "compact": compact,
        "logo_url": f"{IMAGE_SCHEME}:logo" if data.issuer_logo is not None else None,
        "signature_url": f"{IMAGE_SCHEME}:signature" if data.signature_image is not None else None,
        "qr_url": f"{IMAGE_SCHEME}:qr",
        "name_size": _size_class(data.earner_name, NAME_SIZES, "xs"),
        "title_size": _size_class(data.title, TITLE_SIZES, "xs"),
        "awarded": _long_date(data.awarded_on),
        "valid_until": _long_date(data.valid_until) if data.valid_until else None,
        "revoked_on": _long_date(data.revoked_on) if data.revoked_on else None,
        "credit_hours": _hours(data.credit_hours) if data.credit_hours is not None else None,
        "created": data.awarded_on.isoformat(),
        "modified": data.revoked_on.isoformat() if data.revoked_on else None,
        "signatory_lines": signatory_lines(data),
        "credential_id": data.credential_id if not _same(data.credential_id, data.page_url) else None,
    }
    return _environment.get_template(TEMPLATE).render(context)


def signatory_lines(data: CertificateData) -> list[tuple[str, str]]:
    """The signatory block's lines as (class, text): the name, the title, then the district unless the name already
    is the district (the default design signs with the district's name), so nothing prints twice."""
    lines = [("signatory-name", data.signatory_name.strip()), ("signatory-title", data.signatory_title.strip())]
    if not any(_same(text, data.issuer_name) for _kind, text in lines):
        lines.append(("signatory-issuer", data.issuer_name.strip()))
    seen: set[str] = set()
    kept = []
    for kind, text in lines:
        if text and _key(text) not in seen:
            seen.add(_key(text))
            kept.append((kind, text))
    return kept


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _same(a: str, b: str) -> bool:
    return _key(a) == _key(b)


def _size_class(text: str, sizes: tuple[tuple[int, str], ...], smallest: str) -> str:
    return next((name for longest, name in sizes if len(text) <= longest), smallest)


def _long_date(day: date) -> str:
    return us_date(day)


def _hours(hours: float) -> str:
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return f"{text} hour" if text == "1" else f"{text} hours"
