"""The teacher's dashboard: each micro-credential they have begun with its state and next step, and the
credentials they hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.models import Attempt, MicroCredential, MicroCredentialVersion, User
from ..credentials.credential_rows import CredentialRow, all_credentials
from . import attempts
from .statuses import DRAFT, EARNED, IN_REVIEW, NOT_YET, STATUS_LABELS, SUBMITTED, WITHDRAWN


@dataclass(frozen=True)
class DashboardRow:
    slug: str
    title: str
    version: int
    attempt_id: int
    attempt_number: int
    status: str
    status_label: str
    expected_decision_on: date | None
    decided_at: datetime | None
    next_step: str
    can_start_again: bool


def dashboard(session: Session, teacher: User) -> list[DashboardRow]:
    """Each micro-credential the teacher has begun, with its latest attempt's state and the next step; one query."""
    rows = session.execute(
        select(
            Attempt,
            MicroCredentialVersion.title,
            MicroCredentialVersion.number,
            MicroCredentialVersion.definition,
            MicroCredential.slug,
        )
        .join(MicroCredentialVersion, MicroCredentialVersion.id == Attempt.version_id)
        .join(MicroCredential, MicroCredential.id == Attempt.microcredential_id)
        .where(Attempt.teacher_id == teacher.id)
        .order_by(Attempt.microcredential_id, Attempt.number)
    ).all()
    latest: dict[int, tuple] = {}
    used: dict[int, int] = {}
    for attempt, title, number, definition, slug in rows:
        latest[attempt.microcredential_id] = (attempt, title, number, definition, slug)
        if attempt.status != WITHDRAWN:
            used[attempt.version_id] = used.get(attempt.version_id, 0) + 1
    result = []
    for attempt, title, number, definition, slug in latest.values():
        left = definition["max_attempts"] - used.get(attempt.version_id, 0)
        step, again = _next_step(attempt, left, definition["max_attempts"])
        result.append(
            DashboardRow(
                slug=slug,
                title=title,
                version=number,
                attempt_id=attempt.id,
                attempt_number=attempt.number,
                status=attempt.status,
                status_label=STATUS_LABELS[attempt.status],
                expected_decision_on=attempt.expected_decision_on,
                decided_at=attempt.decided_at,
                next_step=step,
                can_start_again=again,
            )
        )
    order = {DRAFT: 0, NOT_YET: 1, SUBMITTED: 2, IN_REVIEW: 3, WITHDRAWN: 4, EARNED: 5}
    return sorted(result, key=lambda r: (order[r.status], r.title.lower()))


def _next_step(attempt: Attempt, left: int, limit: int) -> tuple[str, bool]:
    if attempt.status == DRAFT:
        return "Finish your evidence and submit it.", False
    if attempt.status == SUBMITTED:
        return "Waiting for a reviewer. You can withdraw it until review begins.", False
    if attempt.status == IN_REVIEW:
        return "Reviewers are scoring your evidence.", False
    if attempt.status == NOT_YET:
        if left > 0:
            return (
                f"Read the feedback on each criterion, revise, and resubmit "
                f"({left} attempt{'s' if left != 1 else ''} left)."
            ), True
        return attempts.attempts_used_up_message(limit), False
    if attempt.status == WITHDRAWN:
        return "Withdrawn. Start again when you are ready: your evidence is kept.", True
    return "Earned.", False


@dataclass(frozen=True)
class TeacherDashboard:
    """The teacher's dashboard: their micro-credentials in progress and the credentials they hold."""

    rows: list[DashboardRow]
    credentials: list[CredentialRow]


def teacher_dashboard(session: Session, teacher: User, *, now: datetime) -> TeacherDashboard:
    """Attempts (one query) and issued credentials (one query) for the teacher's dashboard."""
    return TeacherDashboard(dashboard(session, teacher), all_credentials(session, now=now, recipient_id=teacher.id))
