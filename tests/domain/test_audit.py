"""The hash-chained audit trail: chaining, tamper detection, filtering and CSV export rows."""

from __future__ import annotations

import csv
import io
import itertools
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import JSON, bindparam, select, text

from credentials.domain import audit
from credentials.domain.audit import GENESIS_SHA256, Actor, EventFilter
from credentials.domain.paging import Page
from credentials.storage.database import transaction
from credentials.storage.models import AuditEvent, AuditHead

ADMIN = Actor(id=None, label="admin@riverside.example.org")


def record(
    services, *, actor=ADMIN, action="school.create", subject_type="school", subject_id=1, summary=None, now=None
):
    """Record one event in a transaction of its own."""
    with transaction(services.session_factory) as session:
        event = audit.record_event(
            session,
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            summary={"name": f"School {subject_id}"} if summary is None else summary,
            now=now or services.clock(),
        )
        return event.seq


def record_many(services, clock, count):
    for n in range(1, count + 1):
        record(services, subject_id=n)
        clock.advance(minutes=1)


def events(services) -> list[AuditEvent]:
    with services.session_factory() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def head(services) -> tuple[int, str]:
    with services.session_factory() as session:
        row = session.get(AuditHead, 1)
        return row.seq, row.sha256


def verify(services) -> audit.ChainReport:
    with transaction(services.session_factory) as session:
        return audit.verify_chain(session)


def tamper(services, sql, **params):
    """Change the table behind the service's back, as someone with database access could."""
    with services.engine.begin() as conn:
        conn.execute(text(sql) if isinstance(sql, str) else sql, params)


def test_an_empty_trail_verifies(services):
    report = verify(services)
    assert report.ok and report.events_checked == 0
    assert head(services) == (0, GENESIS_SHA256)


def test_events_are_chained_by_sha256(services, clock):
    record_many(services, clock, 4)

    chain = events(services)
    assert [e.seq for e in chain] == [1, 2, 3, 4]
    assert chain[0].previous_sha256 == GENESIS_SHA256 == "0" * 64
    for before, after in itertools.pairwise(chain):
        assert after.previous_sha256 == before.sha256
    assert len({e.sha256 for e in chain}) == 4
    assert head(services) == (4, chain[-1].sha256)
    # Each digest is the documented canonical form of the stored fields.
    first = chain[0]
    assert first.sha256 == audit.event_sha256(
        seq=1,
        occurred_at=datetime(2026, 9, 1, 14, 0, tzinfo=UTC),
        actor_id=None,
        actor_label="admin@riverside.example.org",
        action="school.create",
        subject_type="school",
        subject_id="1",
        summary={"name": "School 1"},
        previous_sha256=GENESIS_SHA256,
    )


def test_several_events_in_one_transaction_chain_in_order(services):
    with transaction(services.session_factory) as session:
        for n in range(3):
            audit.record_event(
                session, actor=ADMIN, action="school.create", subject_type="school", subject_id=n, now=services.clock()
            )
    chain = events(services)
    assert [e.seq for e in chain] == [1, 2, 3]
    assert chain[2].previous_sha256 == chain[1].sha256
    assert verify(services).ok


def test_verify_reports_an_intact_chain(services, clock):
    record_many(services, clock, 5)
    report = verify(services)
    assert report.ok, report.problems
    assert report.events_checked == 5


def test_verify_reads_in_batches(services, clock):
    record_many(services, clock, 7)
    with services.session_factory() as session:
        report = audit.verify_chain(session, batch_size=2)
    assert report.ok and report.events_checked == 7


def test_summaries_are_stored_as_plain_json(services, clock):
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    record(services, summary={"when": when, "names": ["Ana", "Zoë"], "count": 3, "ratio": 0.5, "none": None})
    [event] = events(services)
    assert event.summary == {"when": str(when), "names": ["Ana", "Zoë"], "count": 3, "ratio": 0.5, "none": None}
    assert verify(services).ok


def test_a_time_in_another_zone_is_stored_and_chained_as_utc(services):
    two_hours_east = timezone(timedelta(hours=2))
    record(services, now=datetime(2026, 9, 1, 16, 0, 0, 250, tzinfo=two_hours_east))
    [event] = events(services)
    assert event.occurred_at == datetime(2026, 9, 1, 14, 0, 0, 250, tzinfo=UTC)
    assert verify(services).ok


