"""Printable certificates of issued credentials: built from the signed document, cached on disk.

The PDF carries the signed credential as its ``credential.json`` attachment, so the file proves itself. Cached PDFs
are keyed by credential, template version, the district's design, paper size and whether it is revoked, so a
revocation re-renders it with the REVOKED mark and a template or design change re-renders everything.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from ...pdf import PAPERS, CertificateData, render_certificate, template_version
from ...storage.models import Issuer
from ...storage.models.issuance import IssuedCredential
from ...text.dates import local_day
from ..errors import NotFound
from .certificate_design import certificate_design, logo_png
from .credential_view import credential_view
from .records import credential_columns


def certificate_pdf(session: Session, uuid: str, *, paper: str | None, cache_dir: Path) -> tuple[bytes, str]:
    """The certificate PDF of credential ``uuid`` and its file name (from the cache when it is current).

    A cached download costs two small queries and a file read: the credential's revocation date and the design's
    fingerprint. Only a miss loads the signed document, the images, and renders."""
    if paper is not None and paper not in PAPERS:
        raise NotFound(f"Certificates come in {' and '.join(PAPERS)} paper sizes.")
    revoked_at = credential_columns(session, uuid, IssuedCredential.revoked_at)
    design = certificate_design(session)
    paper = paper or design.theme.paper
    filename = f"certificate-{uuid[:8]}.pdf"
    try:
        return _cache_path(cache_dir, uuid, design.fingerprint, paper, revoked_at[0] is not None).read_bytes(), filename
    except FileNotFoundError:
        pass
    view = credential_view(session, uuid)
    issuer = session.scalar(select(Issuer).order_by(Issuer.id).options(undefer(Issuer.logo)).limit(1))
    design = certificate_design(session, with_images=True)
    data = CertificateData(
        earner_name=view.earner_name[:150],
        title=view.title[:150],
        competency=_one_sentence(view.description),
        awarded_on=local_day(view.awarded, issuer.time_zone),
        criteria=[(row.name[:80], row.level[:40]) for row in view.criteria][:12],
        issuer_name=view.issuer_name[:120],
        issuer_url=view.issuer_url,
        signatory_name=design.signatory_name,
        signatory_title=design.signatory_title,
        page_url=view.url,
        credential_id=view.url,
        credential_json=json.dumps(view.document, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        credit_hours=view.credit_hours,
        valid_until=local_day(view.valid_until, issuer.time_zone) if view.valid_until else None,
        issuer_logo=logo_png(issuer),
        signature_image=design.signature_image,
        revoked=view.revoked_at is not None,
        revoked_on=local_day(view.revoked_at, issuer.time_zone) if view.revoked_at is not None else None,
    )
    pdf = render_certificate(data, design.theme, paper)
    # Named after what was rendered: a revocation or design change since the first reads is filed under its own key.
    _store(_cache_path(cache_dir, uuid, design.fingerprint, paper, data.revoked), pdf)
    return pdf, filename


def _cache_path(cache_dir: Path, uuid: str, design: str, paper: str, revoked: bool) -> Path:
    return cache_dir / f"{uuid}-{template_version()}-{design}-{paper}-{'revoked' if revoked else 'valid'}.pdf"


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
