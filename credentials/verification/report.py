"""What a verification found: one line per check, the verdict they add up to, and a summary of the credential."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

PASSED, FAILED, WARNING, SKIPPED = "passed", "failed", "warning", "skipped"

VERIFIED = "verified"
REVOKED = "revoked"
SUSPENDED = "suspended"
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"
INVALID = "invalid"
# Worst first: a credential that is both revoked and expired is reported as revoked.
STATUS_ORDER = (INVALID, REVOKED, SUSPENDED, EXPIRED, NOT_YET_VALID)

REASON_PRIORITY = {"proof": 0, "key": 1, "issuer": 2, "structure": 3, "schema": 4}

HEADLINES = {
    VERIFIED: "Verified",
    REVOKED: "Revoked",
    SUSPENDED: "Suspended",
    EXPIRED: "Expired",
    NOT_YET_VALID: "Not yet valid",
    INVALID: "Could not be verified",
}


@dataclass(frozen=True)
class Check:
    """One verification step: its name, result and a sentence for a person.

    ``outcome`` names the verdict a failed check leads to (revoked, expired, ...); a failure without one means the
    credential could not be verified at all.
    """

    check: str
    result: str
    message: str
    outcome: str | None = None

    def as_dict(self) -> dict:
        """The check as the API reports it."""
        return {"check": self.check, "result": self.result, "message": self.message}


@dataclass(frozen=True)
class CredentialSummary:
    """What the credential says, for people: who earned what, from whom, and when."""

    id: str | None = None
    name: str | None = None
    issuer_id: str | None = None
    issuer_name: str | None = None
    issuer_url: str | None = None
    earner_name: str | None = None
    achievement_id: str | None = None
    achievement_name: str | None = None
    achievement_version: str | None = None
    awarded: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    results: tuple[tuple[str, str], ...] = ()
    # For the page only (the API reports the strings above): the dates read, the credit hours and the badge image.
    awarded_at: datetime | None = None
    valid_until_at: datetime | None = None
    credit_hours: float | None = None
    image_url: str | None = None  # an http(s) or data: URL as the credential gives it; pages decide what to show

    def as_dict(self) -> dict:
        """The summary as the API reports it."""
        return {
            "id": self.id,
            "name": self.name,
            "issuer": {"id": self.issuer_id, "name": self.issuer_name, "url": self.issuer_url},
            "earner": self.earner_name,
            "achievement": {
                "id": self.achievement_id,
                "name": self.achievement_name,
                "version": self.achievement_version,
            },
            "awarded": self.awarded,
            "validFrom": self.valid_from,
            "validUntil": self.valid_until,
            "results": [{"criterion": name, "level": level} for name, level in self.results],
        }


@dataclass(frozen=True)
class VerificationReport:
    """The verdict and the checks behind it."""

    status: str
    checks: tuple[Check, ...]
    credential: CredentialSummary = field(default_factory=CredentialSummary)
    format: str = ""

    @property
    def verified(self) -> bool:
        return self.status == VERIFIED

    @property
    def headline(self) -> str:
        return HEADLINES[self.status]

    @property
    def reason(self) -> str:
        """The sentence behind the verdict: the first failed check (or warning when verified)."""
        deciding = [check for check in self.checks if check.result == FAILED]
        if self.status != INVALID:
            deciding = [check for check in deciding if check.outcome == self.status] or deciding
        else:
            deciding = [check for check in deciding if check.outcome is None] or deciding
            # The signature is what a verifier most needs to hear about; the shape of the document comes after.
            deciding.sort(key=lambda check: REASON_PRIORITY.get(check.check, len(REASON_PRIORITY)))
        if deciding:
            return deciding[0].message
        warnings = [check.message for check in self.checks if check.result == WARNING]
        return warnings[0] if warnings else "Every check passed."

    @property
    def warnings(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if check.result == WARNING)

    def as_dict(self) -> dict:
        """The report as ``POST /api/v1/verify`` returns it (schemas/verification-report.schema.json)."""
        return {
            "verified": self.verified,
            "status": self.status,
            "headline": self.headline,
            "reason": self.reason,
            "format": self.format,
            "checks": [check.as_dict() for check in self.checks],
            "credential": self.credential.as_dict(),
        }


def decide(checks: list[Check] | tuple[Check, ...]) -> str:
    """The verdict a list of checks adds up to: the worst outcome of any failed check, else verified."""
    outcomes = {check.outcome or INVALID for check in checks if check.result == FAILED}
    for status in STATUS_ORDER:
        if status in outcomes:
            return status
    return VERIFIED


def report(checks: list[Check], credential: CredentialSummary, format: str = "") -> VerificationReport:
    """A report whose verdict is decided from ``checks``."""
    return VerificationReport(decide(checks), tuple(checks), credential, format)
