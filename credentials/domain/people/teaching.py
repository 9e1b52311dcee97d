"""What a teacher teaches: the grade band and subject that goals boards filter on, so colleagues with like goals can
find each other. Stored on ``users.grade_band`` and ``users.subject``; tests/storage/test_vocabulary.py keeps these
values and the CHECK constraints in step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ...storage.models import User
from ..audit import Actor, record_event
from ..errors import InvalidInput

# The catalog's grade bands (domain/catalog/definitions.py GRADE_BANDS) as keys, and "all" for specialists.
GRADE_BANDS = ("pre-k", "k-2", "3-5", "6-8", "9-12", "all")
GRADE_BAND_LABELS = {
    "pre-k": "Pre-K",
    "k-2": "Kindergarten to grade 2",
    "3-5": "Grades 3 to 5",
    "6-8": "Grades 6 to 8",
    "9-12": "Grades 9 to 12",
    "all": "All grades",
}

SUBJECTS = (
    "ela",
    "math",
    "science",
    "social_studies",
    "arts",
    "world_languages",
    "pe_health",
    "special_education",
    "english_learners",
    "cte",
    "library",
    "several",
)
SUBJECT_LABELS = {
    "ela": "English language arts",
    "math": "Mathematics",
    "science": "Science",
    "social_studies": "Social studies",
    "arts": "The arts",
    "world_languages": "World languages",
    "pe_health": "Physical education and health",
    "special_education": "Special education",
    "english_learners": "English learners",
    "cte": "Career and technical education",
    "library": "Library and media",
    "several": "Several subjects",
}


def grade_band_label(grade_band: str | None) -> str:
    """The grade band in words ("" when not set)."""
    return GRADE_BAND_LABELS.get(grade_band or "", "")


def subject_label(subject: str | None) -> str:
    """The subject in words ("" when not set)."""
    return SUBJECT_LABELS.get(subject or "", "")


def set_teaching(
    session: Session, user: User, *, grade_band: str | None, subject: str | None, actor: Actor, now: datetime
) -> bool:
    """Say what ``user`` teaches (either may be left unset); False when nothing changed. The teacher does it for
    themselves, an admin on the person's page."""
    grade_band, subject = (grade_band or "").strip() or None, (subject or "").strip() or None
    errors: dict[str, str] = {}
    if grade_band is not None and grade_band not in GRADE_BANDS:
        errors["grade_band"] = "Choose one of the grade bands listed, or leave it unset."
    if subject is not None and subject not in SUBJECTS:
        errors["subject"] = "Choose one of the subjects listed, or leave it unset."
    if errors:
        raise InvalidInput(errors)
    before = {"grade_band": user.grade_band, "subject": user.subject}
    after = {"grade_band": grade_band, "subject": subject}
    changed = {key: {"from": before[key], "to": after[key]} for key in before if before[key] != after[key]}
    if not changed:
        return False
    user.grade_band, user.subject = grade_band, subject
    session.flush()
    # The words as they read that day, beside the values, so the audit trail reads without the vocabulary.
    words = ", ".join(label for label in (grade_band_label(grade_band), subject_label(subject)) if label)
    record_event(
        session, actor=actor, action="user.set_teaching", subject_type="user", subject_id=user.id,
        summary={**changed, "words": words}, now=now,
    )  # fmt: skip
    return True