@pytest.mark.parametrize(
    ("column", "value"),
    [("actor_label", "someone.else@riverside.example.org"), ("action", "school.rename"), ("subject_id", "99")],
)
def test_verify_detects_an_edited_column(services, clock, column, value):
    record_many(services, clock, 4)
    tamper(services, f"UPDATE audit_events SET {column} = :value WHERE seq = 2", value=value)

    report = verify(services)

    assert not report.ok
    assert report.problems == ["event 2 was changed after it was written"]
    assert report.events_checked == 4


def test_verify_detects_an_edited_summary(services, clock):
    record_many(services, clock, 3)
    forged = text("UPDATE audit_events SET summary = :summary WHERE seq = 3").bindparams(
        bindparam("summary", type_=JSON)
    )
    tamper(services, forged, summary={"name": "A school that never was"})
    assert events(services)[2].summary == {"name": "A school that never was"}

    assert verify(services).problems == ["event 3 was changed after it was written"]


def test_verify_detects_an_edited_time(services, clock):
    record_many(services, clock, 3)
    with services.engine.begin() as conn:
        conn.execute(
            AuditEvent.__table__.update()
            .where(AuditEvent.seq == 1)
            .values(occurred_at=datetime(2026, 8, 1, 9, 0, tzinfo=UTC))
        )
    assert verify(services).problems == ["event 1 was changed after it was written"]


def test_verify_detects_a_deleted_middle_event(services, clock):
    record_many(services, clock, 5)
    tamper(services, "DELETE FROM audit_events WHERE seq = 3")

    report = verify(services)

    assert report.problems == [
        "events 3..3 are missing (deleted rows)",
        "event 4 does not follow event 3 in the chain",
    ]
    assert report.events_checked == 4


def test_verify_detects_deleted_events_at_the_end(services, clock):
    record_many(services, clock, 5)
    tamper(services, "DELETE FROM audit_events WHERE seq >= 4")

    report = verify(services)

    assert report.problems == ["the chain head points at event 5 but the last event is 3 (deleted rows at the end)"]


def test_verify_detects_every_event_deleted(services, clock):
    record_many(services, clock, 2)
    tamper(services, "DELETE FROM audit_events")
    assert not verify(services).ok


def test_verify_detects_a_forged_event_appended_without_moving_the_head(services, clock):
    record_many(services, clock, 3)
    last = events(services)[-1]
    forged = dict(
        seq=4,
        occurred_at=clock.now,
        actor_id=None,
        actor_label="admin@riverside.example.org",
        action="user.create",
        subject_type="user",
        subject_id="666",
        summary={"email": "intruder@example.org"},
        previous_sha256=last.sha256,
    )
    # A well-formed row: its digest is right and it links to the last event.
    with services.engine.begin() as conn:
        conn.execute(AuditEvent.__table__.insert().values(**forged, sha256=audit.event_sha256(**forged)))

    report = verify(services)

    assert report.problems == ["the chain head points at event 3 but the last event is 4 (deleted rows at the end)"]


def test_verify_detects_a_forged_event_with_a_made_up_digest(services, clock):
    record_many(services, clock, 3)
    with services.engine.begin() as conn:
        conn.execute(
            AuditEvent.__table__.insert().values(
                seq=4,
                occurred_at=clock.now,
                actor_label="admin@riverside.example.org",
                action="user.create",
                subject_type="user",
                subject_id="666",
                summary={},
                previous_sha256=events(services)[-1].sha256,
                sha256="f" * 64,
            )
        )
        conn.execute(text("UPDATE audit_head SET seq = 4, sha256 = :sha"), {"sha": "f" * 64})

    assert verify(services).problems == ["event 4 was changed after it was written"]


@pytest.mark.parametrize("seq", [0, -1])
def test_verify_detects_a_forged_event_before_the_first(services, clock, seq):
    record_many(services, clock, 2)
    forged = dict(
        seq=seq,
        occurred_at=clock.now - timedelta(days=30),
        actor_id=None,
        actor_label="admin@riverside.example.org",
        action="user.create",
        subject_type="user",
        subject_id="666",
        summary={},
        previous_sha256=GENESIS_SHA256,
    )
    with services.engine.begin() as conn:
        conn.execute(AuditEvent.__table__.insert().values(**forged, sha256=audit.event_sha256(**forged)))

    report = verify(services)

    assert report.problems == ["1 event(s) numbered below 1 are not part of the chain (inserted rows)"]
    assert report.events_checked == 2


