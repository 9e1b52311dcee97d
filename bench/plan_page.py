"""The plan-page figure of bench/plans.py: a teacher's plan page with 3 goals and 40 check-ins on each (target:
median under 30 ms), with the goal page and its chart route beside it.

Builds a throw-away migrated SQLite database in a temporary directory: a district, a school, a teacher and a coach
who coaches the school, the published catalog the goals draw their focus and actions from, one school year that
began 300 days ago, and the teacher's plan taken through the workflow with the domain's own functions (three goals
with three learning actions each, the review asked for, started and approved), then 40 weekly check-ins on each goal
(bulk-inserted: 120 in all). The teacher signs in through the login form; each page is then fetched through the
app's test client (the whole request: session, read-model, template, or the chart's SVG), a few times untimed first.
The queries of each page are counted too: they must not grow with the check-ins (the count with 1 check-in per goal
is printed beside the count with 40).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import timedelta
from pathlib import Path

from catalog import publish
from sqlalchemy import insert, select
from throwaway import counted_queries, migrated_app

from credentials.domain.audit import Actor
from credentials.domain.people import accounts, coaching, organizations
from credentials.domain.plans import plans, school_years, workflow
from credentials.domain.plans.plans import GoalInput
from credentials.storage.database import transaction
from credentials.storage.models import CheckIn, Goal, MicroCredential, User

TARGET_MEDIAN_MS = 30.0
GOALS, CHECK_INS = 3, 40
ACTOR = Actor.system("bench")
TEACHER, COACH, PASSWORD = "teacher@bench.example.org", "coach@bench.example.org", "bench plan passphrase"


def plan_page_section(args: argparse.Namespace, workdir: Path) -> bool:
    """Build the plan, count each page's queries with 1 and with 40 check-ins a goal, time the pages."""
    app = migrated_app(f"sqlite:///{workdir / 'plan_page.sqlite3'}", workdir, cheap_passwords=True)
    services = app.extensions["microcred"]
    try:
        started = time.perf_counter()
        plan_id, goal_ids, teacher_id = _build(services)
        _add_check_ins(services, goal_ids, teacher_id, weeks=range(1))
        client = app.test_client()
        _sign_in(client)
        pages = {
            "plan page (3 goals)": f"/plans/{plan_id}",
            "goal page": f"/goals/{goal_ids[0]}",
            "goal chart (SVG)": f"/goals/{goal_ids[0]}/chart.svg",
        }
        few = {label: _queries(app, client, path) for label, path in pages.items()}
        _add_check_ins(services, goal_ids, teacher_id, weeks=range(1, CHECK_INS))
        built = time.perf_counter() - started
        results = {label: _timed(app, client, path, args.requests) for label, path in pages.items()}
    finally:
        services.engine.dispose()
    print(
        f"\nplan page: {GOALS} goals with {CHECK_INS} check-ins each ({GOALS * CHECK_INS} in all), SQLite (built in "
        f"{built:.0f} s), {args.requests} timed requests of each page"
    )
    print(f"{'':<26}{'median':>10}{'p95':>11}{'max':>11}{'cpu':>11}{'queries 1 -> 40':>18}   target")
    met = True
    for label, (times, cpu, counts) in results.items():
        median, p95 = statistics.median(times), statistics.quantiles(times, n=100, method="inclusive")[94]
        constant = counts == few[label]
        target = ""
        if label.startswith("plan page"):
            ok = median < TARGET_MEDIAN_MS and constant
            met = met and ok
            target = f"median < {TARGET_MEDIAN_MS:g} ms, queries constant: {'met' if ok else 'MISSED'}"
        queries = f"{_counts(few[label])} -> {_counts(counts)}"
        print(
            f"{label:<26}{median:>7.2f} ms{p95:>8.2f} ms{max(times):>8.2f} ms{statistics.median(cpu):>8.2f} ms"
            f"{queries:>18}   {target}"
        )
    return met


