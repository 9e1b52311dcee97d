"""Demonstration data: Riverside Unified School District, its schools and people (with a coach who coaches the
whole district), and three published micro-credentials (from demo_catalog/) that every demo reviewer is qualified
to review. Loading it again changes nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.models import MicroCredential, School, User
from ...storage.models.accounts import COACH, ISSUER_ADMIN, REVIEWER, TEACHER
from ..audit import Actor
from ..catalog.transfer import import_definition
from ..people.accounts import create_user, role_label
from ..people.coaching import assign_coach, coaching_scope
from ..people.organizations import DISTRICT_OFFICE_NAME, IssuerDetails, create_school, get_issuer, set_up_issuer
from ..people.passwords import PasswordPolicy
from ..review.admin import grant_qualification

DEMO_PASSWORD = "riverside-demo-2026"  # noqa: S105 - published in README.md on purpose
DISTRICT = IssuerDetails(
    name="Riverside Unified School District",
    url="https://riverside.example.org",
    email="credentials@riverside.example.org",
)
SCHOOLS = ("Riverside Elementary School", "Oak Valley Middle School", "Riverside High School")

# (e-mail, name, roles, school: an index into SCHOOLS, or None for the district office)
PEOPLE = (
    ("admin@riverside.example.org", "Dana Whitfield", (ISSUER_ADMIN,), None),
    ("maria.lopez@riverside.example.org", "María López", (TEACHER,), 0),
    ("james.chen@riverside.example.org", "James Chen", (TEACHER,), 0),
    ("aisha.okafor@riverside.example.org", "Aisha Okafor", (TEACHER,), 1),
    ("tom.becker@riverside.example.org", "Tom Becker", (TEACHER,), 1),
    ("priya.natarajan@riverside.example.org", "Priya Natarajan", (TEACHER,), 2),
    ("sam.oconnor@riverside.example.org", "Sam O'Connor", (TEACHER,), 2),
    # Colleagues whose declared goals fill the goals boards (credentials/domain/demo/plans.py).
    ("noah.williams@riverside.example.org", "Noah Williams", (TEACHER,), 0),
    ("fatima.hassan@riverside.example.org", "Fatima Hassan", (TEACHER,), 0),
    ("ethan.brooks@riverside.example.org", "Ethan Brooks", (TEACHER,), 1),
    ("lena.fischer@riverside.example.org", "Lena Fischer", (TEACHER,), 2),
    ("marcus.johnson@riverside.example.org", "Marcus Johnson", (TEACHER,), 2),
    ("rosa.delgado@riverside.example.org", "Rosa Delgado", (TEACHER,), 2),
    ("grace.kim@riverside.example.org", "Grace Kim", (REVIEWER,), 0),
    ("luis.romero@riverside.example.org", "Luis Romero", (REVIEWER,), 1),
    ("helen.park@riverside.example.org", "Helen Park", (REVIEWER,), None),
    ("coach@riverside.example.org", "Denise Carter", (COACH,), None),  # an instructional coach
)
# Where each demo coach coaches: school names, or None for the whole district.
COACHING: dict[str, tuple[str, ...] | None] = {"coach@riverside.example.org": None}


DEMO_CATALOG = Path(__file__).resolve().parent / "catalog"


@dataclass
class DemoReport:
    created: int = 0
    existing: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    microcredentials_created: list[str] = field(default_factory=list)


def load_demo(session: Session, passwords: PasswordPolicy, *, now: datetime) -> DemoReport:
    """Create whatever part of the demo district is missing; running it twice changes nothing."""
    actor = Actor.system("demo")
    if get_issuer(session) is None:
        set_up_issuer(session, DISTRICT, actor=actor, now=now)
    schools: dict[str, School] = {s.name: s for s in session.scalars(select(School))}
    for name in SCHOOLS:
        if name not in schools:
            schools[name] = create_school(session, name=name, actor=actor, now=now)
    report = DemoReport()
    for email, name, roles, school_index in PEOPLE:
        school = schools[DISTRICT_OFFICE_NAME if school_index is None else SCHOOLS[school_index]]
        if session.scalar(select(User.id).where(User.email == email)) is None:
            create_user(
                session,
                passwords,
                email=email,
                name=name,
                roles=roles,
                school_id=school.id,
                password=DEMO_PASSWORD,
                actor=actor,
                now=now,
            )
            report.created += 1
        else:
            report.existing += 1
        report.accounts.append((email, ", ".join(role_label(r) for r in roles), school.name))
    _assign_coaches(session, schools, actor=actor, now=now)
    for path in sorted(DEMO_CATALOG.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if session.scalar(select(MicroCredential.id).where(MicroCredential.slug == document["slug"])) is None:
            import_definition(session, document, actor=actor, now=now, publish=True)
            report.microcredentials_created.append(document["title"])
        for email, _name, roles, _school in PEOPLE:
            if REVIEWER in roles:
                reviewer_id = session.scalar(select(User.id).where(User.email == email))
                grant_qualification(session, reviewer_id, slug=document["slug"], actor=actor, now=now)
    return report


def _assign_coaches(session: Session, schools: dict[str, School], *, actor: Actor, now: datetime) -> None:
    """Give each demo coach the assignments of ``COACHING`` they do not have yet."""
    for email, places in COACHING.items():
        coach_id = session.scalar(select(User.id).where(User.email == email))
        scope = coaching_scope(session, coach_id)
        if places is None:
            if not scope.whole_district:
                assign_coach(session, coach_id, None, actor=actor, now=now)
            continue
        assigned = {school_id for school_id, _ in scope.schools}
        for name in places:
            if schools[name].id not in assigned:
                assign_coach(session, coach_id, schools[name].id, actor=actor, now=now)
