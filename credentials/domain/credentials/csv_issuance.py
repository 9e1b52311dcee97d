"""Bulk issuance from CSV: every row is checked before anything is issued, and every bad row is reported.

Columns (a header row is required, in any order): ``name``, ``email``, ``microcredential`` (the catalog address,
e.g. ``exit-tickets``), ``awarded_on`` (YYYY-MM-DD), and optionally ``version`` (default: the published version).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
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
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Cs"}
_JOINERS = {"\u200c", "\u200d"}


@dataclass(frozen=True)
class IssueRow:
    """One valid row: who, which micro-credential version, and when it was awarded."""

    line: int
    recipient: Recipient
    version_id: int
    awarded_at: datetime

    def version(self, session: Session) -> MicroCredentialVersion:
        return session.get(MicroCredentialVersion, self.version_id)


def parse_issue_csv(
    session: Session, data: bytes | str, *, today: date | None = None
) -> tuple[list[IssueRow], list[tuple[int, str]]]:
    """Valid rows and ``(line, problem)`` for every bad one; a file with any problem should issue nothing. Line
    numbers are the file's own (a row's first line), as a text editor shows them."""
    today = today or datetime.now(UTC).date()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            return [], [(line, f"the file is not UTF-8 text (byte {exc.start:,}); save it as CSV UTF-8")]
    # newline="" lets the reader see a lone carriage return as the end of a line, as the csv module asks.
    reader = csv.reader(io.StringIO(data, newline=""))
    records = _records(reader)
    first = next(records, None)
    if first is None:
        return [], [(1, "the file is empty: the first line must name the columns")]
    if first[1] is None:
        return [], [(first[0], _UNREADABLE)]
    header = [name.strip().lower() for name in first[1]]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        return [], [(1, f"the header row lacks the column(s): {', '.join(missing)}")]
    versions = _versions(session)
    rows, problems, seen, count = [], [], {}, 0
    for line, cells in records:
        if cells is None:  # the reader gave up on this line: its problem is the last one
            problems.append((line, _UNREADABLE))
            break
        count += 1
        if count > MAX_ROWS:
            problems.append((line, f"a file may hold at most {MAX_ROWS:,} rows; split it"))
            break
        columns = [header[i] if i < len(header) and header[i] else f"column {i + 1}" for i in range(len(cells))]
        record = {column: cell.strip() for column, cell in zip(columns, cells, strict=True)}
        if not any(record.values()):
            continue
        row, row_problems = _parse_row(line, record, versions, today)
        problems += [(line, problem) for problem in row_problems.values()]
        if row is None:
            continue
        key = (row.recipient.email.lower(), row.version_id, row.awarded_at.date())
        if key in seen:
            problems.append((line, f"repeats line {seen[key]} (same person, micro-credential and date)"))
            continue
        seen[key] = line
        rows.append(row)
    return rows, problems


_UNREADABLE = (
    f"a cell is longer than {csv.field_size_limit():,} characters, from this line on; no column needs that much, "
    'so a quote (") opened on this line is probably never closed, or this is not a CSV file; nothing after it was read'
)


def _records(reader) -> Iterator[tuple[int, list[str] | None]]:
    """``(first line, cells)`` for every non-blank record; ``(line, None)`` and the end where the reader fails."""
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            # With newline="" and the default dialect, the one error left is a cell past the field size limit.
            yield line, None
            return
        if cells:
            yield line, cells


def parse_record(session: Session, record: dict, *, today: date) -> tuple[IssueRow | None, dict[str, str]]:
    """One record with the CSV's columns as keys: the row, or ``(None, {column: problem})``."""
    return _parse_row(1, record, _versions(session), today)


def _parse_row(number: int, record: dict, versions: dict, today: date) -> tuple[IssueRow | None, dict[str, str]]:
    problems: dict[str, str] = {}
    invisible = {column: message for column, value in record.items() if (message := _invisible(column, value))}
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
    problems.update(invisible)  # the reason a field failed, rather than what it failed on
    if problems:
        return None, problems
    recipient = Recipient(name=name, email=email)
    # Noon UTC is the same calendar day in every US zone from Guam to Hawaii, so the day on the record is the day
    # every page and certificate shows (midnight UTC would be the evening before in the district).
    awarded_at = datetime(awarded.year, awarded.month, awarded.day, 12, tzinfo=UTC)
    return IssueRow(line=number, recipient=recipient, version_id=version_id, awarded_at=awarded_at), {}


def _invisible(column: str, value: str) -> str:
    """A problem when ``value`` holds a character that is invisible or reorders text, else ``""``.

    NUL is refused by PostgreSQL and kept by SQLite, so one file would behave differently per database; the
    bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) can make a name display as another.
    Control (Cc), format (Cf), line and paragraph separators (Zl, Zp) and lone surrogates (Cs) are all refused,
    except the zero-width non-joiner and joiner, which Persian and the Indic scripts need inside names.
    """
    if value.isprintable():  # no character of categories C or Z but the space: the usual case, checked in C
        return ""
    for position, character in enumerate(value, start=1):
        if unicodedata.category(character) in _INVISIBLE and character not in _JOINERS:
            name = unicodedata.name(character, "")
            code = f"U+{ord(character):04X}{' ' + name if name else ''}"
            where = f"({code}) at position {position}"
            return f"{column} contains an invisible control or formatting character {where}; retype it"
    return ""


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
