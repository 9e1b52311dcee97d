"""The teacher's dashboard: each micro-credential they have begun with its state and next step, and the
credentials they hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.models import Assignment, Attempt, MicroCredential, MicroCredentialVersion, User
from ...storage.models.issuance import IssuedCredential
from ...storage.models.reviews import ASSIGNED
from ...storage.models.reviews import SUBMITTED as REVIEW_SUBMITTED
from ..credentials.credential_rows import REVOKED, CredentialRow, row_of
from ..plans.plan_page import SuggestionPanel, current_goal_focus, suggestion_panel
from . import attempts
from .statuses import DRAFT, EARNED, IN_REVIEW, NOT_YET, STATUS_LABELS, SUBMITTED, WITHDRAWN

# What a submitted attempt waiting for its reviewers says: who-neutral, and true whether or not one is assigned yet.
WAITING_FOR_A_REVIEWER = "Waiting for a reviewer"
WITH_REVIEWERS = "With reviewers"
BEING_REVIEWED = "Being reviewed"
REVOKED_LABEL = "Revoked"


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
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class EarnedCredential:
    """A credential on the dashboard: its list row, where its badge comes from, and when it was revoked (if so)."""

    row: CredentialRow
    revoked_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.row.status == REVOKED


def dashboard(session: Session, teacher: User, *, revoked: dict[int, datetime] | None = None) -> list[DashboardRow]:
    """Each micro-credential the teacher has begun, with its latest attempt's state and the next step; two queries.
    ``revoked``: when the credential of an earned attempt (by attempt id) was revoked."""
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
    with_reviewers = _attempts_with_reviewers(session, [a.id for a, *_ in latest.values() if a.status == SUBMITTED])
    revoked = revoked or {}
    result = []
    for attempt, title, number, definition, slug in latest.values():
        left = definition["max_attempts"] - used.get(attempt.version_id, 0)
        revoked_at = revoked.get(attempt.id) if attempt.status == EARNED else None
        step, again = _next_step(attempt, left, definition["max_attempts"], attempt.id in with_reviewers, revoked_at)
        result.append(
            DashboardRow(
                slug=slug,
                title=title,
                version=number,
                attempt_id=attempt.id,
                attempt_number=attempt.number,
                status=attempt.status,
                status_label=_status_label(attempt.status, attempt.id in with_reviewers, revoked_at),
                expected_decision_on=attempt.expected_decision_on,
                decided_at=attempt.decided_at,
                next_step=step,
                can_start_again=again,
                revoked_at=revoked_at,
            )
        )
    order = {DRAFT: 0, NOT_YET: 1, SUBMITTED: 2, IN_REVIEW: 3, WITHDRAWN: 4, EARNED: 5}
    return sorted(result, key=lambda r: (order[r.status], r.title.lower()))


def _attempts_with_reviewers(session: Session, attempt_ids: list[int]) -> set[int]:
    """Which of the submitted attempts a reviewer has been given (one query, none when there is nothing to ask)."""
    if not attempt_ids:
        return set()
    return set(
        session.scalars(
            select(Assignment.attempt_id).where(
                Assignment.attempt_id.in_(attempt_ids), Assignment.status.in_((ASSIGNED, REVIEW_SUBMITTED))
            )
        )
    )


def _status_label(status: str, has_reviewer: bool, revoked_at: datetime | None) -> str:
    if status == SUBMITTED:
        return WITH_REVIEWERS if has_reviewer else WAITING_FOR_A_REVIEWER
    if status == IN_REVIEW:
        return BEING_REVIEWED
    if status == EARNED and revoked_at is not None:
        return REVOKED_LABEL
    return STATUS_LABELS[status]


def _next_step(
    attempt: Attempt, left: int, limit: int, has_reviewer: bool, revoked_at: datetime | None
) -> tuple[str, bool]:
    if attempt.status == DRAFT:
        return "Finish your evidence and submit it.", False
    if attempt.status == SUBMITTED:
        if has_reviewer:
            return "Reviewers have your evidence. You can withdraw it until they begin scoring.", False
        return "A reviewer will be assigned soon. You can withdraw it until review begins.", False
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
    if revoked_at is not None:
        return "The district revoked this credential, so it can no longer be shared or downloaded.", False
    return "Earned.", False


@dataclass(frozen=True)
class TeacherDashboard:
    """The teacher's dashboard: their micro-credentials in progress and the credentials they hold."""

    rows: list[DashboardRow]
    credentials: list[EarnedCredential]
    suggestions: SuggestionPanel | None = None  # micro-credentials suggested with their reasons (issue 17)


def held_credentials(session: Session, teacher: User, *, now: datetime) -> list[tuple[IssuedCredential, CredentialRow]]:
    """The credentials issued to the teacher, newest first, with their list rows (one query)."""
    query = (
        select(IssuedCredential)
        .where(IssuedCredential.recipient_id == teacher.id)
        .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id.desc())
    )
    return [(credential, row_of(credential, now)) for credential in session.scalars(query)]


def teacher_dashboard(
    session: Session, teacher: User, *, now: datetime, dismissed: str | None = None
) -> TeacherDashboard:
    """Attempts (two queries), issued credentials (one query) and suggestions (from the goals of this year's plan)
    for the teacher's dashboard; ``dismissed``: the suggestion just dismissed, to offer "Undo"."""
    held = held_credentials(session, teacher, now=now)
    revoked = {c.attempt_id: c.revoked_at for c, _row in held if c.attempt_id is not None and c.revoked_at}
    earned = [EarnedCredential(row, credential.revoked_at) for credential, row in held]
    # Revoked ones last: what can still be shared comes first.
    focus = current_goal_focus(session, teacher, now=now)
    panel = suggestion_panel(session, teacher, goal_focus=focus, dismissed=dismissed, now=now)
    return TeacherDashboard(
        dashboard(session, teacher, revoked=revoked), sorted(earned, key=lambda c: c.revoked), panel
    )
