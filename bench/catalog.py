"""Print how fast the public catalog answers with 1,000 published micro-credentials (target: median < 30 ms, and the
same number of SQL queries per request whatever the catalog's size).

Builds a throw-away migrated database (SQLite in a temporary directory; with ``--postgres URL`` also a throw-away
database on that PostgreSQL server), publishes micro-credentials through the domain functions, then times requests
through the Flask test client (in-process: the figures are the app's time plus the test client's small overhead).
Queries are counted with a ``before_cursor_execute`` listener on the app's engine; SQLite's ``BEGIN`` is not counted.

    .venv/bin/python bench/catalog.py [--requests 200] [--microcredentials 1000] [--postgres postgresql://HOST/DB]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from throwaway import counted_queries, migrated_app, postgres_database

from credentials.domain.audit import Actor
from credentials.domain.catalog import microcredentials
from credentials.domain.catalog.definitions import GRADE_BANDS
from credentials.domain.demo.district import DEMO_CATALOG
from credentials.storage.database import transaction

DEMO_DEFINITIONS = sorted(DEMO_CATALOG.glob("*.json"))

TARGET_MEDIAN_MS = 30.0
SMALL_CATALOG = 200  # enough for every scenario to find results and for page 10 to exist
BATCH = 100
STRATEGIES = (
    "Exit tickets",
    "Number talks",
    "Think-pair-share",
    "Reading conferences",
    "Peer feedback",
    "Lab notebooks",
    "Socratic seminars",
    "Learning stations",
    "Writing workshops",
    "Project launches",
    "Restorative circles",
    "Student goal setting",
    "Retrieval practice",
    "Worked examples",
    "Vocabulary routines",
    "Data chats",
)
TOPICS = (
    "in mathematics",
    "for emergent readers",
    "in science labs",
    "for multilingual learners",
    "in social studies",
    "across the curriculum",
    "in the arts",
    "for students with IEPs",
    "in physical education",
    "in early grades",
    "for inquiry",
    "with families",
    "in online classes",
    "for assessment",
    "in small groups",
    "at scale",
)
TAGS = (
    "formative assessment",
    "discourse",
    "feedback",
    "literacy",
    "numeracy",
    "routines",
    "equity",
    "inquiry",
    "collaboration",
    "differentiation",
    "classroom culture",
    "questioning",
    "planning",
    "reflection",
    "technology",
    "social-emotional learning",
    "assessment design",
    "vocabulary",
    "writing",
    "family engagement",
)
SUBJECTS = (
    "All subjects",
    "Mathematics",
    "English language arts",
    "Science",
    "Social studies",
    "The arts",
    "Physical education",
    "World languages",
    "Special education",
    "Career and technical education",
)
CREDIT_HOURS = (5, 7.5, 10, 12, 15, 20, 25, 30, 40, 45, 60)
SCENARIOS = (
    ("catalog, first page", "/microcredentials"),
    ("text search", "/microcredentials?q=peer+feedback"),
    ("filtered search", "/microcredentials?tag=feedback&grade=6-8&credits=10-20"),
    ("catalog, page 10", "/microcredentials?page=10"),
    ("detail page", "/microcredentials/{slug}"),
    ("badge (drawn SVG)", "/microcredentials/{slug}/badge"),
)


def varied_definition(n: int, rng: random.Random) -> dict:
    """A valid definition whose title, facets and credit hours vary with ``n``."""
    title = f"{STRATEGIES[n % len(STRATEGIES)]} {TOPICS[(n // len(STRATEGIES)) % len(TOPICS)]} ({n + 1})"
    bands = sorted(rng.sample(GRADE_BANDS, rng.randint(1, 3)), key=GRADE_BANDS.index)
    base = json.loads(DEMO_DEFINITIONS[n % len(DEMO_DEFINITIONS)].read_text(encoding="utf-8"))
    return {
        **base,
        "slug": f"mc-{n + 1:04d}",
        "title": title,
        "summary": f"{title}: plan it, try it with your students, and show what changed in their learning.",
        "tags": rng.sample(TAGS, rng.randint(1, 4)),
        "subject_areas": rng.sample(SUBJECTS, rng.randint(1, 2)),
        "grade_bands": bands,
        "credit_hours": rng.choice(CREDIT_HOURS),
    }


def publish(services, start: int, stop: int, rng: random.Random) -> None:
    """Create and publish micro-credentials ``start``..``stop - 1`` through the domain, ``BATCH`` per transaction."""
    actor = Actor.system("bench")
    for first in range(start, stop, BATCH):
        with transaction(services.session_factory) as session:
            for n in range(first, min(first + BATCH, stop)):
                version = microcredentials.create_microcredential(
                    session, varied_definition(n, rng), actor=actor, now=services.clock()
                )
                microcredentials.publish_version(session, version, actor=actor, now=services.clock())


def measure(app, url_for: Callable[[int], str], requests: int) -> tuple[list[float], set[int]]:
    """Time ``requests`` GETs (after a few untimed ones); return the times in ms and the query counts seen."""
    client, engine = app.test_client(), app.extensions["microcred"].engine
    for i in range(5):
        client.get(url_for(i)).close()
    times, counts = [], set()
    for i in range(requests):
        url = url_for(i)
        with counted_queries(engine) as seen:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            sys.exit(f"GET {url} answered {response.status_code}")
        response.close()
        times.append(elapsed * 1000)
        counts.add(len(seen))
    return times, counts


def url_maker(template: str, slugs: list[str]):
    return lambda i: template.format(slug=slugs[i % len(slugs)])


def query_counts(app, slugs: list[str]) -> dict[str, set[int]]:
    """The queries each scenario runs (a handful of requests, untimed)."""
    return {label: measure(app, url_maker(template, slugs), 5)[1] for label, template in SCENARIOS}


def run(backend: str, database_url: str, workdir: Path, args) -> bool:
    """Fill the database at ``database_url``, time every scenario, print the figures; True when targets are met."""
    app = migrated_app(database_url, workdir)
    services = app.extensions["microcred"]
    rng = random.Random(20261125)
    slugs = [f"mc-{n:04d}" for n in range(1, SMALL_CATALOG + 1)]
    try:
        publish(services, 0, SMALL_CATALOG, rng)
        small = query_counts(app, slugs)
        started = time.perf_counter()
        publish(services, SMALL_CATALOG, args.microcredentials, rng)
        filled = time.perf_counter() - started
        print(
            f"\n{backend}: published {args.microcredentials} micro-credentials through the domain "
            f"({args.microcredentials - SMALL_CATALOG} of them in {filled:.1f} s, {BATCH} per transaction)"
        )
        slugs = [f"mc-{n:04d}" for n in range(1, args.microcredentials + 1, 7)]
        print(
            f"{'request':<22}{'median':>9}{'p95':>9}{'max':>9}   queries ({SMALL_CATALOG} -> {args.microcredentials})"
        )
        met = True
        for label, template in SCENARIOS:
            times, counts = measure(app, url_maker(template, slugs), args.requests)
            median = statistics.median(times)
            p95 = statistics.quantiles(times, n=100, method="inclusive")[94]
            constant = counts == small[label] and len(counts) == 1
            met &= constant and median < TARGET_MEDIAN_MS
            print(
                f"{label:<22}{median:>6.1f} ms{p95:>6.1f} ms{max(times):>6.1f} ms   "
                f"{_counts(small[label])} -> {_counts(counts)}{'' if constant else '  NOT CONSTANT'}"
            )
        return met
    finally:
        services.engine.dispose()


def _counts(counts: set[int]) -> str:
    return "/".join(str(c) for c in sorted(counts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario (default 200)")
    parser.add_argument("--microcredentials", type=int, default=1000, help="published micro-credentials (1000)")
    parser.add_argument("--postgres", metavar="URL", help="also run on a throw-away database on this PostgreSQL server")
    args = parser.parse_args()
    if args.requests < 20 or args.microcredentials <= SMALL_CATALOG:
        parser.error(f"use at least 20 requests and more than {SMALL_CATALOG} micro-credentials")

    print(f"catalog: {args.requests} timed GETs per request kind through the Flask test client")
    print(
        f"targets: median < {TARGET_MEDIAN_MS:g} ms, and the same queries per request with {SMALL_CATALOG} and "
        f"{args.microcredentials} published micro-credentials"
    )
    results = {}
    with tempfile.TemporaryDirectory(prefix="microcred-bench-") as tmp:
        workdir = Path(tmp)
        results["SQLite"] = run("SQLite", f"sqlite:///{workdir / 'catalog.sqlite3'}", workdir, args)
        if args.postgres:
            with postgres_database(args.postgres) as url:
                results["PostgreSQL"] = run("PostgreSQL", url, workdir, args)
    print()
    for backend, met in results.items():
        print(f"{backend}: targets {'met' if met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
