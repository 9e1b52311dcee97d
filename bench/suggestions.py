"""Print how fast one teacher's suggestions are found against 1,000 published micro-credentials and 50,000 earned
credentials (target: median under 20 ms, and the same number of SQL queries with and without the credentials).

Builds a throw-away migrated database (SQLite in a temporary directory; with ``--postgres URL`` also a throw-away
database on that PostgreSQL server). The micro-credentials are published through the domain (as bench/catalog.py
does, with its varied definitions); 50 schools of 100 teachers each are bulk-inserted; one credential is issued
through the domain from a district record, and the other 49,999 are bulk-inserted copies of its signed document
(one in fifty revoked, one in fifty expired), spread over the teachers and the catalog. The teacher timed has one
attempt decided "not yet" on two criteria, one draft, and a dozen credentials of their own; their goals focus on two
tags and their school on a third. ``suggest`` is then called 200 times (after a few untimed calls), each in a new
session with the teacher already loaded, as a request would; queries are counted with a ``before_cursor_execute``
listener on the engine (SQLite's ``BEGIN`` not counted).

    .venv/bin/python bench/suggestions.py [--calls 200] [--credentials 50000] [--postgres postgresql://HOST/DB]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from catalog import publish
from sqlalchemy import insert, select
from throwaway import counted_queries, migrated_app, postgres_database

from credentials.domain.audit import Actor
from credentials.domain.credentials import admin, issuer_keys
from credentials.domain.people import organizations
from credentials.domain.plans.suggestions import suggest
from credentials.storage.database import transaction
from credentials.storage.models import (
    Attempt,
    CriterionResult,
    IssuedCredential,
    MicroCredential,
    MicroCredentialVersion,
    User,
    UserRole,
)
from credentials.storage.models.catalog import PUBLISHED

TARGET_MEDIAN_MS = 20.0
SCHOOLS, TEACHERS_PER_SCHOOL = 50, 100
BATCH = 5000
GOAL_FOCUS = ["tag:formative assessment", "tag:feedback"]
SCHOOL_FOCUS = ["tag:discourse"]
ACTOR = Actor.system("bench")


def build(services, args, rng: random.Random) -> tuple[int, set[int]]:
    """Fill the database; return the timed teacher's id and the query counts before the credentials were added."""
    now = services.clock()
    with transaction(services.session_factory) as session:
        details = organizations.IssuerDetails(
            name="Bench Unified School District", url="https://bench.example.org", email="credentials@bench.example.org"
        )
        organizations.set_up_issuer(session, details, actor=ACTOR, now=now)
        school_ids = [
            organizations.create_school(session, name=f"School {n + 1}", actor=ACTOR, now=now).id
            for n in range(SCHOOLS)
        ]
        issuer_keys.generate_keys(session, services.keys, actor=ACTOR, now=now)
    publish(services, 0, args.microcredentials, rng)
    teachers = add_teachers(services, school_ids)
    me = next(iter(teachers))
    with transaction(services.session_factory) as session:
        versions = session.execute(
            select(MicroCredentialVersion.id, MicroCredentialVersion.microcredential_id, MicroCredential.slug)
            .join(MicroCredential)
            .where(MicroCredentialVersion.status == PUBLISHED)
            .order_by(MicroCredentialVersion.id)
        ).all()
        add_my_attempts(session, me, versions, now)
    before = counts(services, me, 5)
    add_credentials(services, args.credentials, teachers, versions, rng)
    return me, before


def add_teachers(services, school_ids: list[int]) -> dict[int, str]:
    """Bulk-insert the teachers (no password: they would be invited); their e-mail by id, the timed one first."""
    now = services.clock()
    rows = [
        {
            "email": f"teacher{s}-{n}@bench.example.org",
            "name": f"Teacher {s}-{n}",
            "password_hash": None,
            "school_id": school_id,
            "is_active": True,
            "session_token": uuid.uuid4().hex,
            "created_at": now,
        }
        for s, school_id in enumerate(school_ids)
        for n in range(TEACHERS_PER_SCHOOL)
    ]
    with transaction(services.session_factory) as session:
        session.execute(insert(User), rows)
        found = session.execute(select(User.id, User.email).where(User.email.like("teacher%")).order_by(User.id))
        ids = {user_id: email for user_id, email in found}
        session.execute(insert(UserRole), [{"user_id": i, "role": "teacher"} for i in ids])
    return ids


def add_my_attempts(session, me: int, versions, now) -> None:
    """The timed teacher: one attempt decided "not yet" on two criteria, and one draft."""
    for number, (version_id, mc_id, _slug) in enumerate(versions[:2]):
        definition = session.get(MicroCredentialVersion, version_id).definition
        status = "not_yet" if number == 0 else "draft"
        attempt = Attempt(
            teacher_id=me, microcredential_id=mc_id, version_id=version_id, number=1, status=status,
            created_at=now, updated_at=now, decided_at=now if status == "not_yet" else None,
        )  # fmt: skip
        session.add(attempt)
        session.flush()
        if status == "not_yet":
            for criterion in definition["rubric"]["criteria"][:2]:
                session.add(CriterionResult(attempt_id=attempt.id, criterion_key=criterion["key"], met=False))