def _build(services) -> tuple[int, list[int], int]:
    """The district, the teacher and coach, the catalog and the approved plan; (plan id, goal ids, teacher id)."""
    now = services.clock()
    with transaction(services.session_factory) as session:
        details = organizations.IssuerDetails(
            name="Bench Unified School District", url="https://bench.example.org", email="credentials@bench.example.org"
        )
        organizations.set_up_issuer(session, details, actor=ACTOR, now=now)
        school = organizations.create_school(session, name="Bench Elementary", actor=ACTOR, now=now)
        for email, name, role in ((TEACHER, "Tess Teacher", "teacher"), (COACH, "Cole Coach", "coach")):
            accounts.create_user(
                session, services.passwords, email=email, name=name, roles=(role,), school_id=school.id,
                password=PASSWORD, actor=ACTOR, now=now,
            )  # fmt: skip
        coach_id = session.scalar(select(User.id).where(User.email == COACH))
        coaching.assign_coach(session, coach_id, school.id, actor=ACTOR, now=now)
        today = school_years.today(session, now)
        school_years.create_school_year(
            session, name="Bench year", starts_on=today - timedelta(days=300), ends_on=today + timedelta(days=60),
            actor=ACTOR, now=now,
        )  # fmt: skip
    publish(services, 0, 12, random.Random(20261202))
    with transaction(services.session_factory) as session:
        teacher = session.scalar(select(User).where(User.email == TEACHER))
        coach = session.scalar(select(User).where(User.email == COACH))
        focus = [key for key, _ in plans.focus_options(session)]
        slugs = session.scalars(select(MicroCredential.slug).order_by(MicroCredential.id)).all()
        year_end = school_years.current_school_year(session, now).ends_on
        plan = plans.start_plan(session, teacher, now=now)
        for n in range(GOALS):
            data = GoalInput(
                statement=f"Goal {n + 1}: more of my students show mastery at the end of each lesson.",
                focus=focus[n : n + 2], measure_what="Exit-ticket mastery", measure_unit="%", baseline="40",
                target="80", how_measured="Weekly exit tickets", target_date=year_end - timedelta(days=10),
                support_requested="Look at a week of tickets with me.",
            )  # fmt: skip
            goal = plans.add_goal(session, plan.id, teacher, data, now=now)
            plans.add_action(session, goal.id, teacher, kind="microcredential", slug=slugs[n], now=now)
            plans.add_action(session, goal.id, teacher, kind="activity", description="The district workshop", now=now)
            plans.add_action(session, goal.id, teacher, kind="collaboration", description="Grade team", now=now)
        workflow.request_review(session, plan.id, teacher, now=now)
        workflow.start_review(session, plan.id, coach, now=now)
        workflow.approve(session, plan.id, coach, comments={}, now=now)
        goal_ids = session.scalars(select(Goal.id).where(Goal.plan_id == plan.id).order_by(Goal.position)).all()
        return plan.id, list(goal_ids), teacher.id


def _add_check_ins(services, goal_ids: list[int], teacher_id: int, *, weeks: range) -> None:
    """Weekly check-ins on every goal, from the year's first weeks on."""
    now = services.clock()
    with transaction(services.session_factory) as session:
        first = school_years.current_school_year(session, now).starts_on
        rows = [
            {
                "goal_id": goal_id,
                "checked_on": first + timedelta(days=7 * (week + 1)),
                "value": 40 + week,
                "reflection": f"Week {week + 1}: regrouped the students who missed the second question.",
                "links": [],
                "author_id": teacher_id,
                "created_at": now,
            }
            for goal_id in goal_ids
            for week in weeks
        ]
        session.execute(insert(CheckIn), rows)


def _sign_in(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post("/login", data={"email": TEACHER, "password": PASSWORD, "csrf_token": token})
    if response.status_code != 302:
        raise SystemExit("the bench teacher could not sign in")


def _queries(app, client, path: str) -> set[int]:
    engine = app.extensions["microcred"].engine
    with counted_queries(engine) as seen:
        _get(client, path)
    return {len(seen)}


def _timed(app, client, path: str, requests: int) -> tuple[list[float], list[float], set[int]]:
    """Wall-clock and CPU ms of ``requests`` GETs (after five untimed), and their query counts."""
    engine = app.extensions["microcred"].engine
    for _ in range(5):
        _get(client, path)
    times, cpu, counts = [], [], set()
    for _ in range(requests):
        with counted_queries(engine) as seen:
            started, started_cpu = time.perf_counter(), time.thread_time()
            _get(client, path)
            elapsed, elapsed_cpu = time.perf_counter() - started, time.thread_time() - started_cpu
        times.append(elapsed * 1000)
        cpu.append(elapsed_cpu * 1000)
        counts.add(len(seen))
    return times, cpu, counts


def _get(client, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    response.close()


def _counts(counts: set[int]) -> str:
    return "/".join(str(c) for c in sorted(counts))
