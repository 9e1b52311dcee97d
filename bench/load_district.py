"""The district bench/load.py runs against, built through the domain before the clock starts: the demo district, the
load's teachers with drafts, its reviewers, submissions routed to them, and issued credentials."""

from __future__ import annotations

import io
import secrets
import subprocess
import sys
from pathlib import Path

from live_server import BIN, PROJECT_ROOT
from live_server import environ_for as sqlite_environ

from credentials import create_app
from credentials.config import Settings
from credentials.domain.audit import Actor
from credentials.domain.credentials import issuance
from credentials.domain.people import accounts
from credentials.domain.portfolio import attempts, evidence
from credentials.domain.review import admin as review_admin
from credentials.domain.review import scoring
from credentials.storage.database import transaction
from credentials.storage.models import Assignment, Attempt, IssuedCredential, School, User

PASSWORD = "load-test-password-2026"  # noqa: S105 - the throw-away accounts of this benchmark
SLUG = "exit-tickets"
TEXTS = {
    "class-context": "Twenty-six fourth graders, five of them learning English, in a 55-minute math block.",
    "objective-and-design": "Students compare fractions with unlike denominators; three questions, one of them open.",
    "sorting-plan": "Sorted into got it, almost and not yet; the almost group meets me for ten minutes next day.",
    "impact": "The next lesson began with the misconception most tickets showed, and the almost group closed the gap.",
    "next-steps": "I will add a confidence scale to each ticket and track it across the unit.",
}
FILES = ("exit-ticket", "student-responses", "next-lesson-plan")


def pdf_bytes(size: int) -> bytes:
    """A small valid PDF padded with a comment to about ``size`` bytes."""
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    )
    padding = b"%" + secrets.token_hex(max(0, size - len(body) - 40) // 2).encode() + b"\n"
    return body + padding + b"trailer<</Root 1 0 R>>\n%%EOF\n"


def environ_for(workdir: Path, database_url: str) -> dict[str, str]:
    environ = sqlite_environ(workdir)
    environ["MICROCRED_DATABASE_URL"] = database_url
    return environ


def microcred(environ: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [BIN / "microcred", *args], cwd=PROJECT_ROOT, env=environ, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"microcred {' '.join(args)} failed (exit {result.returncode}):\n{result.stderr}")


def build_district(environ: dict[str, str], teachers: int, reviewers: int) -> dict:
    """The demo district plus the load's people and work; returns their e-mails, attempt ids and credential ids."""
    for command in (["db", "upgrade"], ["keys", "generate"], ["demo", "load"]):
        microcred(environ, *command)
    settings = Settings.from_env(environ).with_overrides(password_hash_cheap=True)
    app = create_app(settings)
    svc = app.extensions["microcred"]
    system, now = Actor.system("bench"), svc.clock()
    limits = evidence.UploadLimits(per_file=25 * 1024 * 1024, per_attempt=200 * 1024 * 1024)
    made: dict = {"teachers": [], "reviewers": [], "credentials": []}

    def person(session, role: str, email: str, school_id: int) -> User:
        return accounts.create_user(
            session, svc.passwords, email=email, name=email.split("@")[0].replace("-", " ").title(),
            roles=[role], school_id=school_id, password=PASSWORD, actor=system, now=now,
        )  # fmt: skip

    def draft(session, teacher: User):
        attempt = attempts.start_attempt(session, teacher, SLUG, now=now)
        evidence.save_answers(session, attempt, teacher, texts=TEXTS, links={}, now=now)
        for key in FILES:
            evidence.add_artifact(
                session, svc.evidence, attempt, teacher, prompt_key=key, stream=io.BytesIO(pdf_bytes(20_000)),
                filename=f"{key}.pdf", limits=limits, now=now,
            )  # fmt: skip
        return attempt

    with transaction(svc.session_factory) as session:
        schools = [s.id for s in session.query(School).order_by(School.id) if s.kind == "school"]
        office = next(s.id for s in session.query(School).order_by(School.id) if s.kind != "school")
        for n in range(reviewers):
            reviewer = person(session, "reviewer", f"load-reviewer-{n}@bench.example.org", office)
            review_admin.grant_qualification(session, reviewer.id, slug=SLUG, tag=None, actor=system, now=now)
            review_admin.set_reviewer_profile(
                session, reviewer.id, capacity=100, away_from=None, away_until=None, actor=system, now=now
            )
            made["reviewers"].append(reviewer.email)
    with transaction(svc.session_factory) as session:
        for n in range(teachers):
            teacher = person(session, "teacher", f"load-teacher-{n}@bench.example.org", schools[n % len(schools)])
            made["teachers"].append((teacher.email, draft(session, teacher).id))
    submitted = []
    with transaction(svc.session_factory) as session:
        for n in range(200):
            teacher = person(session, "teacher", f"load-submitter-{n}@bench.example.org", schools[n % len(schools)])
            attempt = draft(session, teacher)
            attempts.submit_attempt(session, attempt, teacher, attested=True, note="", expected_revision=None, now=now)
            submitted.append(attempt.id)
    for attempt_id in submitted[:30]:
        with transaction(svc.session_factory) as session:
            criteria = session.get(Attempt, attempt_id).version.definition["rubric"]["criteria"]
            levels = {criterion["key"]: "proficient" for criterion in criteria}
            scores = scoring.Scores(levels, {}, "Clear, specific evidence of checking for understanding.")
            for assignment in session.query(Assignment).filter_by(attempt_id=attempt_id, status="assigned").all():
                scoring.submit_review(session, assignment, session.get(User, assignment.reviewer_id), scores, now=now)
        with transaction(svc.session_factory) as session:
            issuance.issue_for_attempt(session, svc.signing, attempt_id, now=now)
    with transaction(svc.session_factory) as session:
        made["credentials"] = [c.uuid for c in session.query(IssuedCredential).order_by(IssuedCredential.id)]
        made["credential_json"] = session.query(IssuedCredential).first().document
    svc.engine.dispose()
    return made
