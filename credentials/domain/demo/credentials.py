"""Demo credentials: two demo teachers taken through submission, review and issuance, so that a new installation
shows real signed credentials at once. Running it again changes nothing."""

from __future__ import annotations

import io
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.evidence_store import EvidenceStore
from ...storage.models import Assignment, Attempt, User
from ...storage.models.attempts import EARNED
from ...storage.models.issuance import IssuedCredential
from ...storage.models.reviews import ASSIGNED
from ..credentials.issuance import issue_for_attempt
from ..credentials.status_lists import SigningContext
from ..portfolio.attempts import start_attempt, submit_attempt
from ..portfolio.evidence import UploadLimits, add_artifact, save_answers
from ..review.scoring import Scores, submit_review

# (teacher e-mail, micro-credential slug): reviewers come from other schools, as routing requires.
EARNERS = (
    ("maria.lopez@riverside.example.org", "exit-tickets"),
    ("aisha.okafor@riverside.example.org", "structured-academic-conversations"),
)
LIMITS = UploadLimits(per_file=5 * 1024 * 1024, per_attempt=20 * 1024 * 1024)


def load_demo_credentials(session: Session, store: EvidenceStore, signing: SigningContext, *, now: datetime) -> int:
    """Earn and issue the demo teachers' credentials that do not exist yet; returns how many were issued."""
    issued = 0
    for email, slug in EARNERS:
        teacher = session.scalar(select(User).where(User.email == email))
        if teacher is None or _has_credential(session, teacher):
            continue
        attempt = submitted_attempt(session, store, teacher, slug, now=now)
        for assignment in session.scalars(
            select(Assignment).where(Assignment.attempt_id == attempt.id, Assignment.status == ASSIGNED)
        ).all():
            reviewer = session.get(User, assignment.reviewer_id)
            submit_review(session, assignment, reviewer, _meets_every_criterion(attempt), now=now)
        session.refresh(attempt)
        if attempt.status == EARNED:
            issue_for_attempt(session, signing, attempt.id, now=now)
            issued += 1
    return issued


def _has_credential(session: Session, teacher: User) -> bool:
    return session.scalar(select(IssuedCredential.id).where(IssuedCredential.recipient_id == teacher.id)) is not None


def submitted_attempt(session: Session, store: EvidenceStore, teacher: User, slug: str, *, now: datetime) -> Attempt:
    attempt = session.scalar(
        select(Attempt).where(Attempt.teacher_id == teacher.id).order_by(Attempt.id.desc()).limit(1)
    )
    if attempt is not None and attempt.status != "draft":
        return attempt
    attempt = attempt or start_attempt(session, teacher, slug, now=now)
    prompts = [prompt for part in attempt.version.definition["template"]["parts"] for prompt in part["prompts"]]
    texts = {p["key"]: _answer(p["label"]) for p in prompts if p["kind"] == "text"}
    save_answers(session, attempt, teacher, texts=texts, links={}, now=now)
    attempt.share_reflection = True
    for prompt in prompts:
        if prompt["kind"] == "file" and not any(a.prompt_key == prompt["key"] for a in attempt.artifacts):
            add_artifact(
                session, store, attempt, teacher, prompt_key=prompt["key"], filename=f"{prompt['key']}.pdf",
                stream=io.BytesIO(_document_pdf(prompt["label"])), limits=LIMITS, now=now,
            )  # fmt: skip
    submit_attempt(session, attempt, teacher, attested=True, note="", expected_revision=None, now=now)
    return attempt


def _meets_every_criterion(attempt: Attempt) -> Scores:
    criteria = attempt.version.definition["rubric"]["criteria"]
    levels = {c["key"]: c["levels"][-1]["key"] if i % 2 else c["required_level"] for i, c in enumerate(criteria)}
    return Scores(levels, {}, "Specific, well-organised evidence from a real lesson; every criterion is met.")


def _answer(label: str) -> str:
    return (
        f"{label.rstrip('.?')}: in my fourth-grade class of 26 students, including five English learners, I planned "
        "this around one clear objective, checked every student's response the same day, sorted the responses "
        "into three groups and used them to plan the next lesson's small-group work and feedback."
    )


def _document_pdf(title: str) -> bytes:
    """A one-page PDF standing in for a teacher's uploaded document."""
    lines = [title[:80], "Riverside Elementary School - demo evidence", "Prepared for the micro-credential review."]
    text = " ".join(f"BT /F1 12 Tf 72 {720 - 20 * i} Td ({line.replace('(', '[').replace(')', ']')}) Tj ET"
                    for i, line in enumerate(lines)).encode("latin-1", "replace")  # fmt: skip
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, start)
    return bytes(pdf)
