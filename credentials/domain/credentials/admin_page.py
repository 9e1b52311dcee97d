"""What issuer admins see of issued credentials: the list with its search, and one credential with its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ...storage.models import AuditEvent, MicroCredential, MicroCredentialVersion
from ...storage.models.catalog import PUBLISHED
from ...storage.models.issuance import IssuedCredential
from ...text.dates import zone
from ..paging import Page, fetch_page
from ..people.organizations import district_time_zone
from .credential_rows import EXPIRED, REVOKED, SUSPENDED, VALID, CredentialRow, row_of
from .records import find_credential
from .revocation import CATEGORIES

STATUSES = {VALID: "Valid", SUSPENDED: "Suspended", REVOKED: "Revoked", EXPIRED: "Expired"}
PER_PAGE = 50


@dataclass(frozen=True)
class CredentialFilter:
    """Free text (earner's name or e-mail, title, or credential id), a status, and the first day of issue (a day in
    the district's time zone)."""

    query: str = ""
    status: str = ""
    issued_since: date | None = None

    def apply(self, query, now: datetime, time_zone: str | None = None):
        text = self.query.strip()
        if text:
            query = query.where(
                or_(
                    IssuedCredential.recipient_name.icontains(text, autoescape=True),
                    IssuedCredential.recipient_email.icontains(text, autoescape=True),
                    MicroCredentialVersion.title.icontains(text, autoescape=True),
                    IssuedCredential.uuid == text.lower(),
                )
            )
        if self.issued_since is not None:
            query = query.where(
                IssuedCredential.issued_at >= datetime.combine(self.issued_since, time(), zone(time_zone))
            )
        not_revoked, not_suspended = IssuedCredential.revoked_at.is_(None), IssuedCredential.suspended_at.is_(None)
        unexpired = or_(IssuedCredential.valid_until.is_(None), IssuedCredential.valid_until > now)
        condition = {
            REVOKED: IssuedCredential.revoked_at.is_not(None),
            SUSPENDED: and_(not_revoked, IssuedCredential.suspended_at.is_not(None)),
            EXPIRED: and_(not_revoked, not_suspended, IssuedCredential.valid_until <= now),
            VALID: and_(not_revoked, not_suspended, unexpired),
        }.get(self.status)
        return query if condition is None else query.where(condition)


def find_credentials(
    session: Session, criteria: CredentialFilter, *, now: datetime, page: int = 1, per_page: int = PER_PAGE
) -> Page[CredentialRow]:
    """One page of matching credentials, newest first (two queries: the count and the rows; and the district's time
    zone when the list starts on a day)."""
    query = criteria.apply(
        select(IssuedCredential)
        .join(MicroCredentialVersion, MicroCredentialVersion.id == IssuedCredential.version_id)
        .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id.desc()),
        now,
        district_time_zone(session) if criteria.issued_since is not None else None,
    )
    found = fetch_page(session, query, page=page, per_page=per_page)
    return Page([row_of(credential, now) for credential in found.items], found.page, found.per_page, found.total)


@dataclass(frozen=True)
class HistoryEntry:
    occurred_at: datetime
    actor: str
    action: str
    detail: str


@dataclass(frozen=True)
class CredentialDetail:
    """One credential as its issuer sees it: the public facts plus the private reasons and the history."""

    row: CredentialRow
    key_id: str
    status_list_id: int
    status_index: int
    revoked_at: datetime | None
    revoked_category: str | None
    revoked_reason: str | None
    suspended_at: datetime | None
    suspended_reason: str | None
    history: list[HistoryEntry]

    @property
    def can_revoke(self) -> bool:
        return self.revoked_at is None

    @property
    def can_suspend(self) -> bool:
        return self.revoked_at is None and self.suspended_at is None

    @property
    def can_unsuspend(self) -> bool:
        return self.revoked_at is None and self.suspended_at is not None


ACTION_LABELS = {
    "credential.issued": "Issued",
    "credential.revoked": "Revoked",
    "credential.suspended": "Suspended",
    "credential.unsuspended": "Suspension lifted",
}


def credential_detail(session: Session, uuid: str, *, now: datetime) -> CredentialDetail:
    """The credential with this uuid and its history from the audit trail; NotFound otherwise."""
    credential = find_credential(session, uuid)
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "credential", AuditEvent.subject_id == uuid)
        .order_by(AuditEvent.seq)
    )
    history = [
        HistoryEntry(
            event.occurred_at, event.actor_label, ACTION_LABELS.get(event.action, event.action), _detail(event.summary)
        )
        for event in events
    ]
    return CredentialDetail(
        row=row_of(credential, now),
        key_id=credential.key_id,
        status_list_id=credential.status_list_id,
        status_index=credential.status_index,
        revoked_at=credential.revoked_at,
        revoked_category=CATEGORIES.get(credential.revoked_category or "", credential.revoked_category),
        revoked_reason=credential.revoked_reason,
        suspended_at=credential.suspended_at,
        suspended_reason=credential.suspended_reason,
        history=history,
    )


def _detail(summary: dict | None) -> str:
    summary = summary or {}
    parts = []
    if summary.get("category"):
        parts.append(CATEGORIES.get(summary["category"], summary["category"]))
    if summary.get("reason"):
        parts.append(summary["reason"])
    if summary.get("source"):
        parts.append(f"by {summary['source']}")
    if summary.get("attempt"):
        parts.append(f"after review of attempt {summary['attempt']}")
    return "; ".join(str(part) for part in parts)


def version_choices(session: Session) -> list[tuple[str, str]]:
    """(catalog address, label) of every published micro-credential, by title, for the issue form."""
    rows = session.execute(
        select(MicroCredential.slug, MicroCredentialVersion.title, MicroCredentialVersion.number)
        .join(MicroCredentialVersion, MicroCredentialVersion.microcredential_id == MicroCredential.id)
        .where(MicroCredentialVersion.status == PUBLISHED)
        .order_by(MicroCredentialVersion.title)
    )
    return [(slug, f"{title} (version {number})") for slug, title, number in rows]
