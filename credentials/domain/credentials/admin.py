"""What issuer admins see and do with issued credentials: find them, open one with its history, issue one for a named
person, and the choices the forms offer. Revoking and suspending live in ``revocation``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ...storage.models import AuditEvent, MicroCredential, MicroCredentialVersion
from ...storage.models.catalog import PUBLISHED
from ...storage.models.issuance import IssuedCredential
from ..audit import Actor
from ..errors import InvalidInput
from ..paging import Page, fetch_page
from .credential_rows import EXPIRED, REVOKED, SUSPENDED, VALID, CredentialRow, row_of
from .csv_issuance import parse_issue_csv, parse_record
from .issuance import issue
from .records import find_credential
from .revocation import CATEGORIES
from .status_lists import SigningContext

STATUSES = {VALID: "Valid", SUSPENDED: "Suspended", REVOKED: "Revoked", EXPIRED: "Expired"}
PER_PAGE = 50
# Rows issued in one web request (signing takes a few ms each); bigger files go through `credentials issue-csv`.
WEB_CSV_ROWS = 500


@dataclass(frozen=True)
class CredentialFilter:
    """Free text (earner's name or e-mail, title, or credential id) and a status."""

    query: str = ""
    status: str = ""

    def apply(self, query, now: datetime):
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
    """One page of matching credentials, newest first (two queries: the count and the rows)."""
    query = criteria.apply(
        select(IssuedCredential)
        .join(MicroCredentialVersion, MicroCredentialVersion.id == IssuedCredential.version_id)
        .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id.desc()),
        now,
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


def issue_to_person(
    session: Session,
    signing: SigningContext,
    *,
    name: str,
    email: str,
    microcredential: str,
    awarded_on: date | None,
    actor: Actor,
    now: datetime,
) -> tuple[IssuedCredential, bool]:
    """Issue the published version of a micro-credential to a named person (for example from an older paper record),
    checked as a CSV row is; ``(credential, False)`` when this person already holds it for that date."""
    record = {
        "name": (name or "").strip(),
        "email": (email or "").strip(),
        "microcredential": microcredential or "",
        "awarded_on": awarded_on.isoformat() if awarded_on else "",
    }
    row, problems = parse_record(session, record, today=now.date())
    if problems:
        raise InvalidInput(problems)
    return issue(
        session, signing, row.version(session), row.recipient, awarded_at=row.awarded_at, source="admin",
        actor=actor, now=now,
    )  # fmt: skip


@dataclass(frozen=True)
class CsvOutcome:
    """What a CSV upload did: rows read, credentials issued, rows already issued, and every problem (line, text)."""

    rows: int
    issued: int
    already_issued: int
    problems: list[tuple[int, str]]
    checked_only: bool


def issue_from_csv(
    session: Session, signing: SigningContext, data: bytes, *, check_only: bool, actor: Actor, now: datetime
) -> CsvOutcome:
    """Check every row of a CSV file (the columns of ``credential_csv``) and, if none has a problem and
    ``check_only`` is false, issue them all; a file with any problem issues nothing. All rows are issued in the
    caller's transaction, so a failure part-way issues none of them."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return CsvOutcome(0, 0, 0, [(1, f"the file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8")], True)
    rows, problems = parse_issue_csv(session, text, today=now.date())
    if not problems and len(rows) > WEB_CSV_ROWS:
        problems = [(1, f"{len(rows):,} rows: at most {WEB_CSV_ROWS} at once here; use `microcred credentials "
                        "issue-csv` for bigger files")]  # fmt: skip
    if problems or check_only:
        return CsvOutcome(len(rows), 0, 0, problems, True)
    issued = 0
    for row in rows:
        _credential, created = issue(
            session, signing, row.version(session), row.recipient, awarded_at=row.awarded_at, source="csv",
            actor=actor, now=now,
        )  # fmt: skip
        issued += created
    return CsvOutcome(len(rows), issued, len(rows) - issued, [], False)
