"""Issuing by hand: a credential for a named person (records from before microcred), singly or from a CSV file.
What admins see of issued credentials is in ``admin_page``; revoking and suspending live in ``revocation``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from ...storage.models.issuance import IssuedCredential
from ..audit import Actor
from ..errors import InvalidInput
from .csv_issuance import parse_issue_csv, parse_record
from .issuance import issue
from .status_lists import SigningContext

# Rows issued in one web request (signing takes a few ms each); bigger files go through `credentials issue-csv`.
WEB_CSV_ROWS = 500


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
    rows, problems = parse_issue_csv(session, data, today=now.date())
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
