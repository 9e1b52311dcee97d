"""Bulk issuance from CSV: every row is checked before anything is issued, and every bad row is reported.

Columns (a header row is required, in any order): ``name``, ``email``, ``microcredential`` (the catalog address,
e.g. ``exit-tickets``), ``awarded_on`` (YYYY-MM-DD), and optionally ``version`` (default: the published version).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.models import MicroCredential, MicroCredentialVersion
from ...storage.models.catalog import PUBLISHED, RETIRED
from .issuance import Recipient

REQUIRED_COLUMNS = ("name", "email", "microcredential", "awarded_on")
MAX_ROWS = 50_000


@dataclass(frozen=True)
class IssueRow:
    """One valid row: who, which micro-credential version, and when it was awarded."""

    line: int
    recipient: Recipient
    version_id: int
    awarded_at: datetime

    def version(self, session: Session) -> MicroCredentialVersion:
        return session.get(MicroCredentialVersion, self.version_id)


def parse_issue_csv(session: Session, text: str, *, today: date | None = None) -> tuple[list[IssueRow], list]:
    """Valid rows and ``(line, problem)`` for every bad one; a file with any problem should issue nothing."""
    today = today or datetime.now(UTC).date()
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        return [], [(1, f"the header row lacks the column(s): {', '.join(missing)}")]
    reader.fieldnames = header
    versions = _versions(session)
    rows, problems, seen = [], [], {}
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            problems.append((number, f"a file may hold at most {MAX_ROWS:,} rows; split it"))
            break
        record = {key: (value or "").strip() for key, value in raw.items() if key}
        if not any(record.values()):
            continue
        row, row_problems = _parse_row(number, record, versions, today)
        problems += [(number, problem) for problem in row_problems.values()]
        if row is None:
            continue
        key = (row.recipient.email.lower(), row.version_id, row.awarded_at.date())
        if key in seen:
            problems.append((number, f"repeats line {seen[key]} (same person, micro-credential and date)"))
            continue
        seen[key] = number
        rows.append(row)
    return rows, problems


def parse_record(session: Session, record: dict, *, today: date) -> tuple[IssueRow | None, dict[str, str]]:
    """One record with the CSV's columns as keys: the row, or ``(None, {column: problem})``."""
    return _parse_row(1, record, _versions(session), today)


def _parse_row(number: int, record: dict, versions: dict, today: date) -> tuple[IssueRow | None, dict[str, str]]:
    problems: dict[str, str] = {}
    name = record.get("name", "")
    if not name:
        problems["name"] = "name is empty"
    elif len(name) > 200:
        problems["name"] = "name is longer than 200 characters"
    try:
        email = validate_email(record.get("email", ""), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        email = ""
        problems["email"] = f"email {record.get('email', '')!r} is not valid ({exc})"
    slug = record.get("microcredential", "")
    wanted = record.get("version", "")
    version_id = None
    if slug not in versions:
        problems["microcredential"] = f"there is no published micro-credential at /microcredentials/{slug or '(empty)'}"
    elif wanted and not wanted.isdigit():
        problems["version"] = f"version {wanted!r} is not a number"
    else:
        numbers = versions[slug]
        version_id = numbers.get(int(wanted)) if wanted else numbers.get("published")
        if version_id is None:
            problems["version"] = f"{slug} has no published or retired version {wanted or '(published)'}"
    try:
        awarded = date.fromisoformat(record.get("awarded_on", ""))
        if awarded > today:
            problems["awarded_on"] = f"awarded_on {awarded} is in the future"
    except ValueError:
        awarded = None
        problems["awarded_on"] = f"awarded_on {record.get('awarded_on', '')!r} is not a date like 2024-06-30"
    if problems:
        return None, problems
    recipient = Recipient(name=name, email=email)
    awarded_at = datetime(awarded.year, awarded.month, awarded.day, tzinfo=UTC)
    return IssueRow(line=number, recipient=recipient, version_id=version_id, awarded_at=awarded_at), {}


def _versions(session: Session) -> dict[str, dict]:
    """slug -> {number: version id, "published": id} for every published or retired version."""
    rows = session.execute(
        select(
            MicroCredential.slug,
            MicroCredentialVersion.number,
            MicroCredentialVersion.id,
            MicroCredentialVersion.status,
        )
        .join(MicroCredentialVersion, MicroCredentialVersion.microcredential_id == MicroCredential.id)
        .where(MicroCredentialVersion.status.in_((PUBLISHED, RETIRED)))
    )
    versions: dict[str, dict] = {}
    for slug, number, version_id, status in rows:
        versions.setdefault(slug, {})[number] = version_id
        if status == PUBLISHED:
            versions[slug]["published"] = version_id
    return versions
