"""Print how fast 10,000 submitted attempts are routed to 200 reviewers on PostgreSQL, whether every routing rule held
(checked over the result), and how fast a reviewer's queue page answers with 10,000 assignments stored.

1. Data, in a throw-away database created next to ``--postgres URL`` (default postgresql://127.0.0.1:5432/test) and
   dropped afterwards: 40 schools, 10 published micro-credentials (3 need two reviewers) and the reviewers go through
   the domain (``create_user``, ``grant_qualification`` by micro-credential and by tag, ``set_reviewer_profile``
   with varied capacities and away dates, ``declare_conflict``); the 2,000 teachers and their 10,000 attempts (five
   each, at their school, status ``submitted``) are bulk-inserted with SQLAlchemy Core, as the domain would leave
   them but without evidence rows, which routing never reads (``routing_district.py``).
2. Routing (timed). ``--mode batch`` (the default): one ``review_routing.route_waiting`` pass routes every waiting
   attempt with the batch router (reviewers locked for the batch, decisions in memory, writes in bulk), as
   ``microcred reviews route``, the sweep and a newly granted qualification do. ``--mode each``: ``--workers``
   threads route each attempt with ``review_routing.route_attempt`` in a transaction of its own, as a single
   submission does, with the time per attempt split between the module's steps.
3. Checks (``routing_rules.py``), each printing its number of violations (all must be 0): assignments whose reviewer
   was not eligible on the day, judged by the rule routing uses (``eligibility.eligible_pairs``), and one SQL query
   per rule about the result as a whole (capacity, reviewers per attempt, the same reviewer twice); then how many
   attempts still wait (allowed when no eligible reviewer has room) and whether any of them could in fact have had a
   reviewer, and one ``route_waiting`` pass as ``microcred reviews route`` runs it.
4. The reviewer queue (``GET /reviews``), if that page exists: signed in through the Flask test client as a
   reviewer with 1 open assignment and as one with 50, it counts the SQL queries per request and times
   ``--requests`` GETs of the second. Otherwise it prints "reviewer queue page not available yet".

Targets: routing all attempts in under 20 s, 0 violations of every rule, and the queue page under 50 ms (median)
with the same number of queries for 1 and for 50 assignments.

    .venv/bin/python bench/routing.py [--postgres URL] [--attempts 10000] [--workers 8] [--requests 200]
"""

from __future__ import annotations

import argparse
import functools
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Helpers beside this script (its own directory is on sys.path): bench/live_server.py, catalog.py, routing_*.py.
import live_server
from routing_district import MICROCREDENTIALS, NOW, PASSWORD, QUEUE_FIFTY, QUEUE_ONE, REVIEWERS, SCHOOLS, build_district
from routing_rules import check_rules, print_loads, waiting, waiting_with_room
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError
from throwaway import counted_queries, migrated_app, postgres_database

from credentials.domain.review import routing
from credentials.storage.database import normalize_database_url, transaction
from credentials.storage.models import Assignment, Attempt

DEFAULT_POSTGRES = "postgresql://127.0.0.1:5432/test"
TARGET_ROUTING_S = 20.0
TARGET_QUEUE_MEDIAN_MS = 50.0


class StepTimes:
    """Wall time spent inside some of ``review_routing``'s steps, summed over every thread."""

    STEPS = ("eligible_reviewers", "_claim", "_notify", "record_event")

    def __init__(self):
        self.totals: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()
        # Private steps may be renamed one day: time those still there rather than fail.
        self.originals = {name: getattr(routing, name) for name in self.STEPS if hasattr(routing, name)}

    def install(self) -> None:
        for name, original in self.originals.items():
            setattr(routing, name, self._timed(name, original))

    def remove(self) -> None:
        for name, original in self.originals.items():
            setattr(routing, name, original)

    def _timed(self, name, original):
        @functools.wraps(original)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                with self.lock:
                    self.totals[name] += elapsed
                    self.calls[name] += 1

        return timed


