"""Domain facts to an unsigned Open Badges 3.0 ``OpenBadgeCredential`` (VC Data Model 2.0).

Every 0..* property is an array, as the OB 3.0 JSON Schema wants. Only terms the two bundled contexts define are used,
so the document canonicalizes to exactly what it says (the signer refuses anything else).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..jsonld.contexts import CREDENTIALS_V2, OB_V3P0_CONTEXT

OB_CONTEXTS = [CREDENTIALS_V2, OB_V3P0_CONTEXT]
ACHIEVEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
# "JsonSchema" is defined by the VC 2.0 context itself; 1EdTechJsonSchemaValidator2019 would need the OB extensions
# context, which independent verifiers with a fixed context set refuse (README.md, "Credential format").
CREDENTIAL_SCHEMA_TYPE = "JsonSchema"


@dataclass(frozen=True)
class IssuerFacts:
    """The district as an OB 3.0 Profile."""

    did: str
    name: str
    url: str
    email: str
    image_url: str | None = None


@dataclass(frozen=True)
class LevelFacts:
    key: str
    name: str
    description: str
    points: float


@dataclass(frozen=True)
class CriterionFacts:
    key: str
    name: str
    description: str
    required_level: str
    levels: tuple[LevelFacts, ...]


@dataclass(frozen=True)
class AlignmentFacts:
    name: str
    url: str
    code: str | None = None
    framework: str | None = None


@dataclass(frozen=True)
class AchievementFacts:
    """One published version of a micro-credential."""

    id: str
    name: str
    description: str
    narrative: str
    version: int
    image_url: str
    credit_hours: float
    tags: tuple[str, ...] = ()
    alignments: tuple[AlignmentFacts, ...] = ()
    criteria: tuple[CriterionFacts, ...] = ()


@dataclass(frozen=True)
class EvidenceFacts:
    name: str
    narrative: str
    url: str | None = None


@dataclass(frozen=True)
class StatusEntryFacts:
    list_url: str
    index: int
    purpose: str = "revocation"


@dataclass(frozen=True)
class AwardFacts:
    """Who earned it, when, and what the reviewers found (criterion key -> level key)."""

    id: str
    earner_name: str
    earner_email: str
    salt: str
    awarded_at: datetime
    valid_until: datetime | None
    status: StatusEntryFacts
    results: dict[str, str] = field(default_factory=dict)
    evidence: tuple[EvidenceFacts, ...] = ()


def timestamp(moment: datetime) -> str:
    """An XML Schema dateTimeStamp in UTC with a ``Z``, to the second (naive times are taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def hashed_email(email: str, salt: str) -> str:
    """OB 3.0 IdentityHash of an e-mail address: ``sha256$`` + hex SHA-256 of the address followed by the salt."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def criterion_id(achievement: AchievementFacts, key: str) -> str:
    """The stable id of a rubric criterion (a ResultDescription) of ``achievement``."""
    return f"{achievement.id}#criterion-{key}"


def level_id(achievement: AchievementFacts, criterion_key: str, level_key: str) -> str:
    """The stable id of one level of a rubric criterion."""
    return f"{achievement.id}#criterion-{criterion_key}-level-{level_key}"


def profile(issuer: IssuerFacts) -> dict:
    """The issuer's OB 3.0 Profile."""
    document = {"id": issuer.did, "type": ["Profile"], "name": issuer.name, "url": issuer.url, "email": issuer.email}
    if issuer.image_url:
        document["image"] = {"id": issuer.image_url, "type": "Image", "caption": f"Logo of {issuer.name}"}
    return document


def achievement_document(achievement: AchievementFacts, issuer: IssuerFacts) -> dict:
    """The OB 3.0 Achievement for one micro-credential version, with its rubric as ResultDescriptions."""
    document = {
        "id": achievement.id,
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": achievement.name,
        "description": achievement.description,
        "criteria": {"narrative": achievement.narrative},
        "image": {"id": achievement.image_url, "type": "Image", "caption": f"Badge of {achievement.name}"},
        "creditsAvailable": achievement.credit_hours,
        "version": str(achievement.version),
        "creator": profile(issuer),
        "resultDescription": [_result_description(achievement, c) for c in achievement.criteria],
    }
    if achievement.tags:
        document["tag"] = list(achievement.tags)
    if achievement.alignments:
        document["alignment"] = [_alignment(a) for a in achievement.alignments]
    return document


def credential_document(award: AwardFacts, achievement: AchievementFacts, issuer: IssuerFacts) -> dict:
    """The unsigned OpenBadgeCredential for ``award`` of ``achievement`` by ``issuer``."""
    awarded = timestamp(award.awarded_at)
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": hashed_email(award.earner_email, award.salt),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": award.salt,
            },
            {"type": "IdentityObject", "identityHash": award.earner_name, "identityType": "name", "hashed": False},
        ],
        "achievement": achievement_document(achievement, issuer),
        "creditsEarned": achievement.credit_hours,
    }
    results = [
        {
            "type": ["Result"],
            "resultDescription": criterion_id(achievement, criterion.key),
            "achievedLevel": level_id(achievement, criterion.key, award.results[criterion.key]),
        }
        for criterion in achievement.criteria
        if award.results.get(criterion.key)
    ]
    if results:
        subject["result"] = results
    document = {
        "@context": list(OB_CONTEXTS),
        "id": award.id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "issuer": profile(issuer),
        "validFrom": awarded,
        "awardedDate": awarded,
        "credentialSubject": subject,
        "credentialSchema": [{"id": ACHIEVEMENT_CREDENTIAL_SCHEMA, "type": CREDENTIAL_SCHEMA_TYPE}],
        "credentialStatus": {
            "id": f"{award.status.list_url}#{award.status.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": award.status.purpose,
            "statusListIndex": str(award.status.index),
            "statusListCredential": award.status.list_url,
        },
    }
    if award.valid_until is not None:
        document["validUntil"] = timestamp(award.valid_until)
    if award.evidence:
        document["evidence"] = [_evidence(item) for item in award.evidence]
    return document


def _result_description(achievement: AchievementFacts, criterion: CriterionFacts) -> dict:
    return {
        "id": criterion_id(achievement, criterion.key),
        "type": ["ResultDescription"],
        "name": criterion.name,
        "resultType": "RubricCriterionLevel",
        "requiredLevel": level_id(achievement, criterion.key, criterion.required_level),
        "rubricCriterionLevel": [
            {
                "id": level_id(achievement, criterion.key, level.key),
                "type": ["RubricCriterionLevel"],
                "name": level.name,
                "description": level.description,
                "points": f"{level.points:g}",
            }
            for level in criterion.levels
        ],
    }


def _alignment(alignment: AlignmentFacts) -> dict:
    document = {"type": ["Alignment"], "targetName": alignment.name, "targetUrl": alignment.url}
    if alignment.code:
        document["targetCode"] = alignment.code
    if alignment.framework:
        document["targetFramework"] = alignment.framework
    return document


def _evidence(item: EvidenceFacts) -> dict:
    document = {"type": ["Evidence"], "name": item.name, "narrative": item.narrative}
    if item.url:
        document = {"id": item.url, **document}
    return document