def test_an_event_in_a_rolled_back_transaction_leaves_the_chain_as_it_was(services, clock):
    record_many(services, clock, 2)
    before = head(services)

    with pytest.raises(RuntimeError), transaction(services.session_factory) as session:
        audit.record_event(
            session, actor=ADMIN, action="school.create", subject_type="school", subject_id=3, now=clock.now
        )
        raise RuntimeError("the change being audited failed")

    assert head(services) == before
    assert [e.seq for e in events(services)] == [1, 2]
    seq = record(services, subject_id=4)
    assert seq == 3
    assert events(services)[-1].previous_sha256 == before[1]
    assert verify(services).ok


def make_trail(services, clock):
    """Six events by three actors over three days; returns their sequence numbers by name."""
    dana = Actor(id=None, label="dana.whitfield@riverside.example.org")
    grace = Actor(id=None, label="grace.kim@riverside.example.org")
    cli = Actor.system("cli")
    clock.now = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    seqs = {
        "school1": record(services, actor=cli, action="school.create", subject_type="school", subject_id=1),
        "user7": record(services, actor=cli, action="user.create", subject_type="user", subject_id=7),
    }
    clock.now = datetime(2026, 9, 2, 23, 59, 59, tzinfo=UTC)
    seqs["rename1"] = record(services, actor=dana, action="school.rename", subject_type="school", subject_id=1)
    seqs["user8"] = record(services, actor=dana, action="user.create", subject_type="user", subject_id=8)
    clock.now = datetime(2026, 9, 3, 0, 0, tzinfo=UTC)
    seqs["update7"] = record(services, actor=grace, action="user.update", subject_type="user", subject_id=7)
    seqs["school2"] = record(services, actor=dana, action="school.create", subject_type="school", subject_id=2)
    return seqs


def find(services, page=1, per_page=50, **criteria) -> Page:
    with services.session_factory() as session:
        return audit.find_events(session, EventFilter(**criteria), page=page, per_page=per_page)


def seqs_of(result) -> list[int]:
    return [e.seq for e in result.items]


def test_find_events_newest_first_without_criteria(services, clock):
    make_trail(services, clock)
    result = find(services)
    assert seqs_of(result) == [6, 5, 4, 3, 2, 1]
    assert (result.total, result.pages) == (6, 1)


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"action": "user.create"}, ["user8", "user7"]),
        ({"action": "user"}, []),  # actions match exactly
        ({"actor": "dana"}, ["school2", "user8", "rename1"]),
        ({"actor": "Grace.KIM@"}, ["update7"]),  # the e-mail part is matched case-insensitively
        ({"actor": "system:cli"}, ["user7", "school1"]),
        ({"actor": "%"}, []),  # LIKE wildcards are taken literally
        ({"actor": "_"}, []),
        ({"subject_type": "school"}, ["school2", "rename1", "school1"]),
        ({"subject_type": "user", "subject_id": "7"}, ["update7", "user7"]),
        ({"subject_id": "1"}, ["rename1", "school1"]),
        ({"action": "user.create", "actor": "dana"}, ["user8"]),
    ],
)
def test_find_events_filters(services, clock, criteria, expected):
    seqs = make_trail(services, clock)
    result = find(services, **criteria)
    assert seqs_of(result) == [seqs[name] for name in expected]
    assert result.total == len(expected)


def test_find_events_by_time_range_includes_since_and_excludes_until(services, clock):
    seqs = make_trail(services, clock)
    second_of_september = datetime(2026, 9, 2, tzinfo=UTC)
    third_of_september = datetime(2026, 9, 3, tzinfo=UTC)

    assert seqs_of(find(services, since=second_of_september, until=third_of_september)) == [
        seqs["user8"],
        seqs["rename1"],
    ]
    assert seqs_of(find(services, since=third_of_september)) == [seqs["school2"], seqs["update7"]]
    assert seqs_of(find(services, until=second_of_september)) == [seqs["user7"], seqs["school1"]]
    assert find(services, since=datetime(2026, 10, 1, tzinfo=UTC)).total == 0