def route_all(services, workers: int) -> dict:
    """Route every submitted attempt, each in its own transaction, on ``workers`` threads."""
    with services.session_factory() as session:
        ids = list(session.scalars(select(Attempt.id).order_by(Attempt.submitted_at, Attempt.id)))
    engine = services.engine
    statements = [0]
    statements_lock = threading.Lock()

    def count(*_args):
        with statements_lock:
            statements[0] += 1

    latencies: list[float] = []
    errors: dict[str, int] = defaultdict(int)
    results = {"assigned": 0, "short": 0}
    lock = threading.Lock()

    def route_one(attempt_id: int) -> None:
        started = time.perf_counter()
        try:
            with transaction(services.session_factory) as session:
                result = routing.route_attempt(session, session.get(Attempt, attempt_id), now=NOW)
        except OperationalError as exc:  # a deadlock or lock timeout would land here: the submission fails
            with lock:
                errors[type(exc.orig).__name__] += 1
            return
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed * 1000)
            results["assigned"] += len(result.assigned)
            results["short"] += result.still_needed > 0

    steps = StepTimes()
    steps.install()
    event.listen(engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(route_one, ids))
        total = time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", count)
        steps.remove()
    return {
        "attempts": len(ids),
        "seconds": total,
        "latencies": latencies,
        "errors": dict(errors),
        "statements": statements[0],
        "steps": steps,
        **results,
    }


def route_batch(services) -> dict:
    """Route every waiting attempt with one ``route_waiting`` pass (the batch router), counting statements."""
    statements = [0]

    def count(*_args):
        statements[0] += 1

    event.listen(services.engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        with transaction(services.session_factory) as session:
            waiting = len(routing.waiting_attempts(session))
            routed = routing.route_waiting(session, now=NOW)
        seconds = time.perf_counter() - started
    finally:
        event.remove(services.engine, "before_cursor_execute", count)
    with services.session_factory() as session:
        assigned = session.scalar(select(func.count()).select_from(Assignment))
    return {
        "attempts": waiting,
        "routed": routed,
        "seconds": seconds,
        "statements": statements[0],
        "assigned": assigned,
    }


def run_routing(services, args) -> bool:
    """Route, check and print; True when the targets are met."""
    if args.mode == "batch":
        print(
            f"\nrouting {args.attempts:,} submitted attempts waiting for reviewers in one batch (route_waiting, as "
            "`microcred reviews route`, the sweep and a new qualification run it)"
        )
        outcome = route_batch(services)
        print(
            f"routed {outcome['attempts']:,} attempts in {outcome['seconds']:.1f} s "
            f"({outcome['attempts'] / outcome['seconds']:,.0f}/s): {outcome['routed']:,} got reviewers, "
            f"{outcome['assigned']:,} assignments, {outcome['statements']:,} SQL statements in all"
        )
        return _finish_routing(services, outcome, [])
    print(f"\nrouting {args.attempts:,} attempts on {args.workers} worker threads (one transaction per attempt)")
    outcome = route_all(services, args.workers)
    latencies = outcome["latencies"]
    p50 = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=100, method="inclusive")[94]
    rate = outcome["attempts"] / outcome["seconds"]
    print(
        f"routed {outcome['attempts']:,} attempts in {outcome['seconds']:.1f} s ({rate:,.0f}/s); per attempt: "
        f"median {p50:.1f} ms, p95 {p95:.1f} ms, max {max(latencies):.1f} ms"
    )
    print(
        f"{outcome['assigned']:,} assignments made; {outcome['short']:,} attempts left short of reviewers; "
        f"{outcome['statements'] / outcome['attempts']:.1f} SQL statements per attempt; "
        f"errors: {outcome['errors'] or 'none'}"
    )
    steps, attempt_ms = outcome["steps"], sum(latencies)
    print("time inside route_attempt's steps, summed over all threads (share of the summed per-attempt time):")
    for name in steps.originals:
        total_ms = steps.totals[name] * 1000
        calls = steps.calls[name] or 1
        print(
            f"  {name:<20}{total_ms / 1000:>7.1f} s  {100 * total_ms / attempt_ms:>4.0f}%  "
            f"{steps.calls[name]:>7,} calls  {total_ms / calls:>6.2f} ms each"
        )
    return _finish_routing(services, outcome, outcome["errors"])


