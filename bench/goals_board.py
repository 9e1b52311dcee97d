"""The goals-board figure of bench/plans.py: the district's goals board with 5,000 teachers and 12,000 goals (target:
median under 30 ms, and the same number of SQL queries with 100 and with 12,000 goals).

Builds a throw-away migrated SQLite database in a temporary directory (with ``--postgres URL`` also a throw-away
database on that PostgreSQL server): 40 micro-credentials published through the
domain (their tags and titles are the focuses offered), 50 schools of 100 teachers bulk-inserted with a grade band
and subject each, one school year, a plan for each teacher with two or three goals (12,000 in all) bulk-inserted:
one plan in eight still a draft, visibility spread as teachers would choose it (half school, a quarter district, a
tenth public, the rest private), one or two focuses each, progress shared on two goals in five, and four check-ins on
each shared goal. The viewer is a teacher of the first school, signed in through the login form; the page timed is
``GET /goals`` through the app's test client (the whole request: session, read-model, template), after a few untimed
requests. The queries are counted first with only 100 goals in the database, then with all 12,000.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from datetime import timedelta
from pathlib import Path

from catalog import publish
from sqlalchemy import func, insert, select
from throwaway import counted_queries, migrated_app, postgres_database

from credentials.domain.audit import Actor
from credentials.domain.people import accounts, organizations
from credentials.domain.people.teaching import GRADE_BANDS, SUBJECTS
from credentials.domain.plans import plans, school_years
from credentials.storage.database import transaction
from credentials.storage.models import CheckIn, Goal, GrowthPlan, User, UserRole

TARGET_MEDIAN_MS = 30.0
SCHOOLS, TEACHERS_PER_SCHOOL, GOALS, FEW = 50, 100, 12_000, 100
MICROCREDENTIALS = 40
ACTOR = Actor.system("bench")
VIEWER, PASSWORD = "viewer@bench.example.org", "bench board passphrase"
VISIBILITY = ["school"] * 10 + ["district"] * 5 + ["public"] * 2 + ["private"] * 3


def goals_board_section(args: argparse.Namespace, workdir: Path) -> bool:
    """The figure on SQLite and, with ``--postgres URL``, on a throw-away PostgreSQL database too."""
    met = _run("SQLite", f"sqlite:///{workdir / 'goals_board.sqlite3'}", workdir, args)
    if getattr(args, "postgres", None):
        with postgres_database(args.postgres) as url:
            met = _run("PostgreSQL", url, workdir, args) and met
    return met


def _run(backend: str, database_url: str, workdir: Path, args: argparse.Namespace) -> bool:
    """Fill the database, count the board's queries with 100 and 12,000 goals, time it; True when targets are met."""
    app = migrated_app(database_url, workdir, cheap_passwords=True)
    services = app.extensions["microcred"]
    rng = random.Random(20261202)
    try:
        started = time.perf_counter()
        goal_rows, teacher_ids = _build(services, rng)
        client = app.test_client()
        _sign_in(client)
        _insert_goals(services, goal_rows[:FEW])
        _, _, few = _measure(app, client, 20)
        _insert_goals(services, goal_rows[FEW:])
        with services.session_factory() as session:
            total = session.scalar(select(func.count()).select_from(Goal))
        if backend == "PostgreSQL":  # as autovacuum would after a bulk load: the planner needs the tables' statistics
            with services.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        built = time.perf_counter() - started
        times, cpu, many = _measure(app, client, args.requests)
    finally:
        services.engine.dispose()
    median, p95 = statistics.median(times), statistics.quantiles(times, n=100, method="inclusive")[94]
    constant = few == many and len(many) == 1
    print(
        f"\ngoals board: GET /goals, {len(teacher_ids):,} teachers in {SCHOOLS} schools, {total:,} goals, "
        f"{backend} (built in {built:.0f} s), {args.requests} timed requests"
    )
    print(f"{'':<34}{'median':>10}{'p95':>11}{'max':>11}{'cpu':>11}   target")
    print(
        f"{'district board, page 1':<34}{median:>7.2f} ms{p95:>8.2f} ms{max(times):>8.2f} ms"
        f"{statistics.median(cpu):>8.2f} ms   median < "
        f"{TARGET_MEDIAN_MS:g} ms: {'met' if median < TARGET_MEDIAN_MS else 'MISSED'}"
    )
    print(
        f"{'SQL queries, 100 -> 12,000 goals':<34}{_counts(few):>10} -> {_counts(many)}   the same: "
        f"{'met' if constant else 'MISSED'}"
    )
    return constant and median < TARGET_MEDIAN_MS


