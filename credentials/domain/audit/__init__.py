"""The audit trail: every state change appends an event, chained by SHA-256 so edits and deletions show."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ...storage.models import AuditEvent, AuditHead, User
from ..paging import Page, fetch_page

GENESIS_SHA256 = "0" * 64
CSV_COLUMNS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "subject_type",
    "subject_id",
    "summary",
    "previous_sha256",
    "sha256",
)


@dataclass(frozen=True)
class Actor:
    """Who caused a change: a signed-in user, or an operator command / background job."""

    id: int | None
    label: str

    @classmethod
    def user(cls, user: User) -> Actor:
        return cls(id=user.id, label=user.email)

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(id=None, label=f"system:{label}")


def event_sha256(
    *,
    seq: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    subject_type: str,
    subject_id: str,
    summary: dict,
    previous_sha256: str,
) -> str:
    """The digest of one event: canonical JSON (sorted keys, no spaces) of every field and the previous digest."""
    payload = {
        "seq": seq,
        "occurred_at": occurred_at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "summary": summary,
        "previous_sha256": previous_sha256,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record_event(
    session: Session,
    *,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: object,
    summary: dict | None = None,
    now: datetime,
) -> AuditEvent:
    """Append an event to the chain in the caller's transaction."""
    summary = json.loads(json.dumps(summary or {}, default=str))
    session.flush()
    # The UPDATE takes the head's row lock (the write lock on SQLite) before we read it, so concurrent
    # transactions append one after another instead of forking the chain.
    seq, previous = session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.sha256)
    ).one()
    # Stored as UTC, so the digest must cover the UTC form too (a naive time is still refused on flush).
    occurred_at = now.astimezone(UTC) if now.tzinfo else now
    event = AuditEvent(
        seq=seq,
        occurred_at=occurred_at,
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        summary=summary,
        previous_sha256=previous,
    )
    event.sha256 = event_sha256(
        seq=seq,
        occurred_at=occurred_at,
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        summary=summary,
        previous_sha256=previous,
    )
    session.add(event)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(sha256=event.sha256))
    session.flush()
    return event


@dataclass
class ChainReport:
    """What ``verify_chain`` found."""

    events_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(session: Session, *, batch_size: int = 1000) -> ChainReport:
    """Recompute every digest in order; report edited, inserted or deleted events and a moved head."""
    report = ChainReport()
    expected_seq, previous = 1, GENESIS_SHA256
    last_seq = 0
    # The walk starts at 1, so a row slipped in before the first event would otherwise go unseen.
    strays = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.seq < 1))
    if strays:
        report.problems.append(f"{strays} event(s) numbered below 1 are not part of the chain (inserted rows)")
    while True:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.seq >= expected_seq).order_by(AuditEvent.seq).limit(batch_size)
        ).all()
        if not events:
            break
        for event in events:
            if event.seq != expected_seq:
                report.problems.append(f"events {expected_seq}..{event.seq - 1} are missing (deleted rows)")
                expected_seq = event.seq
            if event.previous_sha256 != previous:
                report.problems.append(f"event {event.seq} does not follow event {event.seq - 1} in the chain")
            recomputed = event_sha256(
                seq=event.seq,
                occurred_at=event.occurred_at,
                actor_id=event.actor_id,
                actor_label=event.actor_label,
                action=event.action,
                subject_type=event.subject_type,
                subject_id=event.subject_id,
                summary=event.summary,
                previous_sha256=event.previous_sha256,
            )
            if recomputed != event.sha256:
                report.problems.append(f"event {event.seq} was changed after it was written")
            previous, expected_seq = event.sha256, event.seq + 1
            last_seq = event.seq
            report.events_checked += 1
        for event in events:
            session.expunge(event)
    head = session.get(AuditHead, 1)
    if head is None:
        report.problems.append("the chain head row is missing")
    elif head.seq != last_seq or head.sha256 != previous:
        report.problems.append(
            f"the chain head points at event {head.seq} but the last event is {last_seq} (deleted rows at the end)"
        )
    return report


@dataclass(frozen=True)
class EventFilter:
    """Criteria for browsing the trail; empty fields match everything."""

    action: str = ""
    actor: str = ""
    subject_type: str = ""
    subject_id: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def apply(self, query):
        if self.action:
            query = query.where(AuditEvent.action == self.action)
        if self.actor:
            query = query.where(AuditEvent.actor_label.contains(self.actor.lower(), autoescape=True))
        if self.subject_type:
            query = query.where(AuditEvent.subject_type == self.subject_type)
        if self.subject_id:
            query = query.where(AuditEvent.subject_id == self.subject_id)
        if self.since:
            query = query.where(AuditEvent.occurred_at >= self.since)
        if self.until:
            query = query.where(AuditEvent.occurred_at < self.until)
        return query


def find_events(session: Session, criteria: EventFilter, *, page: int = 1, per_page: int = 50) -> Page[AuditEvent]:
    """One page of matching events, newest first."""
    query = criteria.apply(select(AuditEvent)).order_by(AuditEvent.seq.desc())
    return fetch_page(session, query, page=page, per_page=per_page)


def known_actions(session: Session) -> list[str]:
    """Every action name that occurs in the trail, for the filter's drop-down."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def iter_events(session: Session, criteria: EventFilter, *, batch_size: int = 500) -> Iterator[AuditEvent]:
    """Every matching event, oldest first, read in batches so exports of any size stay small in memory."""
    after = 0
    while True:
        batch = session.scalars(
            criteria.apply(select(AuditEvent)).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(batch_size)
        ).all()
        if not batch:
            return
        yield from batch
        after = batch[-1].seq


def events_as_csv_rows(events: Iterable[AuditEvent]) -> Iterator[list[str]]:
    """The header and one row per event, ready for ``csv.writer``; cells are guarded against formula injection."""
    yield list(CSV_COLUMNS)
    for e in events:
        yield [
            str(e.seq),
            e.occurred_at.isoformat(),
            "" if e.actor_id is None else str(e.actor_id),
            csv_safe(e.actor_label),
            csv_safe(e.action),
            csv_safe(e.subject_type),
            csv_safe(e.subject_id),
            csv_safe(json.dumps(e.summary, sort_keys=True, ensure_ascii=False)),
            e.previous_sha256,
            e.sha256,
        ]


def csv_safe(value: str) -> str:
    """The cell with a leading apostrophe when a spreadsheet would run it as a formula."""
    # Spreadsheets run cells that start with these characters as formulas.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
