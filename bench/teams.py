"""Print how fast teams with like goals answer (issue 18). Its first section, *like*: 'Teachers with like goals' for
one goal across 5,000 teachers and 12,000 goals (target: median under 30 ms, and the same number of SQL queries with
100 and with 12,000 goals).

The district is the goals board's (bench/goals_board.py builds it; its builders are imported, not copied): 50
schools of 100 teachers, 40 micro-credentials whose tags and titles are the focuses, one school year, 12,000 goals
with one or two focuses each and visibility spread as teachers would choose it. The goal asked about is the first
goal inserted, and the viewer is its teacher. Each timed run is what the goal page adds for its teacher:
``like_goals.like_goals`` in process in a fresh session (as one request has), after a few untimed runs; wall-clock
and the thread's CPU time (on a busy machine the wall clock also counts waiting for a core). The queries are
counted first with only 100 goals in the database, then with all 12,000.

    .venv/bin/python bench/teams.py [--requests 200] [--only like] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from goals_board import FEW, SCHOOLS, _build, _insert_goals
from sqlalchemy import func, select
from throwaway import counted_queries, migrated_app, postgres_database

from credentials.domain.plans.like_goals import like_goals
from credentials.storage.models import Goal, GrowthPlan, User

TARGET_MEDIAN_MS = 30.0
WARM_UP = 5


def like_section(args: argparse.Namespace) -> bool:
    """Teachers with like goals, 5,000 teachers and 12,000 goals: median under 30 ms, queries constant."""
    with tempfile.TemporaryDirectory(prefix="microcred-bench-") as tmp:
        workdir = Path(tmp)
        met = _run("SQLite", f"sqlite:///{workdir / 'teams.sqlite3'}", workdir, args)
        if args.postgres:
            with postgres_database(args.postgres) as url:
                met = _run("PostgreSQL", url, workdir, args) and met
    return met


def _run(backend: str, database_url: str, workdir: Path, args: argparse.Namespace) -> bool:
    app = migrated_app(database_url, workdir, cheap_passwords=True)
    services = app.extensions["microcred"]
    rng = random.Random(20261202)
    try:
        started = time.perf_counter()
        goal_rows, teacher_ids = _build(services, rng)
        _insert_goals(services, goal_rows[:FEW])
        asked = goal_rows[0]
        with services.session_factory() as session:
            goal_id = session.scalar(
                select(Goal.id).where(Goal.plan_id == asked["plan_id"], Goal.position == asked["position"])
            )
            teacher_id = session.scalar(select(GrowthPlan.teacher_id).where(GrowthPlan.id == asked["plan_id"]))
        _, _, few, _ = _measure(services, goal_id, teacher_id, 20)
        _insert_goals(services, goal_rows[FEW:])
        with services.session_factory() as session:
            total = session.scalar(select(func.count()).select_from(Goal))
        if backend == "PostgreSQL":  # as autovacuum would after a bulk load: the planner needs the tables' statistics
            with services.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        built = time.perf_counter() - started
        times, cpu, many, found = _measure(services, goal_id, teacher_id, args.requests)
    finally:
        services.engine.dispose()
    median, p95 = statistics.median(times), statistics.quantiles(times, n=100, method="inclusive")[94]
    constant = few == many and len(many) == 1
    print(
        f"\nlike goals: one goal's teachers with like goals, {len(teacher_ids):,} teachers in {SCHOOLS} schools, "
        f"{total:,} goals, {backend} (built in {built:.0f} s), {args.requests} timed runs; {found}"
    )
    print(f"{'':<34}{'median':>10}{'p95':>11}{'max':>11}{'cpu':>11}   target")
    print(
        f"{'like goals, for the teacher':<34}{median:>7.2f} ms{p95:>8.2f} ms{max(times):>8.2f} ms"
        f"{statistics.median(cpu):>8.2f} ms   median < "
        f"{TARGET_MEDIAN_MS:g} ms: {'met' if median < TARGET_MEDIAN_MS else 'MISSED'}"
    )
    print(
        f"{'SQL queries, 100 -> 12,000 goals':<34}{_counts(few):>10} -> {_counts(many)}   the same: "
        f"{'met' if constant else 'MISSED'}"
    )
    return constant and median < TARGET_MEDIAN_MS


def _measure(services, goal_id: int, teacher_id: int, runs: int) -> tuple[list[float], list[float], set[int], str]:
    """Time ``runs`` calls (after a few untimed), each in a fresh session: ms of wall-clock and CPU time, the query
    counts, and what the last call found, in words."""
    now = services.clock()

    def run():
        with services.session_factory() as session:
            return like_goals(session, goal_id, session.get(User, teacher_id), now=now)

    for _ in range(WARM_UP):
        run()
    times, cpu, counts, result = [], [], set(), None
    for _ in range(runs):
        with counted_queries(services.engine) as seen:
            started, started_cpu = time.perf_counter(), time.thread_time()
            result = run()
            elapsed, elapsed_cpu = time.perf_counter() - started, time.thread_time() - started_cpu
        times.append(elapsed * 1000)
        cpu.append(elapsed_cpu * 1000)
        counts.add(len(seen))
    if result is None:
        raise SystemExit("the goal's teacher was not given the list")
    return times, cpu, counts, f"{len(result.colleagues)} colleagues listed and {result.more} more"


def _counts(counts: set[int]) -> str:
    return "/".join(str(c) for c in sorted(counts))


# Each section prints its figures and returns whether its targets were met; teams, meetings and posts come later.
SECTIONS: dict[str, Callable[[argparse.Namespace], bool]] = {"like": like_section}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed runs (default 200)")
    parser.add_argument("--postgres", metavar="URL", help="also run on a throw-away PostgreSQL database")
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append", help="run only this section (repeatable)")
    args = parser.parse_args()
    if args.requests < 20:
        parser.error("use at least 20 runs")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"teams: {os.cpu_count()} cores, load average {load} (other work on the machine slows the wall clock)")
    results = {name: section(args) for name, section in SECTIONS.items() if not args.only or name in args.only}
    print()
    for name, met in results.items():
        print(f"{name}: targets {'met' if met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
