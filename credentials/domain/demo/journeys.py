"""The rest of the demo district's year, so that every page has something real to show: a "not yet" waiting for a
resubmission, a submission in review, a draft in progress, a credential issued from a district record and one
revoked. Each scenario runs once; running the demo again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.evidence_store import EvidenceStore
from ...storage.models import Assignment, Attempt, User
from ...storage.models.issuance import IssuedCredential
from ...storage.models.reviews import ASSIGNED
from ..audit import Actor
from ..credentials.admin import issue_to_person
from ..credentials.revocation import revoke_credential
from ..credentials.status_lists import SigningContext
from ..portfolio.attempts import start_attempt
from ..portfolio.evidence import save_answers
from ..review.scoring import Scores, begin_review, save_scores, submit_review
from .credentials import submitted_attempt

ADMIN_EMAIL = "admin@riverside.example.org"
# A former teacher of the district: her credential was issued from a paper record and later revoked in error.
FORMER_TEACHER = ("Dana Whitfield", "dana.whitfield@riverside.example.org")


@dataclass
class JourneyReport:
    """What one run added (all zero when everything was already there)."""

    not_yet: int = 0
    in_review: int = 0
    drafts: int = 0
    from_records: int = 0
    revoked: int = 0


def load_demo_journeys(
    session: Session, store: EvidenceStore, signing: SigningContext, *, now: datetime
) -> JourneyReport:
    """Add every scenario that is not there yet."""
    report = JourneyReport()
    people = {user.email: user for user in session.scalars(select(User)).all()}
    admin = people.get(ADMIN_EMAIL)
    if admin is None:
        return report
    if (james := people.get("james.chen@riverside.example.org")) and _untouched(session, james):
        _not_yet(session, store, james, "exit-tickets", now=now)
        report.not_yet += 1
    if (tom := people.get("tom.becker@riverside.example.org")) and _untouched(session, tom):
        _in_review(session, store, tom, "communicating-with-families", now=now)
        report.in_review += 1
    if (priya := people.get("priya.natarajan@riverside.example.org")) and _untouched(session, priya):
        _draft(session, priya, "exit-tickets", now=now)
        report.drafts += 1
    if (sam := people.get("sam.oconnor@riverside.example.org")) and not _holds(session, sam.email):
        issue_to_person(
            session, signing, name=sam.name, email=sam.email, microcredential="structured-academic-conversations",
            awarded_on=(now - timedelta(days=200)).date(), actor=Actor.user(admin), now=now,
        )  # fmt: skip
        report.from_records += 1
    name, email = FORMER_TEACHER
    if not _holds(session, email):
        credential, _ = issue_to_person(
            session, signing, name=name, email=email, microcredential="communicating-with-families",
            awarded_on=date(now.year - 1, 5, 20), actor=Actor.user(admin), now=now,
        )  # fmt: skip
        revoke_credential(
            session, signing, credential.uuid, category="issued_in_error",
            reason="Recorded against the wrong person when the paper records were entered.",
            actor=Actor.user(admin), now=now,
        )  # fmt: skip
        report.revoked += 1
    return report


def _untouched(session: Session, teacher: User) -> bool:
    return session.scalar(select(Attempt.id).where(Attempt.teacher_id == teacher.id).limit(1)) is None


def _holds(session: Session, email: str) -> bool:
    found = select(IssuedCredential.id).where(IssuedCredential.recipient_email == email).limit(1)
    return session.scalar(found) is not None


def _open_assignments(session: Session, attempt: Attempt) -> list[tuple[Assignment, User]]:
    rows = session.scalars(
        select(Assignment).where(Assignment.attempt_id == attempt.id, Assignment.status == ASSIGNED)
    ).all()
    return [(assignment, session.get(User, assignment.reviewer_id)) for assignment in rows]


def _not_yet(session: Session, store: EvidenceStore, teacher: User, slug: str, *, now: datetime) -> None:
    """Submitted, and every reviewer found two criteria below the required level, with feedback on each."""
    attempt = submitted_attempt(session, store, teacher, slug, now=now)
    criteria = attempt.version.definition["rubric"]["criteria"]
    short = {criteria[1]["key"], criteria[2]["key"]}
    levels = {c["key"]: (c["levels"][0]["key"] if c["key"] in short else c["required_level"]) for c in criteria}
    feedback = {
        criteria[1]["key"]: "Your tickets are sorted, but the analysis stops at *who* got it right. Name the "
        "**misconception** behind the wrong answers (for example, adding denominators) and how many students hold it.",
        criteria[2]["key"]: "The next lesson repeats the whole-class explanation. Show how the groups you formed "
        "were taught differently the next day, and what the students who had it already did.",
    }
    overall = (
        "A strong start: the ticket is well aligned to the objective and your reflection is honest. Strengthen the "
        "analysis and the instructional response, then resubmit with the next week's tickets."
    )
    for assignment, reviewer in _open_assignments(session, attempt):
        submit_review(session, assignment, reviewer, Scores(levels, feedback, overall), now=now)


def _in_review(session: Session, store: EvidenceStore, teacher: User, slug: str, *, now: datetime) -> None:
    """Submitted and assigned; the reviewer has started and saved a draft of two criteria."""
    attempt = submitted_attempt(session, store, teacher, slug, now=now)
    for assignment, reviewer in _open_assignments(session, attempt)[:1]:
        begin_review(assignment, now=now)
        criteria = attempt.version.definition["rubric"]["criteria"]
        levels = {c["key"]: c["required_level"] for c in criteria[:2]}
        save_scores(session, assignment, reviewer, Scores(levels, {}, ""), now=now)


def _draft(session: Session, teacher: User, slug: str, *, now: datetime) -> None:
    """Started, with the first answer written and the rest still empty."""
    attempt = start_attempt(session, teacher, slug, now=now)
    prompts = [p for part in attempt.version.definition["template"]["parts"] for p in part["prompts"]]
    first = next(p for p in prompts if p["kind"] == "text")
    text = (
        "My tenth-grade biology class has 31 students. I will use a two-question exit ticket on **cell "
        "transport** at the end of Tuesday's lab, and sort the answers before Wednesday's warm-up."
    )
    save_answers(session, attempt, teacher, texts={first["key"]: text}, links={}, now=now)