def add_credentials(services, total: int, teachers: dict[int, str], versions, rng: random.Random) -> None:
    """One credential issued through the domain; the rest bulk-inserted copies of its signed document."""
    now = services.clock()
    with transaction(services.session_factory) as session:
        first, _ = admin.issue_to_person(
            session, services.signing, name="Teacher 0-1", email="teacher0-1@bench.example.org",
            microcredential=versions[-1].slug, awarded_on=date(2026, 1, 15), actor=ACTOR, now=now,
        )  # fmt: skip
        template = {
            column.key: getattr(first, column.key)
            for column in IssuedCredential.__table__.columns
            if column.key not in ("id", "uuid", "record_key", "attempt_id")
        }
    me, *others = teachers
    rows = []
    for n in range(1, total):
        # The timed teacher holds a dozen; everyone else gets about ten, from anywhere in the catalog.
        recipient = me if n <= 12 else rng.choice(others)
        version_id = versions[2 + n][0] if n <= 12 else rng.choice(versions)[0]
        rows.append(
            {
                **template,
                "uuid": str(uuid.uuid4()),
                "recipient_id": recipient,
                "recipient_name": f"Teacher {recipient}",
                "recipient_email": teachers[recipient],
                "version_id": version_id,
                "status_index": template["status_index"] + n,
                "revoked_at": now if n % 50 == 0 else None,
                "valid_until": now - timedelta(days=1) if n % 50 == 25 else None,
            }
        )
    for start in range(0, len(rows), BATCH):
        with transaction(services.session_factory) as session:
            session.execute(insert(IssuedCredential), rows[start : start + BATCH])


def counts(services, teacher_id: int, calls: int) -> set[int]:
    return measure(services, teacher_id, calls)[1]


def measure(services, teacher_id: int, calls: int) -> tuple[list[float], set[int], int]:
    """Time ``calls`` suggestions (after a few untimed); the times in ms, query counts, and how many were found."""
    times, seen_counts, found = [], set(), 0
    for i in range(calls + 3):
        with services.session_factory() as session:
            teacher = session.get(User, teacher_id)
            with counted_queries(services.engine) as seen:
                started = time.perf_counter()
                result = suggest(
                    session, teacher, goal_focus=GOAL_FOCUS, school_focus=SCHOOL_FOCUS, now=services.clock()
                )
                elapsed = time.perf_counter() - started
        if i >= 3:
            times.append(elapsed * 1000)
            seen_counts.add(len(seen))
            found = len(result)
    return times, seen_counts, found


def run(backend: str, database_url: str, workdir: Path, args) -> bool:
    """Fill the database at ``database_url``, time the suggestions, print the figures; True when targets are met."""
    app = migrated_app(database_url, workdir)
    services = app.extensions["microcred"]
    rng = random.Random(20261202)
    try:
        started = time.perf_counter()
        me, before = build(services, args, rng)
        print(
            f"\n{backend}: {args.microcredentials:,} published micro-credentials, {SCHOOLS * TEACHERS_PER_SCHOOL:,} "
            f"teachers in {SCHOOLS} schools, {args.credentials:,} credentials (built in "
            f"{time.perf_counter() - started:.0f} s)"
        )
        times, after, found = measure(services, me, args.calls)
        median = statistics.median(times)
        p95 = statistics.quantiles(times, n=100, method="inclusive")[94]
        constant = before == after and len(after) == 1
        print(f"{'call':<14}{'min':>9}{'median':>9}{'p95':>9}{'max':>10}   target   queries (no credentials -> all)")
        print(
            f"{'suggest':<14}{min(times):>6.1f} ms{median:>6.1f} ms{p95:>6.1f} ms{max(times):>7.1f} ms   "
            f"< {TARGET_MEDIAN_MS:g} ms  "
            f"{_counts(before)} -> {_counts(after)}{'' if constant else '  NOT CONSTANT'}   ({found} suggested)"
        )
        # Other work on the machine stretches every figure: say how busy it was.
        print(f"load average while timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        return constant and median < TARGET_MEDIAN_MS and found > 0
    finally:
        services.engine.dispose()


def _counts(counts: set[int]) -> str:
    return "/".join(str(c) for c in sorted(counts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="timed calls of suggest (default 200)")
    parser.add_argument("--microcredentials", type=int, default=1000, help="published micro-credentials (1000)")
    parser.add_argument("--credentials", type=int, default=50_000, help="earned credentials (50000)")
    parser.add_argument("--postgres", metavar="URL", help="also run on a throw-away database on this PostgreSQL server")
    args = parser.parse_args()
    if args.calls < 20 or args.microcredentials < 20 or args.credentials < 20:
        parser.error("use at least 20 calls, 20 micro-credentials and 20 credentials")
    print(f"suggestions: {args.calls} timed calls of suggest() for one teacher, in process")
    results = {}
    with tempfile.TemporaryDirectory(prefix="microcred-bench-") as tmp:
        workdir = Path(tmp)
        results["SQLite"] = run("SQLite", f"sqlite:///{workdir / 'suggestions.sqlite3'}", workdir, args)
        if args.postgres:
            with postgres_database(args.postgres) as url:
                results["PostgreSQL"] = run("PostgreSQL", url, workdir, args)
    print()
    for backend, met in results.items():
        print(f"{backend}: targets {'met' if met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