def _finish_routing(services, outcome: dict, errors) -> bool:
    print_loads(services)
    none, partial = waiting(services)
    room = waiting_with_room(services)
    print(
        f"still waiting: {none:,} attempts with no reviewer, {partial:,} with one of two; "
        f"{room:,} of them have an eligible reviewer with room now"
    )
    # `microcred reviews route`, the sweep, and every qualification or reviewer profile saved run this pass.
    started = time.perf_counter()
    with transaction(services.session_factory) as session:
        results = routing.route_waiting(session, now=NOW)
    elapsed = time.perf_counter() - started
    tried = none + partial
    none, partial = waiting(services)
    print(
        f"one more route_waiting pass (as `microcred reviews route` and every qualification or "
        f"profile saved): tried {tried:,} in {elapsed:.1f} s, {results:,} got reviewers; waiting now "
        f"{none:,} with none, {partial:,} with one of two"
    )
    print("rule checks (violations; all must be 0):")
    violations = check_rules(services)
    met = outcome["seconds"] < TARGET_ROUTING_S and violations == 0 and not errors
    print(
        f"routing: {'target met' if met else 'target MISSED'} "
        f"({outcome['seconds']:.1f} s for {outcome['attempts']:,}; target < {TARGET_ROUTING_S:g} s, 0 violations)"
    )
    return met


def queue_page_available(app) -> bool:
    return any(rule.rule == "/reviews" and "GET" in rule.methods for rule in app.url_map.iter_rules())


def sign_in(app, email: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"csrf_token": live_server.csrf_from(page), "email": email, "password": PASSWORD}
    )
    if response.status_code != 302:
        sys.exit(f"signing in as {email} answered {response.status_code}")
    return client


def measure_queue(app, email: str, requests: int) -> tuple[list[float], set[int]]:
    """Time ``requests`` GETs of /reviews (after a few untimed ones) as ``email``; times in ms and query counts."""
    client, engine = sign_in(app, email), app.extensions["microcred"].engine
    with engine.connect() as conn:
        attempt_ids = conn.execute(
            text(
                "SELECT a.attempt_id FROM review_assignments a JOIN users u ON u.id = a.reviewer_id "
                "WHERE u.email = :email AND a.status = 'assigned'"
            ),
            {"email": email},
        ).scalars()
        codes = [routing.anonymous_code(attempt_id) for attempt_id in attempt_ids]
    page = client.get("/reviews").get_data(as_text=True)
    missing = [code for code in codes if code not in page]
    if missing:  # time the real queue, not an error page or an empty one
        sys.exit(f"GET /reviews as {email} does not list {len(missing)} of the {len(codes)} open assignments")
    for _ in range(3):
        client.get("/reviews").close()
    times, counts = [], set()
    for _ in range(requests):
        with counted_queries(engine) as seen:
            started = time.perf_counter()
            response = client.get("/reviews")
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            sys.exit(f"GET /reviews as {email} answered {response.status_code}")
        response.close()
        times.append(elapsed * 1000)
        counts.add(len(seen))
    return times, counts


