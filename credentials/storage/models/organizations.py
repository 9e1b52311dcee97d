"""The issuing district and its schools."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

SCHOOL = "school"
DISTRICT_OFFICE = "district_office"


class Issuer(Base):
    """The district that issues credentials; one row per installation."""

    __tablename__ = "issuers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    email: Mapped[str] = mapped_column(String(254))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_media_type: Mapped[str | None] = mapped_column(String(40))
    logo_sha256: Mapped[str | None] = mapped_column(String(64))
    # The IANA zone the district's dates are shown in ("December 2, 2026" is the day there, not in UTC).
    time_zone: Mapped[str] = mapped_column(String(64), default="America/Chicago", server_default="America/Chicago")
    updated_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<Issuer {self.id} {self.name!r}>"


class School(Base):
    """A school of the district, or the district office itself (kind ``district_office``)."""

    __tablename__ = "schools"
    __table_args__ = (CheckConstraint(f"kind IN ('{SCHOOL}', '{DISTRICT_OFFICE}')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default=SCHOOL)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<School {self.id} {self.name!r}>"
