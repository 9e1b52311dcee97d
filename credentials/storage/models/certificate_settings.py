"""How the district's printed certificates look: colours, border, default paper and signatory (one row per issuer)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class CertificateSettings(Base):
    """The issuer's certificate design. Absent until an admin first saves it; the defaults apply meanwhile."""

    __tablename__ = "certificate_settings"

    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), primary_key=True)
    primary_colour: Mapped[str] = mapped_column(String(7))
    accent_colour: Mapped[str] = mapped_column(String(7))
    border_style: Mapped[str] = mapped_column(String(10))
    paper: Mapped[str] = mapped_column(String(10))
    signatory_name: Mapped[str] = mapped_column(String(80))
    signatory_title: Mapped[str] = mapped_column(String(120))
    signature_image: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    signature_sha256: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<CertificateSettings issuer={self.issuer_id} {self.border_style} {self.paper}>"