def run_queue_page(app, requests: int) -> bool | None:
    """Time the reviewer queue; None when the page does not exist yet."""
    print("\nreviewer queue page (GET /reviews) through the Flask test client")
    if not queue_page_available(app):
        print("reviewer queue page not available yet (no GET /reviews rule): skipped")
        return None
    services = app.extensions["microcred"]
    with services.engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM review_assignments")).scalar_one()
        loads = dict(
            conn.execute(
                text(
                    "SELECT u.email, count(a.id) FROM users u LEFT JOIN review_assignments a "
                    "ON a.reviewer_id = u.id AND a.status = 'assigned' WHERE u.email IN (:one, :fifty) GROUP BY u.email"
                ),
                {"one": QUEUE_ONE, "fifty": QUEUE_FIFTY},
            ).all()
        )
    print(f"{stored:,} assignments in the database; {requests} timed GETs per reviewer")
    met = True
    small = None
    for email in (QUEUE_ONE, QUEUE_FIFTY):
        times, counts = measure_queue(app, email, requests)
        median = statistics.median(times)
        p95 = statistics.quantiles(times, n=100, method="inclusive")[94]
        constant = len(counts) == 1 and (small is None or counts == small)
        small = small or counts
        met &= constant and median < TARGET_QUEUE_MEDIAN_MS
        print(
            f"  reviewer with {loads.get(email, 0):>2} open: median {median:5.1f} ms, p95 {p95:5.1f} ms, "
            f"max {max(times):5.1f} ms, queries {'/'.join(map(str, sorted(counts)))}"
            f"{'' if constant else '  NOT CONSTANT'}"
        )
    print(
        f"queue page: {'target met' if met else 'target MISSED'} "
        f"(median < {TARGET_QUEUE_MEDIAN_MS:g} ms, the same queries for 1 and 50 assignments)"
    )
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", default=DEFAULT_POSTGRES, help=f"default {DEFAULT_POSTGRES}")
    parser.add_argument("--attempts", type=int, default=10_000, help="submitted attempts to route (10000)")
    parser.add_argument("--workers", type=int, default=8, help="routing threads, each with its own sessions (8)")
    parser.add_argument(
        "--mode",
        choices=("batch", "each"),
        default="batch",
        help="batch: one route_waiting pass over all (default); each: one transaction per attempt "
        "on --workers threads, as submissions arrive",
    )
    parser.add_argument("--requests", type=int, default=200, help="timed GETs of the queue page per reviewer (200)")
    args = parser.parse_args()
    if args.attempts < 1000 or args.requests < 20 or not 1 <= args.workers <= 9:
        parser.error("use at least 1000 attempts, 20 requests and 1 to 9 workers (the pool holds 10 connections)")

    print(
        f"routing: {args.attempts:,} submitted attempts, {REVIEWERS} reviewers at {SCHOOLS} schools, "
        f"{MICROCREDENTIALS} micro-credentials, on PostgreSQL"
    )
    print(
        f"targets: routing < {TARGET_ROUTING_S:g} s, 0 violations of every rule; queue page median < "
        f"{TARGET_QUEUE_MEDIAN_MS:g} ms with the same queries for 1 and 50 assignments"
    )
    probe = create_engine(normalize_database_url(args.postgres))
    try:
        with probe.connect():
            pass
    except OperationalError as exc:
        print(f"PostgreSQL is not reachable at {args.postgres}: skipped ({str(exc.orig).strip().splitlines()[0]})")
        return 0
    finally:
        probe.dispose()
    with postgres_database(args.postgres) as url, tempfile.TemporaryDirectory(prefix="microcred-bench-") as tmp:
        return run(url, Path(tmp), args)


def run(url: str, workdir: Path, args) -> int:
    app = migrated_app(url, workdir, cheap_passwords=True)  # the reviewers' passwords; sign-in is not timed
    services = app.extensions["microcred"]
    services.clock = lambda: NOW
    try:
        started = time.perf_counter()
        district = build_district(services, random.Random(20260915), args.attempts)
        print(
            f"\nbuilt in {time.perf_counter() - started:.1f} s (untimed): {district['teachers']:,} teachers, "
            f"{district['reviewers']} reviewers, {district['conflicts']} declared conflicts, 10 away today; "
            f"{district['two_reviewers']} of {MICROCREDENTIALS} micro-credentials need two reviewers, so "
            f"{district['demand']:,} places are needed for {district['capacity']:,} offered"
        )
        routing_met = run_routing(services, args)
        queue_met = run_queue_page(app, args.requests)
    finally:
        services.engine.dispose()
    print()
    print(f"routing: targets {'met' if routing_met else 'MISSED'}")
    if queue_met is None:
        print("queue page: not measured (page not available yet)")
    else:
        print(f"queue page: targets {'met' if queue_met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
