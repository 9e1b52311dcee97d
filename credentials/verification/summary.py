"""What a credential says, read defensively (it may come from anywhere): every value is checked and shortened."""

from __future__ import annotations

import math

from .document_checks import parse_moment
from .proofs import issuer_of
from .report import CredentialSummary

MAX_TEXT = 500
MAX_RESULTS = 50
# A badge image given inline (a data: URL) is shown only up to this length; an address up to MAX_TEXT.
MAX_IMAGE_DATA = 512 * 1024
IMAGE_DATA_PREFIXES = tuple(
    f"data:image/{kind}" for kind in ("png;", "png,", "jpeg;", "jpeg,", "gif;", "gif,", "webp;", "webp,", "svg+xml")
)


def summarize(document: dict) -> CredentialSummary:
    """The people-facing facts of a credential: who earned what, from whom, when, and the results."""
    issuer = document.get("issuer") if isinstance(document.get("issuer"), dict) else {}
    subject = _object(document.get("credentialSubject"))
    achievement = _object(subject.get("achievement"))
    return CredentialSummary(
        id=_text(document.get("id")),
        name=_text(document.get("name")) or _text(achievement.get("name")),
        issuer_id=_text(issuer_of(document)),
        issuer_name=_text(issuer.get("name")),
        issuer_url=_text(issuer.get("url")),
        earner_name=_earner(subject),
        achievement_id=_text(achievement.get("id")),
        achievement_name=_text(achievement.get("name")),
        achievement_version=_text(achievement.get("version")),
        awarded=_text(document.get("awardedDate")) or _text(document.get("validFrom", document.get("issuanceDate"))),
        valid_from=_text(document.get("validFrom", document.get("issuanceDate"))),
        valid_until=_text(document.get("validUntil", document.get("expirationDate"))),
        results=_results(subject, achievement),
        awarded_at=parse_moment(document.get("awardedDate"))
        or parse_moment(document.get("validFrom", document.get("issuanceDate"))),
        valid_until_at=parse_moment(document.get("validUntil", document.get("expirationDate"))),
        credit_hours=_hours(subject.get("creditsEarned", achievement.get("creditsAvailable"))),
        image_url=_image(achievement.get("image")),
    )


def _hours(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and 0 < value < 1_000_000 else None


def _image(value: object) -> str | None:
    """The badge image's address: an http(s) URL or an inline image (data: URL); None for anything else."""
    url = value.get("id") if isinstance(value, dict) else value
    if not isinstance(url, str):
        return None
    if url.startswith(("https://", "http://")) and len(url) <= MAX_TEXT:
        return url
    if url.startswith(IMAGE_DATA_PREFIXES) and len(url) <= MAX_IMAGE_DATA:
        return url
    return None


def _object(value: object) -> dict:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = f"{value:g}"
    if not isinstance(value, str) or not value.strip():
        return None
    return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"


def _earner(subject: dict) -> str | None:
    identifiers = subject.get("identifier")
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if isinstance(identifier, dict) and identifier.get("identityType") == "name" and not identifier.get("hashed"):
            return _text(identifier.get("identityHash"))
    return _text(subject.get("name"))


def _results(subject: dict, achievement: dict) -> tuple[tuple[str, str], ...]:
    descriptions, levels = {}, {}
    for description in _list(achievement.get("resultDescription")):
        descriptions[description.get("id")] = _text(description.get("name")) or "Result"
        for level in _list(description.get("rubricCriterionLevel")):
            levels[level.get("id")] = _text(level.get("name")) or ""
    rows = []
    for result in _list(subject.get("result"))[:MAX_RESULTS]:
        name = descriptions.get(result.get("resultDescription"), "Result")
        level = levels.get(result.get("achievedLevel")) or _text(result.get("value")) or ""
        rows.append((name, level))
    return tuple(rows)


def _list(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