def _build(services, rng: random.Random) -> tuple[list[dict], list[int]]:
    """Everything but the goals; returns the goal rows to insert (12,000) and the teachers' ids."""
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
    publish(services, 0, MICROCREDENTIALS, rng)
    with transaction(services.session_factory) as session:
        today = school_years.today(session, now)
        year = school_years.create_school_year(
            session, name="Bench year", starts_on=today - timedelta(days=120), ends_on=today + timedelta(days=200),
            actor=ACTOR, now=now,
        )  # fmt: skip
        focus_keys = [key for key, _ in plans.focus_options(session)]
        accounts.create_user(
            session, services.passwords, email=VIEWER, name="Vera Viewer", roles=("teacher",),
            school_id=school_ids[0], password=PASSWORD, actor=ACTOR, now=now,
        )  # fmt: skip
        year_id, ends_on = year.id, year.ends_on
    teacher_ids = _add_teachers(services, school_ids, rng)
    plan_rows = [
        {
            "teacher_id": teacher_id,
            "school_year_id": year_id,
            "revision": 1,
            "created_at": now,
            "updated_at": now,
            "status": rng.choice(["draft"] + ["waiting_for_review", "in_review"] + ["active"] * 4 + ["complete"]),
        }
        for teacher_id in teacher_ids
    ]
    with transaction(services.session_factory) as session:
        session.execute(insert(GrowthPlan), plan_rows)
        plan_ids = session.scalars(select(GrowthPlan.id).order_by(GrowthPlan.id)).all()
    # 2,000 plans with three goals and 3,000 with two: 12,000 goals.
    goal_rows = []
    for number, plan_id in enumerate(plan_ids):
        for position in range(1, (3 if number < len(plan_ids) * 2 // 5 else 2) + 1):
            goal_rows.append(_goal_row(plan_id, position, rng.sample(focus_keys, rng.randint(1, 2)), ends_on, now, rng))
    rng.shuffle(goal_rows)  # the first hundred come from all over the district
    return goal_rows[:GOALS], teacher_ids


def _goal_row(plan_id, position, focus, ends_on, now, rng: random.Random) -> dict:
    baseline = rng.randint(20, 60)
    return {
        "plan_id": plan_id,
        "position": position,
        "focus": focus,
        "statement": f"More of my students show mastery at the end of each lesson (goal {position}).",
        "measure_what": "Exit-ticket mastery",
        "measure_unit": "%",
        "baseline": baseline,
        "target": baseline + 20,
        "how_measured": "Weekly exit tickets",
        "target_date": ends_on - timedelta(days=rng.randint(10, 60)),
        "support_requested": "",
        "visibility": rng.choice(VISIBILITY),
        "share_progress": rng.random() < 0.4,
        "created_at": now,
        "updated_at": now,
    }


def _add_teachers(services, school_ids: list[int], rng: random.Random) -> list[int]:
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
            "grade_band": rng.choice(GRADE_BANDS),
            "subject": rng.choice(SUBJECTS),
        }
        for s, school_id in enumerate(school_ids)
        for n in range(TEACHERS_PER_SCHOOL)
    ]
    with transaction(services.session_factory) as session:
        session.execute(insert(User), rows)
        ids = session.scalars(select(User.id).where(User.email.like("teacher%")).order_by(User.id)).all()
        session.execute(insert(UserRole), [{"user_id": i, "role": "teacher"} for i in ids])
    return list(ids)


def _insert_goals(services, rows: list[dict]) -> None:
    """The goals, and four check-ins on each goal whose progress is shared."""
    now = services.clock()
    with transaction(services.session_factory) as session:
        for start in range(0, len(rows), 2000):
            session.execute(insert(Goal), rows[start : start + 2000])
        shared = session.execute(
            select(Goal.id, Goal.baseline, GrowthPlan.teacher_id)
            .join(GrowthPlan, GrowthPlan.id == Goal.plan_id)
            .where(Goal.share_progress.is_(True), ~select(CheckIn.id).where(CheckIn.goal_id == Goal.id).exists())
        ).all()
        check_ins = [
            {
                "goal_id": goal_id,
                "checked_on": now.date() - timedelta(days=7 * week),
                "value": baseline + 4 - week,
                "reflection": "",
                "links": [],
                "author_id": teacher_id,
                "created_at": now,
            }
            for goal_id, baseline, teacher_id in shared
            for week in range(4)
        ]
        for start in range(0, len(check_ins), 5000):
            session.execute(insert(CheckIn), check_ins[start : start + 5000])


def _sign_in(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post("/login", data={"email": VIEWER, "password": PASSWORD, "csrf_token": token})
    if response.status_code != 302:
        raise SystemExit("the bench viewer could not sign in")


def _measure(app, client, requests: int) -> tuple[list[float], list[float], set[int]]:
    """Time ``requests`` GETs of the district board (after a few untimed): wall-clock and CPU times in ms (on a busy
    machine the wall clock also counts waiting for a core), and the query counts."""
    engine = app.extensions["microcred"].engine
    for _ in range(5):
        client.get("/goals").close()
    times, cpu, counts = [], [], set()
    for _ in range(requests):
        with counted_queries(engine) as seen:
            started, started_cpu = time.perf_counter(), time.thread_time()
            response = client.get("/goals")
            elapsed, elapsed_cpu = time.perf_counter() - started, time.thread_time() - started_cpu
        if response.status_code != 200 or b"goals-board-goal" not in response.data:
            raise SystemExit(f"GET /goals answered {response.status_code} without goals")
        response.close()
        times.append(elapsed * 1000)
        cpu.append(elapsed_cpu * 1000)
        counts.add(len(seen))
    return times, cpu, counts


def _counts(counts: set[int]) -> str:
    return "/".join(str(c) for c in sorted(counts))
