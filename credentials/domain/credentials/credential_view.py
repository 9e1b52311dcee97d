"""What a credential certifies, read from the signed document itself (so the page shows exactly what was signed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from ...storage.models.issuance import SOURCE_ADMIN, SOURCE_CSV, IssuedCredential
from .records import find_credential

# Issued by an admin from an older record rather than earned through review: the document carries no scores.
RECORD_SOURCES = frozenset({SOURCE_ADMIN, SOURCE_CSV})


@dataclass(frozen=True)
class CriterionRow:
    name: str
    level: str
    level_description: str
    required_level: str
    points: str
    reached: bool = True


@dataclass(frozen=True)
class EvidenceItem:
    name: str
    narrative: str
    url: str | None


@dataclass(frozen=True)
class CredentialView:
    """Plain data for the credential page, certificate and dashboard."""

    uuid: str
    url: str
    earner_name: str
    title: str
    version: str
    description: str
    narrative: str
    achievement_id: str
    image_url: str | None
    issuer_name: str
    issuer_url: str
    issuer_id: str
    issuer_image_url: str | None
    awarded: datetime
    valid_until: datetime | None
    credit_hours: float | None
    criteria: tuple[CriterionRow, ...]
    evidence: tuple[EvidenceItem, ...]
    key_id: str
    revoked_at: datetime | None
    revoked_category: str | None
    suspended_at: datetime | None
    recipient_id: int | None
    document: dict
    source: str = ""

    @property
    def scored(self) -> bool:
        """True when reviewers scored the rubric (the document names a level reached for some criterion)."""
        return any(row.reached for row in self.criteria)

    @property
    def from_record(self) -> bool:
        """True for a credential an admin issued from a district record (one at a time or from a CSV file)."""
        return self.source in RECORD_SOURCES

    @property
    def linkedin_url(self) -> str:
        """LinkedIn's "Add licence or certification" form, filled in with this credential."""
        fields = {
            "startTask": "CERTIFICATION_NAME",
            "name": self.title,
            "organizationName": self.issuer_name,
            "issueYear": self.awarded.year,
            "issueMonth": self.awarded.month,
            "certUrl": self.url,
            "certId": self.uuid,
        }
        if self.valid_until is not None:
            fields |= {"expirationYear": self.valid_until.year, "expirationMonth": self.valid_until.month}
        return "https://www.linkedin.com/profile/add?" + urlencode(fields)


def credential_view(session: Session, credential_uuid: str) -> CredentialView:
    """The credential with this uuid, as plain data read from its signed document."""
    return view_of(find_credential(session, credential_uuid, with_document=True))


def view_of(credential: IssuedCredential) -> CredentialView:
    """The view of a loaded credential (its document column loaded)."""
    doc = json.loads(credential.document)
    subject = doc["credentialSubject"]
    achievement = subject["achievement"]
    issuer = doc["issuer"]
    names = [i["identityHash"] for i in subject.get("identifier", []) if i.get("identityType") == "name"]
    return CredentialView(
        uuid=credential.uuid,
        url=doc["id"],
        earner_name=names[0] if names else credential.recipient_name,
        title=achievement["name"],
        version=str(achievement.get("version", "")),
        description=achievement.get("description", ""),
        narrative=achievement.get("criteria", {}).get("narrative", ""),
        achievement_id=achievement["id"],
        image_url=(achievement.get("image") or {}).get("id"),
        issuer_name=issuer.get("name", ""),
        issuer_url=issuer.get("url", ""),
        issuer_id=issuer["id"],
        issuer_image_url=(issuer.get("image") or {}).get("id"),
        awarded=credential.awarded_at,
        valid_until=credential.valid_until,
        credit_hours=subject.get("creditsEarned"),
        criteria=criterion_rows(doc),
        evidence=tuple(
            EvidenceItem(item.get("name", "Evidence"), item.get("narrative", ""), item.get("id"))
            for item in doc.get("evidence", [])
        ),
        key_id=credential.key_id,
        revoked_at=credential.revoked_at,
        revoked_category=credential.revoked_category,
        suspended_at=credential.suspended_at,
        recipient_id=credential.recipient_id,
        document=doc,
        source=credential.source,
    )


def criterion_rows(doc: dict) -> tuple[CriterionRow, ...]:
    """Each rubric criterion of an OB 3.0 credential with the level reached and what that level means."""
    subject = doc.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    achieved = {r.get("resultDescription"): r.get("achievedLevel") for r in subject.get("result", []) or []}
    rows = []
    for description in achievement.get("resultDescription", []) or []:
        levels = {lv.get("id"): lv for lv in description.get("rubricCriterionLevel", []) or []}
        reached = levels.get(achieved.get(description.get("id")), {})
        required = levels.get(description.get("requiredLevel"), {})
        rows.append(
            CriterionRow(
                name=description.get("name", ""),
                level=reached.get("name", "—"),
                level_description=reached.get("description", ""),
                required_level=required.get("name", ""),
                points=reached.get("points", ""),
                reached=bool(reached),
            )
        )
    return tuple(rows)
