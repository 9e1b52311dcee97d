"""Printable certificates of issued credentials: built from the signed document, cached on disk.

The PDF carries the signed credential as its ``credential.json`` attachment, so the file proves itself. Cached PDFs
are keyed by credential, template version, paper size and whether it is revoked, so a revocation re-renders it with
the REVOKED mark and a template change re-renders everything.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from ..pdf import PAPERS, CertificateData, CertificateTheme, render_certificate, template_version
from .credential_page import credential_view
from .errors import NotFound
from .organizations import require_issuer

DEFAULT_PAPER = "letter"
SIGNATORY_TITLE = "Professional Learning, on behalf of the district"


def certificate_pdf(session: Session, uuid: str, *, paper: str | None, cache_dir: Path) -> tuple[bytes, str]:
    """The certificate PDF of credential ``uuid`` and its file name (from the cache when it is current)."""
    paper = paper or DEFAULT_PAPER
    if paper not in PAPERS:
        raise NotFound(f"Certificates come in {' and '.join(PAPERS)} paper sizes.")
    view = credential_view(session, uuid)
    revoked = view.revoked_at is not None
    name = f"{uuid}-{template_version()}-{paper}-{'revoked' if revoked else 'valid'}.pdf"
    path = cache_dir / name
    filename = f"certificate-{uuid[:8]}.pdf"
    try:
        return path.read_bytes(), filename
    except FileNotFoundError:
        pass
    issuer = require_issuer(session)
    data = CertificateData(
        earner_name=view.earner_name[:150],
        title=view.title[:150],
        competency=_one_sentence(view.description),
        awarded_on=view.awarded.date(),
        criteria=[(row.name[:80], row.level[:40]) for row in view.criteria][:12],
        issuer_name=view.issuer_name[:120],
        issuer_url=view.issuer_url,
        signatory_name=view.issuer_name[:80],
        signatory_title=SIGNATORY_TITLE,
        page_url=view.url,
        credential_id=view.url,
        credential_json=json.dumps(view.document, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        credit_hours=view.credit_hours,
        valid_until=view.valid_until.date() if view.valid_until else None,
        issuer_logo=issuer.logo if issuer.logo_media_type == "image/png" else None,
        revoked=revoked,
        revoked_on=view.revoked_at.date() if revoked else None,
    )
    pdf = render_certificate(data, CertificateTheme(paper=paper), paper)
    _store(path, pdf)
    return pdf, filename


def _one_sentence(text: str) -> str:
    sentence = text.split(". ")[0].strip()
    if not sentence.endswith("."):
        sentence += "."
    return sentence if len(sentence) <= 400 else sentence[:397].rstrip() + "…"


def _store(path: Path, pdf: bytes) -> None:
    """Write atomically, so concurrent workers never serve half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(pdf)
    os.replace(tmp, path)
