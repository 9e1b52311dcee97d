"""The people and drafts the drills start from, made through domain functions (``tests/builders.py``), and people
signed in to the served app."""

from __future__ import annotations

import io
import random

from PIL import Image

from credentials.domain.portfolio import attempts, evidence
from credentials.storage.database import transaction
from credentials.storage.models import User
from tests.builders import PASSWORD, definition, pdf_bytes

from .service import DrillService
from .visitor import Visitor

SLUG = "exit-tickets"
ANSWERS = {"context": "Twenty-six fourth graders.", "reflection": "I regrouped students by their tickets."}


def publish_with_reviewers(service: DrillService, *, reviewers: int = 1, capacity: int | None = None) -> str:
    """The drills' micro-credential (one reviewer per submission), published, with qualified reviewers."""
    service.build.published(definition(slug=SLUG))
    for _ in range(reviewers):
        service.build.reviewer(slug=SLUG, capacity=capacity)
    return SLUG


def teacher_with_draft(service: DrillService) -> tuple[User, int]:
    """A teacher at a school of their own whose draft has both answers and one exit ticket (a PDF) saved."""
    build = service.build
    teacher = build.user("teacher", school=build.school())
    limits = evidence.UploadLimits(per_file=25 * 1024 * 1024, per_attempt=200 * 1024 * 1024)
    with transaction(service.services.session_factory) as session:
        now = service.now()
        stored = session.get(User, teacher.id)
        attempt = attempts.start_attempt(session, stored, SLUG, now=now)
        evidence.save_answers(session, attempt, stored, texts=ANSWERS, links={}, now=now)
        evidence.add_artifact(
            session, service.services.evidence, attempt, stored, prompt_key="tickets",
            stream=io.BytesIO(pdf_bytes("Monday's tickets")), filename="monday.pdf", limits=limits, now=now,
        )  # fmt: skip
        return teacher, attempt.id


def signed_in(service: DrillService, user: User) -> Visitor:
    """``user`` signed in to the served app, in a browser of their own."""
    visitor = Visitor(service.url)
    visitor.sign_in(user.email, PASSWORD)
    return visitor


def submission(visitor: Visitor, attempt_id: int) -> dict:
    """The draft page's fields for "submit", with the revision the page shows now."""
    return {
        **{f"answer-{key}": text for key, text in ANSWERS.items()},
        "action": "submit",
        "attest": "yes",
        "revision": str(visitor.revision(f"/attempts/{attempt_id}")),
    }


def large_image(megabytes: int = 6) -> bytes:
    """An uncompressed PNG of about ``megabytes``, the same bytes on every run (so the outcome is too)."""
    side = int((megabytes * 1024 * 1024 / 3) ** 0.5)
    pixels = random.Random(2026).randbytes(side * side * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(buffer, format="PNG", compress_level=0)
    return buffer.getvalue()
