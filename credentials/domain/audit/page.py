"""The audit trail as admins read it: each event as one sentence with people's names and titles (linked to their
pages), the names of a whole page loaded in one query, and the same sentences as a column of the CSV export."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, String, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from ...storage.models import AuditEvent, User
from ...storage.models.accounts import UserRole
from ...storage.models.attempts import Attempt
from ...storage.models.catalog import MicroCredential, MicroCredentialVersion
from ...storage.models.issuance import IssuedCredential
from ...storage.models.organizations import Issuer, School
from ...text.dates import DEFAULT_TIME_ZONE
from ..paging import Page
from . import CSV_COLUMNS, EventFilter, csv_safe, events_as_csv_rows, find_events, iter_events, known_actions
from .references import (
    ATTEMPT,
    CERTIFICATE,
    CREDENTIAL,
    DISTRICT,
    HOLIDAYS,
    MICROCREDENTIAL,
    OUTBOX,
    PERSON,
    SCHOOL,
    Link,
    Names,
    Part,
    int_or_none,
)
from .words import PHRASES, sentence_parts

# What the web layer and the tests use from here: the page, its lines, and where links lead.
__all__ = [
    "ATTEMPT", "CERTIFICATE", "CREDENTIAL", "DISTRICT", "HOLIDAYS", "MICROCREDENTIAL", "OUTBOX", "PERSON", "PHRASES",
    "SCHOOL", "AuditPage", "EventLine", "Link", "audit_page", "describe_events", "export_rows",
]  # fmt: skip


@dataclass(frozen=True)
class EventLine:
    """One event as the page shows it: the sentence (text and links), and the raw fields for the details."""

    seq: int
    occurred_at: datetime
    parts: tuple[Part, ...]
    action: str
    actor_label: str
    subject_type: str
    subject_id: str
    summary: dict = field(repr=False)

    @property
    def sentence(self) -> str:
        """The sentence as plain text (for the CSV export and tests)."""
        return "".join(part if isinstance(part, str) else part.text for part in self.parts)

    @property
    def raw_summary(self) -> str:
        return json.dumps(self.summary, indent=2, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class AuditPage:
    """One page of the trail in words, and every action name for the filter."""

    events: Page[EventLine]
    actions: list[str]


def audit_page(session: Session, criteria: EventFilter, *, page: int = 1, per_page: int = 50) -> AuditPage:
    """A page of matching events, newest first, each as a sentence; a fixed number of queries for any page."""
    found = find_events(session, criteria, page=page, per_page=per_page)
    lines = describe_events(session, found.items)
    return AuditPage(Page(lines, found.page, found.per_page, found.total), known_actions(session))


def describe_events(session: Session, events: list[AuditEvent]) -> list[EventLine]:
    """The events as sentences, with every name they mention loaded in one query."""
    names = _load_names(session, events)
    return [_line(event, names) for event in events]


def export_rows(session: Session, criteria: EventFilter, *, batch_size: int = 500) -> Iterator[list[str]]:
    """The CSV export: the raw columns, then ``description``, the event in words (names loaded once per batch)."""
    yield [*CSV_COLUMNS, "description"]
    events = iter_events(session, criteria, batch_size=batch_size)
    while batch := list(itertools.islice(events, batch_size)):
        lines = describe_events(session, list(batch))
        raw = events_as_csv_rows(batch)
        next(raw)  # its header
        for row, line in zip(raw, lines, strict=True):
            yield [*row, csv_safe(line.sentence)]


# ---- names -------------------------------------------------------------------------------------------------------


def _wanted(events: Iterable[AuditEvent]) -> dict[str, set]:
    want: dict[str, set] = {"user": set(), "attempt": set(), "credential": set(), "mc": set(), "school": set()}
    for event in events:
        summary = event.summary if isinstance(event.summary, dict) else {}
        if event.actor_id is not None:
            want["user"].add(event.actor_id)
        kind = {"user": "user", "attempt": "attempt", "school": "school", "credential": "credential"}
        if event.subject_type in kind:
            key = event.subject_id if event.subject_type == "credential" else int_or_none(event.subject_id)
            if key is not None:
                want[kind[event.subject_type]].add(key)
        elif event.subject_type == "microcredential":
            want["mc"].add(event.subject_id)
        if isinstance(summary.get("microcredential"), str):
            want["mc"].add(summary["microcredential"])
        if event.action == "credential.issued" and int_or_none(summary.get("attempt")) is not None:
            want["attempt"].add(int_or_none(summary["attempt"]))
        plan_step = event.action.startswith("plan.")
        for key in ("teacher", "from") if event.action in ("review.conflict", "review.reassign") or plan_step else ():
            if int_or_none(summary.get(key)) is not None:
                want["user"].add(int_or_none(summary[key]))
        if event.action == "review.assign" and isinstance(summary.get("reviewers"), list):
            want["user"].update(i for i in map(int_or_none, summary["reviewers"]) if i is not None)
    return want


def _names_row(kind: str, key, name=None, title=None, extra=None, *, number=None):
    """One arm of the names UNION: (kind, key, name, title, extra, number), typed alike on every database."""
    return select(
        literal(kind, String()).label("kind"),
        cast(key, String()).label("key"),
        cast(name if name is not None else null(), String()).label("name"),
        cast(title if title is not None else null(), String()).label("title"),
        cast(extra if extra is not None else null(), String()).label("extra"),
        cast(number if number is not None else null(), Integer()).label("n"),
    )


def _load_names(session: Session, events: list[AuditEvent]) -> Names:
    """Everything the sentences name, in one UNION query (plus the district's time zone for dates)."""
    want = _wanted(events)
    parts = [_names_row("zone", "", Issuer.time_zone, number=Issuer.id)]
    if want["user"]:
        parts.append(
            _names_row("user", User.id, User.name, User.email, UserRole.role)
            .outerjoin(UserRole, UserRole.user_id == User.id)
            .where(User.id.in_(want["user"]))
        )
    if want["attempt"]:
        title = MicroCredentialVersion.title
        parts.append(
            _names_row("attempt", Attempt.id, User.name, title, number=Attempt.teacher_id)
            .join(User, User.id == Attempt.teacher_id)
            .join(MicroCredentialVersion, MicroCredentialVersion.id == Attempt.version_id)
            .where(Attempt.id.in_(want["attempt"]))
        )
    if want["credential"]:
        credential = IssuedCredential
        parts.append(
            _names_row("credential", credential.uuid, credential.recipient_name, MicroCredentialVersion.title)
            .join(MicroCredentialVersion, MicroCredentialVersion.id == credential.version_id)
            .where(credential.uuid.in_(want["credential"]))
        )
    if want["mc"]:
        version = MicroCredentialVersion
        parts.append(
            _names_row("mc", MicroCredential.slug, None, version.title, number=version.number)
            .join(version, version.microcredential_id == MicroCredential.id)
            .where(MicroCredential.slug.in_(want["mc"]))
        )
    if want["school"]:
        parts.append(_names_row("school", School.id, School.name).where(School.id.in_(want["school"])))
    names, newest = Names(), {}
    for kind, key, name, title, extra, n in session.execute(union_all(*parts)):
        if kind == "zone" and names.time_zone == DEFAULT_TIME_ZONE and name:
            names.time_zone = name
        elif kind == "user":
            entry = names.users.setdefault(int(key), (name, title, []))
            if extra:
                entry[2].append(extra)
        elif kind == "attempt":
            names.attempts[int(key)] = (name, title, n)
        elif kind == "credential":
            names.credentials[key] = (name, title)
        elif kind == "mc" and n >= newest.get(key, 0):
            names.microcredentials[key], newest[key] = title, n
        elif kind == "school":
            names.schools[int(key)] = name
    return names


def _line(event: AuditEvent, names: Names) -> EventLine:
    parts, summary = sentence_parts(event, names)
    return EventLine(
        seq=event.seq,
        occurred_at=event.occurred_at,
        parts=parts,
        action=event.action,
        actor_label=event.actor_label,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        summary=summary,
    )
