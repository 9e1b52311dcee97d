"""What issuer admins see of the catalog: every micro-credential with its current, draft and retired versions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.models import MicroCredential, MicroCredentialVersion
from ...storage.models.catalog import DRAFT, PUBLISHED


@dataclass(frozen=True)
class AdminRow:
    """One micro-credential in the admin list: its newest version and which versions are live or in draft."""

    slug: str
    title: str
    newest: int
    published: int | None
    draft: int | None
    retired: bool


def admin_overview(session: Session) -> list[AdminRow]:
    """Every micro-credential, by title, in two queries whatever the number of versions."""
    versions = session.execute(
        select(
            MicroCredentialVersion.microcredential_id,
            MicroCredentialVersion.number,
            MicroCredentialVersion.status,
            MicroCredentialVersion.title,
        ).order_by(MicroCredentialVersion.microcredential_id, MicroCredentialVersion.number)
    ).all()
    slugs = dict(session.execute(select(MicroCredential.id, MicroCredential.slug)).all())
    rows: dict[int, dict] = {}
    for mc_id, number, status, title in versions:
        row = rows.setdefault(mc_id, {"published": None, "draft": None, "retired": False})
        row.update(title=title, newest=number)
        if status in (PUBLISHED, DRAFT):
            row[status] = number
        else:
            row["retired"] = True
    result = [
        AdminRow(
            slug=slugs[mc_id],
            title=r["title"] or "Untitled draft",
            newest=r["newest"],
            published=r["published"],
            draft=r["draft"],
            retired=r["published"] is None and r["retired"],
        )
        for mc_id, r in rows.items()
    ]
    return sorted(result, key=lambda r: (r.title.lower(), r.slug))
