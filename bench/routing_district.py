"""The district bench/routing.py routes: 40 schools, 10 published micro-credentials, 200 reviewers, 2,000 teachers
and their submitted attempts, in a throw-away database.

Schools, micro-credentials and reviewers (qualifications, capacities, away dates, conflicts) go through the domain;
teachers and attempts are bulk-inserted with SQLAlchemy Core, as the domain would leave them but without evidence
rows, which routing never reads.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from catalog import varied_definition  # bench/catalog.py
from sqlalchemy import insert, text

from credentials.domain.audit import Actor
from credentials.domain.catalog import microcredentials as catalog
from credentials.domain.people import accounts, organizations
from credentials.domain.review import admin
from credentials.storage.database import transaction
from credentials.storage.models import Attempt, User, UserRole
from credentials.storage.models.attempts import SUBMITTED

SCHOOLS = 40
MICROCREDENTIALS = 10
TWO_REVIEWERS = {1, 4, 7}  # indexes of the micro-credentials that need two reviewers
ATTEMPTS_PER_TEACHER = 5
REVIEWERS = 200
CAPACITIES = (30, 40, 50, 60, 70, 80, 100)
TAGS = ("formative assessment", "discourse", "feedback", "literacy", "family engagement")
CONFLICTS = 40
PASSWORD = "bench reviewer passphrase"  # noqa: S105 - throw-away accounts in a throw-away database
QUEUE_ONE, QUEUE_FIFTY = "queue-one@bench.example.org", "queue-fifty@bench.example.org"
# A Tuesday. Attempts were submitted during the week before; routing and the queue page run "now".
NOW = datetime(2026, 9, 15, 14, 0, tzinfo=UTC)
SETUP = NOW - timedelta(days=30)
ACTOR = Actor.system("bench")


def build_district(services, rng: random.Random, attempts: int) -> dict:
    """Schools, micro-credentials, teachers, reviewers (with qualifications, capacities, away dates, conflicts) and
    ``attempts`` submitted attempts. Returns what the later steps need to know."""
    factory = services.session_factory
    with transaction(factory) as session:
        details = organizations.IssuerDetails(
            name="Bench Unified School District", url="https://bench.example.org", email="credentials@bench.example.org"
        )
        organizations.set_up_issuer(session, details, actor=ACTOR, now=SETUP)
        schools = [
            organizations.create_school(session, name=f"School {n + 1:02d}", actor=ACTOR, now=SETUP).id
            for n in range(SCHOOLS)
        ]
    microcredentials = []  # (microcredential id, version id, reviewers required)
    with transaction(factory) as session:
        for n in range(MICROCREDENTIALS):
            doc = varied_definition(n, rng)
            doc["tags"] = rng.sample(TAGS, rng.randint(1, 2))
            doc["reviewers_required"] = 2 if n in TWO_REVIEWERS else 1
            version = catalog.create_microcredential(session, doc, actor=ACTOR, now=SETUP)
            catalog.publish_version(session, version, actor=ACTOR, now=SETUP)
            microcredentials.append((version.microcredential_id, version.id, doc["reviewers_required"]))
    slugs = [f"mc-{n + 1:04d}" for n in range(MICROCREDENTIALS)]

    teachers = bulk_teachers(services, schools, attempts // ATTEMPTS_PER_TEACHER)
    reviewers = []  # (id, school id, qualified micro-credential indexes)
    with transaction(factory) as session:
        for n in range(REVIEWERS):
            email = (QUEUE_ONE, QUEUE_FIFTY)[n] if n < 2 else f"reviewer{n + 1:03d}@bench.example.org"
            school_id = schools[n % SCHOOLS]
            reviewer = accounts.create_user(
                session,
                services.passwords,
                email=email,
                name=f"Reviewer {n + 1}",
                roles=("reviewer",),
                school_id=school_id,
                password=PASSWORD,
                actor=ACTOR,
                now=SETUP,
            )
            # The two queue reviewers may review everything, so routing fills them exactly to capacity (1 and 50).
            qualified = range(MICROCREDENTIALS) if n < 2 else rng.sample(range(MICROCREDENTIALS), rng.randint(2, 3))
            for index in qualified:
                admin.grant_qualification(session, reviewer.id, slug=slugs[index], actor=ACTOR, now=SETUP)
            if n >= 2 and rng.random() < 0.25:
                admin.grant_qualification(session, reviewer.id, tag=rng.choice(TAGS), actor=ACTOR, now=SETUP)
            capacity = (1, 50)[n] if n < 2 else rng.choice(CAPACITIES)
            away_from = away_until = None
            if 2 <= n < 12:  # away today
                away_from, away_until = NOW.date() - timedelta(days=3), NOW.date() + timedelta(days=4)
            elif 12 <= n < 17:  # away later this year
                away_from, away_until = NOW.date() + timedelta(days=20), NOW.date() + timedelta(days=30)
            elif 17 <= n < 22:  # back already
                away_from, away_until = NOW.date() - timedelta(days=20), NOW.date() - timedelta(days=1)
            admin.set_reviewer_profile(
                session,
                reviewer.id,
                capacity=capacity,
                away_from=away_from,
                away_until=away_until,
                actor=ACTOR,
                now=SETUP,
            )
            reviewers.append((reviewer.id, school_id, set(qualified)))

    plan = attempt_plan(teachers, microcredentials, rng)
    with transaction(factory) as session:
        # Conflicts that matter: a teacher at another school with an attempt this reviewer is qualified for.
        by_mc = defaultdict(list)
        for teacher_id, school_id, index in plan:
            by_mc[index].append((teacher_id, school_id))
        declared = 0
        for reviewer_id, school_id, qualified in rng.sample(reviewers[2:], CONFLICTS):
            candidates = [t for index in qualified for t, s in by_mc[index] if s != school_id]
            admin.declare_conflict(
                session, reviewer_id, rng.choice(candidates), reason="Former colleague", actor=ACTOR, now=SETUP
            )
            declared += 1
    bulk_attempts(services, plan, microcredentials, rng)
    capacity = sum(capacities(services))
    demand = sum(microcredentials[index][2] for _, _, index in plan)
    return {
        "teachers": len(teachers),
        "reviewers": len(reviewers),
        "conflicts": declared,
        "capacity": capacity,
        "demand": demand,
        "two_reviewers": len(TWO_REVIEWERS),
    }


def bulk_teachers(services, schools: list[int], count: int) -> list[tuple[int, int]]:
    """Insert ``count`` teachers spread over the schools; returns (id, school id) pairs."""
    password_hash = services.passwords.hash(PASSWORD)
    rows = [
        {
            "email": f"teacher{n + 1:05d}@bench.example.org",
            "name": f"Teacher {n + 1}",
            "password_hash": password_hash,
            "school_id": schools[n % len(schools)],
            "is_active": True,
            "session_token": secrets.token_urlsafe(32),
            "created_at": SETUP,
        }
        for n in range(count)
    ]
    with transaction(services.session_factory) as session:
        ids = list(session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), rows))
        session.execute(insert(UserRole), [{"user_id": user_id, "role": "teacher"} for user_id in ids])
    return [(user_id, row["school_id"]) for user_id, row in zip(ids, rows, strict=True)]


def attempt_plan(teachers, microcredentials, rng: random.Random) -> list[tuple[int, int, int]]:
    """(teacher id, school id, micro-credential index): each teacher attempts five different micro-credentials."""
    return [
        (teacher_id, school_id, index)
        for teacher_id, school_id in teachers
        for index in rng.sample(range(len(microcredentials)), ATTEMPTS_PER_TEACHER)
    ]


def bulk_attempts(services, plan, microcredentials, rng: random.Random) -> None:
    """Insert the attempts as submitted, in random submission times over the week before ``NOW``."""
    rows = []
    for teacher_id, _school_id, index in plan:
        mc_id, version_id, _required = microcredentials[index]
        submitted = NOW - timedelta(days=7) + timedelta(seconds=rng.randrange(7 * 24 * 3600 - 3600))
        rows.append(
            {
                "teacher_id": teacher_id,
                "microcredential_id": mc_id,
                "version_id": version_id,
                "number": 1,
                "status": SUBMITTED,
                "privacy_attested_at": submitted,
                "submission_manifest": {"version_id": version_id, "answers": [], "artifacts": []},
                "created_at": submitted - timedelta(days=3),
                "updated_at": submitted,
                "submitted_at": submitted,
                "expected_decision_on": submitted.date() + timedelta(days=14),
                "revision": 1,
            }
        )
    with transaction(services.session_factory) as session:
        for first in range(0, len(rows), 2000):
            session.execute(insert(Attempt), rows[first : first + 2000])


def capacities(services) -> list[int]:
    with services.session_factory() as session:
        return list(session.scalars(text("SELECT capacity FROM reviewer_profiles")))