def test_find_events_pages(services, clock):
    make_trail(services, clock)

    pages = [find(services, page=n, per_page=4) for n in (1, 2, 3)]

    assert [seqs_of(p) for p in pages] == [[6, 5, 4, 3], [2, 1], []]
    assert {(p.total, p.pages) for p in pages} == {(6, 2)}
    assert seqs_of(find(services, page=0, per_page=4)) == [6, 5, 4, 3]  # page numbers start at 1
    filtered = find(services, page=2, per_page=1, subject_type="school")
    assert (seqs_of(filtered), filtered.total, filtered.pages) == ([3], 3, 3)


def test_known_actions_are_distinct_and_sorted(services, clock):
    make_trail(services, clock)
    with services.session_factory() as session:
        assert audit.known_actions(session) == ["school.create", "school.rename", "user.create", "user.update"]


def test_iter_events_yields_every_match_oldest_first_in_batches(services, clock):
    record_many(services, clock, 7)
    record(services, action="user.create", subject_type="user", subject_id=1)
    with services.session_factory() as session:
        every = [e.seq for e in audit.iter_events(session, EventFilter(), batch_size=3)]
        schools = [e.seq for e in audit.iter_events(session, EventFilter(action="school.create"), batch_size=2)]
        none = list(audit.iter_events(session, EventFilter(action="nothing"), batch_size=2))
    assert every == [1, 2, 3, 4, 5, 6, 7, 8]
    assert schools == [1, 2, 3, 4, 5, 6, 7]
    assert none == []


def csv_rows(services, criteria: EventFilter | None = None) -> list[list[str]]:
    """The rows as a spreadsheet would read them back from the written CSV."""
    with services.session_factory() as session:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(audit.events_as_csv_rows(audit.iter_events(session, criteria or EventFilter())))
    return list(csv.reader(io.StringIO(buffer.getvalue())))


def test_csv_rows_have_a_header_and_every_field(services, clock):
    record(services, actor=Actor(id=None, label="dana@riverside.example.org"), summary={"name": 'Oak, "Valley"'})
    [event] = events(services)

    header, row = csv_rows(services)

    assert tuple(header) == audit.CSV_COLUMNS
    assert dict(zip(header, row, strict=True)) == {
        "seq": "1",
        "occurred_at": "2026-09-01T14:00:00+00:00",
        "actor_id": "",
        "actor_label": "dana@riverside.example.org",
        "action": "school.create",
        "subject_type": "school",
        "subject_id": "1",
        "summary": '{"name": "Oak, \\"Valley\\""}',
        "previous_sha256": GENESIS_SHA256,
        "sha256": event.sha256,
    }


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_a_spreadsheet_would_run_get_a_leading_apostrophe(services, dangerous):
    record(
        services, actor=Actor(id=None, label=dangerous), action=dangerous, subject_type=dangerous, subject_id=dangerous
    )

    [_header, row] = list(audit.events_as_csv_rows(events(services)))

    assert row[3:7] == ["'" + dangerous] * 4
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_csv_leaves_ordinary_cells_alone(services):
    record(services, actor=Actor(id=None, label="a=b@example.org"), subject_id="x-1")
    [_header, row] = list(audit.events_as_csv_rows(events(services)))
    assert row[3] == "a=b@example.org" and row[6] == "x-1"


@pytest.mark.postgres
def test_concurrent_transactions_append_one_unbroken_chain(services, clock):
    """Writers in parallel queue on the head row, so the chain never forks."""
    writers, events_each = 6, 15
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        actor = Actor.system(f"writer-{index}")
        try:
            start.wait(timeout=10)
            for n in range(events_each):
                with transaction(services.session_factory) as session:
                    # Two events per transaction: a transaction's events stay consecutive.
                    for part in ("a", "b"):
                        audit.record_event(
                            session,
                            actor=actor,
                            action="test.append",
                            subject_type="writer",
                            subject_id=f"{index}-{n}-{part}",
                            now=clock.now,
                        )
        except BaseException as exc:  # reported to the test below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    total = writers * events_each * 2
    chain = events(services)
    assert [e.seq for e in chain] == list(range(1, total + 1))
    for before, after in itertools.pairwise(chain):
        assert after.previous_sha256 == before.sha256
    for first, second in zip(chain[::2], chain[1::2], strict=True):
        assert first.subject_id.endswith("-a") and second.subject_id == first.subject_id[:-1] + "b"
    assert len({e.actor_label for e in chain}) == writers
    report = verify(services)
    assert report.ok, report.problems
    assert report.events_checked == total
    assert head(services) == (total, chain[-1].sha256)
